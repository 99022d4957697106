"""What a decoding rule is: a named, switchable fix for a way the small model goes wrong, with the
example that motivated it. The rules themselves live in nlsh.decoding.rules, one file each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Optional

from nlsh.decoding.guide import Guide
from nlsh.home.registry import Registry
from nlsh.prompt import Example

# When a re-decoding rule runs: `repair` on the model's first answer (which may be unfinished),
# `fallback` when there is still no finished answer of any kind, `refine` on a finished answer of
# the rule's kind.
Stage = Literal["repair", "fallback", "refine"]
ANY = "any"  # the kind of a rule that serves every kind of answer


@dataclass(frozen=True)
class DecodingRule:
    name: str  # the off switch: config `rules_off = [NAME]`, Translator(rules_off=[NAME])
    kind: str  # the kind of answer it serves ("shell", "home") or ANY
    reason: str  # the failure it was added for: the request and what the model answered
    version: int  # raised when what the rule does changes; part of the translation cache key
    weight: Optional[float] = None  # its one tunable number (see `unit`); part of the cache key
    unit: str = ""  # what the weight counts: "logits", "re-decodes", ...
    # Applies only where its kind is the only kind of answer the grammar allows (the shell rules
    # were made for shell-only prompts; with a device listing the device rules steer).
    alone: bool = False
    # A decoding hint for the request: a Guide with the parts this rule fills in, or None.
    guide: Optional[Callable[["Asked"], Optional[Guide]]] = None
    # Decoding again: (nlsh.decoding.decoder.Decoding, the answer so far) -> the answer to keep.
    redo: Optional[Callable[[Any, Any], Any]] = None
    stage: Stage = "refine"
    # Needs the model's logits at each step, or decodes again under them: off where a model server
    # decodes (nlsh.server), which returns finished text. A guide's cut alone does not.
    logits: bool = True

    def serves(self, kinds: tuple[str, ...]) -> bool:
        """Whether the rule applies where the grammar allows these kinds of answer."""
        if self.kind == ANY:
            return True
        return kinds == (self.kind,) if self.alone else self.kind in kinds


@dataclass(frozen=True)
class Asked:
    """What a rule may read about the request being decoded."""

    request: str  # as the model reads it (nlsh.prompt.as_read)
    kinds: tuple[str, ...]  # the kinds of answer the grammar allows
    on: frozenset[str] = field(default_factory=frozenset)  # the names of the rules switched on
    registry: Optional[Registry] = None
    # A decode after the registry refuted the model's no_device answer: the devices its phrase names
    # (nlsh.decoding.rules.refuted_no_device).
    no_device_refuted: tuple[str, ...] = ()
    # The (request, command) pairs the user taught for requests like this one, shown in the prompt
    # as examples (nlsh.retrieval.Retriever.taught), most alike first.
    taught: tuple[Example, ...] = ()

    def alone(self, kind: str) -> bool:
        return self.kinds == (kind,)
