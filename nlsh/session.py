"""What happens to a proposal, for the CLI and the REPL alike: a person reviews it (nlsh.confirm), the
final command runs in the user's shell (nlsh.execute) or the final actions go to the home backend,
and a command the person edited before it ran successfully is learned (nlsh.learned).
"""

from __future__ import annotations

import sys
from typing import Callable, Optional

from nlsh.schema import HomeProposal, Proposal, Risk, ShellProposal

RunHome = Callable[[HomeProposal], int]
Learn = Callable[[str, str], None]


class Session:
    """Review -> execute -> learn for proposals of one translator (anything with
    check(command, kind)), on one terminal.

    yes: run safe proposals the model is sure of without asking (`nlsh -y`); `announce` says so.
    run_home: sends confirmed device actions; None when no backend is configured.
    learn(instruction, command): receives commands the person edited and ran successfully.
    """

    def __init__(self, translator, *, tty=None, default: str = "abort", run_home: Optional[RunHome] = None,
                 learn: Optional[Learn] = None, yes: bool = False, announce: Callable[[str], None] = print):
        self.translator = translator
        self.tty = tty
        self.default = default
        self.run_home = run_home
        self.learn = learn
        self.yes = yes
        self.announce = announce

    def review(self, proposal: Proposal) -> Optional[Proposal]:
        """The proposal as the person settles it (edited, maybe), or None when they abort."""
        if self.yes and proposal.risk is Risk.safe and not self.translator.is_unsure(proposal):
            self.announce(f"running: {shown(proposal)}")
            return proposal
        from nlsh import confirm  # rich: not for a --dry-run, which prints with shown()

        return confirm.review_proposal(
            proposal,
            validate=lambda command: self.translator.check(command, "shell"),  # an edit is a command
            explain=confirm.explain_text,
            preview=confirm.preview_text,
            default=self.default,
            tty=self.tty,
        )

    def execute(self, proposal: Proposal, final: Proposal) -> Optional[int]:
        """Run what the person confirmed; its exit status, or None where nothing could run (device
        actions with no backend)."""
        if isinstance(final, ShellProposal):
            from nlsh.execute import run_command

            code = run_command(final.command, instruction=proposal.instruction)
            if self.learn is not None and final.command != proposal.command and code == 0:
                self.learn(proposal.instruction, final.command)
            return code
        if self.run_home is None:
            return None
        return self.run_home(final)


def shown(proposal: Proposal) -> str:
    """The proposal as one line: the command, or the actions as compact JSON (what --dry-run prints)."""
    import json

    if isinstance(proposal, ShellProposal):
        return proposal.command
    return json.dumps([a.model_dump(mode="json") for a in proposal.actions], ensure_ascii=False, separators=(",", ":"))


def run_home(config, proposal: HomeProposal, warn: Callable[[str], None]) -> int:
    """Send confirmed device actions to the configured backend; 1 when any action failed."""
    from nlsh.home.backends import make_backend

    backend = make_backend(config.home, stream=sys.stdout)
    results = backend.execute(proposal.actions)
    failed = [r for r in results if not r.ok]
    for r in failed:
        warn(f"{r.action.device} {r.action.action}: {r.status}: {r.detail}")
    return 1 if failed else 0
