"""Showing a proposal and asking a person what to do with it: Execute, eDit, eXplain or Abort.

Nothing runs from here; review() only decides which command (if any) the caller may run.
Abort is the default answer, and a `dangerous` proposal needs the word `yes` typed out, because a
single stray key must never be enough to destroy data or open a door.
"""

from __future__ import annotations

import json
from typing import Callable

from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from nlsh.errors import Aborted
from nlsh.schema import HomeProposal, Proposal, Risk, ShellProposal, Verdict
from nlsh.tty import TTY

RISK_STYLE = {Risk.safe: "green", Risk.caution: "yellow", Risk.dangerous: "bold red"}

ANSWERS = {"e": "execute", "d": "edit", "x": "explain", "a": "abort"}
SHELL_KEYS = "edxa"
HOME_KEYS = "exa"  # device actions are not text: there is nothing to edit in place

Validate = Callable[[str], Verdict]
Explain = Callable[[str], str]
Preview = Callable[[str], "str | None"]


def render_proposal(proposal: Proposal, console: Console, *, edited: bool = False, runnable: bool = True) -> None:
    """Draw the proposal as one panel: the command or action table, then risk, reasons, warnings, confidence."""
    style = RISK_STYLE[proposal.risk]
    parts: list = []
    if isinstance(proposal, ShellProposal):
        parts.append(Syntax(proposal.command, "bash", theme="ansi_dark", word_wrap=True, background_color="default"))
        title = "command"
    else:
        parts.append(actions_table(proposal))
        title = "device actions"
    parts.append(Text(""))

    facts = Text()
    facts.append("risk: ", style="dim")
    facts.append(proposal.risk.value, style=style)
    facts.append("   confidence: ", style="dim")
    facts.append("edited by you" if edited else f"{proposal.confidence:.0%}")
    parts.append(facts)
    for reason in proposal.reasons:
        parts.append(Text(f"  • {reason}", style=style))
    for warning in proposal.warnings:
        parts.append(Text(f"  ! {warning}", style="yellow"))
    if not runnable:
        parts.append(Text("  ✗ cannot be run as written; edit it or abort", style="bold red"))
    console.print(Panel(Group(*parts), title=title, title_align="left", border_style=style, expand=False))


def actions_table(proposal: HomeProposal) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("device")
    table.add_column("action")
    table.add_column("args")
    for action in proposal.actions:
        table.add_row(action.device, action.action, format_args(action.args))
    return table


def format_args(args: dict) -> str:
    return ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in args.items())


def describe_actions(proposal: HomeProposal) -> str:
    """The Explain text for device actions: what each step does, in order."""
    lines = [f"{len(proposal.actions)} action(s), run in this order:"]
    for i, action in enumerate(proposal.actions, 1):
        line = f"  {i}. {action.action.replace('_', ' ')} {action.device}"
        if action.args:
            line += f" ({format_args(action.args)})"
        lines.append(line)
    return "\n".join(lines)


def explain_text(command: str) -> str:
    """The default Explain: utilities and flags from the user's own man pages / --help (nlsh.explain)."""
    from nlsh.explain import explain_command, render_explanation

    return render_explanation(explain_command(command))


def preview_text(command: str, cwd: str | None = None, limit: int = 20) -> str | None:
    """What a deleting or overwriting command would touch (nlsh.preview), or None if it touches nothing."""
    from nlsh.preview import preview_effects

    preview = preview_effects(command, cwd=cwd, limit=limit)
    if preview is None:
        return None
    lines = [preview.summary]
    lines += [f"  {path}" for path in preview.paths]
    if preview.total > len(preview.paths):
        lines.append(f"  … and {preview.total - len(preview.paths)} more")
    return "\n".join(lines)


def review(
    proposal: Proposal,
    *,
    validate: Validate,
    explain: Explain,
    preview: Preview | None = None,
    default: str = "abort",
    tty: TTY | None = None,
) -> str | None:
    """Ask until the person executes or aborts. Returns the command to run (shell), or None on abort.

    For a home proposal the return value on Execute is its actions as one compact JSON line; the
    caller runs proposal.actions. Raises Refused when there is no terminal, Aborted on Ctrl-C/Ctrl-D.
    """
    final = review_proposal(proposal, validate=validate, explain=explain, preview=preview, default=default, tty=tty)
    if final is None:
        return None
    if isinstance(final, ShellProposal):
        return final.command
    return json.dumps([a.model_dump() for a in final.actions], separators=(",", ":"), ensure_ascii=False)


