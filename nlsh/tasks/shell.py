"""Shell commands as an answer: hints from this machine in the prompt, the shell grammar, and the
validator's verdict (parse, risk, existence) on the command."""

from __future__ import annotations

from nlsh.errors import Refused
from nlsh.grammar import shell_grammar
from nlsh.prompt import PromptContext
from nlsh.schema import ShellProposal, Verdict
from nlsh.validator import check_command, is_command
from nlsh.words import named_words


class ShellTask:
    kind = "shell"

    def __init__(self, grammar_mode: str = "format", retriever=None):
        self.grammar_mode = grammar_mode
        self.retriever = retriever  # nlsh.retrieval.Retriever, or None for prompts without hints

    def add_context(self, request: str, ctx: PromptContext, alone: bool) -> None:
        # Hints go with shell-only prompts: the model was trained on device listings without
        # hints, and a `shutdown` hint next to "lights off" only invites the wrong kind of answer.
        if alone and self.retriever is not None:
            found = self.retriever.retrieve(request)
            ctx.tools, ctx.examples = found.tools, found.examples

    def prompt_chars(self) -> int:
        return 0

    def grammar(self, request: str) -> str:
        return shell_grammar(self.grammar_mode, named=named_words(request))

    def claims(self, text: str, alone: bool) -> bool:  # noqa: ARG002 - whatever no other kind claims
        return True

    def is_answer(self, text: str, alone: bool) -> bool:  # noqa: ARG002
        """A line the validator takes for a command (it refuses nothing for its risk: a dangerous
        command is valid, and confirmation deals with it)."""
        return is_command(text)

    def check(self, text: str) -> Verdict:
        return check_command(text)

    def proposal(self, instruction: str, text: str, confidence: float, warnings: list[str]) -> ShellProposal:
        verdict = check_command(text, request=instruction)  # the request is rated too (nlsh.validator.intent)
        if not verdict.valid:
            raise Refused(f"The validator rejected the proposed command `{text}`: {reasons(verdict)}.")
        return ShellProposal(
            instruction=instruction,
            command=verdict.command or text,
            risk=verdict.risk,
            reasons=verdict.reasons,
            confidence=confidence,
            warnings=warnings + verdict.warnings,
        )


def reasons(verdict: Verdict) -> str:
    """Why the validator said no, as one sentence's end."""
    items = verdict.reasons or verdict.warnings or ["it is not a valid command"]
    return "; ".join(i.rstrip(".") for i in items)
