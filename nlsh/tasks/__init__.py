"""The kinds of answer nlsh gives, one object each: what it adds to the prompt, its grammar, which
answers are its own, and how one becomes a checked proposal. The decoding rules that serve a kind are
registered in nlsh.decoding.rules under the kind's name.

A request may be answered by one kind (`--shell`, `--home`) or by either (a device registry without
either flag): the grammar then allows both, and the first task that claims an answer's text has it.
Adding a kind is a new module with its Task and a line in `tasks_for`.
"""

from __future__ import annotations

from typing import Literal, Optional, Protocol

from nlsh.errors import UsageError
from nlsh.grammar import union
from nlsh.prompt import PromptContext
from nlsh.schema import Proposal, Verdict

Mode = Literal["shell", "home"]


class Task(Protocol):
    kind: str

    def add_context(self, request: str, ctx: PromptContext, alone: bool) -> None:
        """Put what the prompt needs for this kind into `ctx` (alone: the only kind allowed)."""

    def prompt_chars(self) -> int:
        """How much this kind puts into every prompt whatever the request (to size the context)."""

    def grammar(self, request: str) -> str:
        """The GBNF grammar of this kind's answers."""

    def claims(self, text: str, alone: bool) -> bool:
        """Whether an answer's text is of this kind."""

    def is_answer(self, text: str, alone: bool) -> bool:
        """Whether the text is an answer of this kind at all (not a loop, prose or garbage)."""

    def check(self, text: str) -> Verdict:
        """The validator's verdict on an answer of this kind."""

    def proposal(self, instruction: str, text: str, confidence: float, warnings: list[str]) -> Proposal:
        """A checked proposal; raises Refused where the validator rejects the answer."""


def joint_grammar(tasks: list[Task], grammars: list[str]) -> str:
    """One grammar allowing every task's answers; a task may join the others' grammars to its own
    (`grammar_beside`), else the grammars are united as they are."""
    if len(grammars) == 1:
        return grammars[0]
    beside = getattr(tasks[0], "grammar_beside", None)
    return beside(grammars[1:]) if beside is not None else union(*grammars)


def tasks_for(mode: Optional[Mode], registry, grammar_mode: str, retriever=None) -> list[Task]:
    """The tasks a request may be answered by: shell commands, device actions (with a registry), or
    either (a registry and no mode), device actions first."""
    from nlsh.tasks.home import HomeTask
    from nlsh.tasks.shell import ShellTask

    if mode == "home" and registry is None:
        raise UsageError("--home needs a device registry: pass --devices FILE or set `registry` in the config file.")
    shell = ShellTask(grammar_mode, retriever)
    if registry is None or mode == "shell":
        return [shell]
    home = HomeTask(registry)
    return [home] if mode == "home" else [home, shell]
