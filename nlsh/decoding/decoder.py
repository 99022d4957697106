"""One request's decoding: the model's answer under the grammar and the active rules' guide, then what
the re-decoding rules make of it, stage by stage (repair, fallback, refine)."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.registry import STAGES, RuleSet
from nlsh.decoding.rule import Asked
from nlsh.decoding.runner import Generation


class Decoding:
    """The model, the prompt, the grammar and the request, for the rules that decode again.

    `kind_of(text)` names the kind of an answer and `is_answer(text)` says whether some kind of
    answer takes it (both from the translator's tasks).
    """

    def __init__(self, model, prompt: str, grammar: Optional[str], asked: Asked, rules: RuleSet,
                 kind_of: Callable[[str], str], is_answer: Callable[[str], bool]):
        self.model = model
        self.prompt = prompt
        self.grammar = grammar
        self.asked = asked
        self.rules = rules
        self.kind_of = kind_of
        self.is_answer = is_answer
        self.guide = self.guide_for(asked)

    def guide_for(self, asked: Asked) -> Optional[Guide]:
        """The active rules' guide for a request; none without a grammar, which the rules read
        their answers by."""
        return self.rules.guide(asked) if self.grammar is not None else None

    def again(self, grammar: Optional[str], **asked) -> Generation:
        """The model's answer under another grammar, guided as the request would be with `asked`
        changed (kinds=("home",): a device answer alone)."""
        return self.model.generate(self.prompt, grammar, guide=self.guide_for(replace(self.asked, **asked)))

    def run(self) -> Generation:
        generation = self.model.generate(self.prompt, self.grammar, guide=self.guide)
        for stage in STAGES:
            for rule in self.rules.redos(stage, self.asked.kinds):
                generation = rule.redo(self, generation)
        return generation
