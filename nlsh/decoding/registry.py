"""The decoding rules that are on: every registered rule (nlsh.decoding.rules.RULES) but those switched
off by name, with the guide they make together and the part of the translation cache key they fix.

    Config(rules_off=["named-tool"])   rules_off = ["named-tool"] in config.toml
    Translator(config, rules_off=["device-names", "said-values"])
"""

from __future__ import annotations

from typing import Iterable, Optional

from nlsh.decoding.guide import Guide, compose
from nlsh.decoding.rule import Asked, DecodingRule, Stage
from nlsh.decoding.rules import RULES
from nlsh.errors import UsageError

STAGES: tuple[Stage, ...] = ("repair", "fallback", "refine")


def describe() -> list[DecodingRule]:
    """Every registered rule, in the order it applies."""
    return list(RULES)


def needing_logits() -> list[str]:
    """The names of the rules a model server cannot run: it returns finished text, not logits."""
    return [rule.name for rule in RULES if rule.logits]


class RuleSet:
    """The registered rules less those named in `off`; an unknown name is a usage error."""

    def __init__(self, off: Iterable[str] = ()):
        off = {name.strip() for name in off if name.strip()}
        known = {rule.name for rule in RULES}
        unknown = sorted(off - known)
        if unknown:
            raise UsageError(f"Unknown decoding rule `{unknown[0]}`; the rules are: {', '.join(r.name for r in RULES)}.")
        self.on = frozenset(known - off)

    def active(self, kinds: tuple[str, ...]) -> list[DecodingRule]:
        """The rules on that serve a grammar allowing these kinds of answer, in registry order."""
        return [rule for rule in RULES if rule.name in self.on and rule.serves(kinds)]

    def guide(self, asked: Asked) -> Optional[Guide]:
        parts = (rule.guide(asked) for rule in self.active(asked.kinds) if rule.guide is not None)
        return compose(part for part in parts if part is not None)

    def redos(self, stage: Stage, kinds: tuple[str, ...]) -> list[DecodingRule]:
        return [rule for rule in self.active(kinds) if rule.redo is not None and rule.stage == stage]

    def key(self, kinds: tuple[str, ...]) -> list:
        """What the answer depends on of the rules: each active one's name, version and weight."""
        return [[rule.name, rule.version, rule.weight] for rule in self.active(kinds)]