def review_proposal(
    proposal: Proposal,
    *,
    validate: Validate,
    explain: Explain,
    preview: Preview | None = None,
    default: str = "abort",
    tty: TTY | None = None,
) -> Proposal | None:
    """review(), returning the final proposal: after an Edit it carries the new command and its new verdict."""
    own = tty is None
    tty = tty or TTY.open()
    try:
        return _Review(proposal, tty, validate, explain, preview, default).run()
    except KeyboardInterrupt:
        # A SIGINT that lands between two questions (while drawing, or inside explain/preview).
        raise Aborted("aborted") from None
    finally:
        if own:
            tty.close()


class _Review:
    def __init__(self, proposal: Proposal, tty: TTY, validate: Validate, explain: Explain,
                 preview: Preview | None, default: str):
        self.current = proposal
        self.tty = tty
        self.validate = validate
        self.explain = explain
        self.preview = preview
        self.is_shell = isinstance(proposal, ShellProposal)
        self.keys = SHELL_KEYS if self.is_shell else HOME_KEYS
        self.default = _default_key(default, self.keys)
        self.edited = False
        self.runnable = True

    def run(self) -> Proposal | None:
        self.show()
        while True:
            answer = self.tty.read_key(self.question(), self.keys, self.default)
            if answer == "a":
                return None
            if answer == "x":
                self.do_explain()
            elif answer == "d":
                if self.do_edit():
                    self.show()
            elif answer == "e":
                if self.confirmed():
                    return self.current

    def question(self) -> str:
        names = {"e": "Execute", "d": "eDit", "x": "eXplain", "a": "Abort"}
        choices = "/".join(k.upper() if k == self.default else k for k in self.keys)
        return f"{', '.join(names[k] for k in self.keys)}? [{choices}] "

    def show(self) -> None:
        render_proposal(self.current, self.tty.console, edited=self.edited, runnable=self.runnable)
        if self.is_shell and self.preview is not None:
            text = _safely(self.preview, self.current.command, "could not preview the affected files")
            if text:
                self.tty.print(Panel(Text(text), title="would affect", title_align="left",
                                     border_style="yellow", expand=False))

    def do_explain(self) -> None:
        if self.is_shell:
            text = _safely(self.explain, self.current.command, "no explanation available")
        else:
            text = describe_actions(self.current)
        self.tty.print(Text(text or "no explanation available"))

    def do_edit(self) -> bool:
        """Let the person change the command; re-validate it. True when there is a new command to show."""
        new = self.tty.read_line("edit> ", default=self.current.command, shell_syntax=True).strip()
        if not new:
            self.tty.print(Text("empty command; keeping the previous one", style="dim"))
            return False
        if new == self.current.command:
            return False
        verdict = self.validate(new)
        self.current = self.current.model_copy(update={
            "command": new,
            "risk": verdict.risk,
            "reasons": list(verdict.reasons),
            "warnings": list(verdict.warnings),
        })
        self.edited = True
        self.runnable = verdict.valid
        return True

    def confirmed(self) -> bool:
        if not self.runnable:
            self.tty.print(Text("This command cannot be run as written; edit it or abort.", style="bold red"))
            return False
        if self.current.risk is not Risk.dangerous:
            return True
        typed = self.tty.read_line("This is dangerous. Type yes to run it: ")
        if typed.strip().lower() == "yes":
            return True
        self.tty.print(Text("Not confirmed; nothing was run.", style="yellow"))
        return False


def _default_key(default: str, keys: str) -> str:
    """'abort', 'execute', ... or their letter; anything not offered here falls back to Abort."""
    name = (default or "").strip().lower()
    key = {v: k for k, v in ANSWERS.items()}.get(name, name)
    return key if key and key in keys else "a"


def _safely(func: Callable[[str], str | None], command: str, failure: str) -> str | None:
    """Explain and preview are aids; their failure must not take the decision away from the person."""
    try:
        return func(command)
    except Exception as err:  # noqa: BLE001 - any failure here is reported, never fatal
        return f"{failure}: {err}"
