"""Device actions as an answer: the registry's listing in the prompt, its grammar, and the home
validator's verdict on the actions (SPEC section 3)."""

from __future__ import annotations

from nlsh.errors import Refused
from nlsh.home.answer import is_home_answer, parse_answer
from nlsh.home.grammar import home_grammar, home_or_shell_grammar
from nlsh.home.registry import Registry, render_listing
from nlsh.home.validate import check_actions
from nlsh.prompt import PromptContext
from nlsh.schema import HomeProposal, Verdict
from nlsh.tasks.shell import reasons


class HomeTask:
    kind = "home"

    def __init__(self, registry: Registry):
        self.registry = registry
        self._listing: str | None = None

    def listing(self) -> str:
        """The registry's listing for the prompt, rendered once."""
        if self._listing is None:
            self._listing = render_listing(self.registry)
        return self._listing

    def add_context(self, request: str, ctx: PromptContext, alone: bool) -> None:  # noqa: ARG002
        ctx.devices = self.listing()

    def prompt_chars(self) -> int:
        return len(self.listing())

    def grammar(self, request: str) -> str:  # noqa: ARG002 - one grammar per registry
        return home_grammar(self.registry)

    def grammar_beside(self, others: list[str]) -> str:
        """A device answer or a shell line: the home grammar joined to the shell's."""
        return home_or_shell_grammar(self.registry, others[0])

    def claims(self, text: str, alone: bool) -> bool:
        return alone or is_home_answer(text)

    def is_answer(self, text: str, alone: bool) -> bool:
        return alone or is_home_answer(text)

    def check(self, text: str) -> Verdict:
        return check_actions(parse_answer(text, self.registry), self.registry)

    def proposal(self, instruction: str, text: str, confidence: float, warnings: list[str]) -> HomeProposal:
        actions = parse_answer(text, self.registry)
        verdict = check_actions(actions, self.registry)
        if not verdict.valid:
            raise Refused(f"The validator rejected the device actions: {reasons(verdict)}.")
        return HomeProposal(
            instruction=instruction,
            actions=actions,
            risk=verdict.risk,
            reasons=verdict.reasons,
            confidence=confidence,
            warnings=warnings + verdict.warnings,
        )
