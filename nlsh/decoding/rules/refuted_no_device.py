"""A no_device answer the registry refutes is decoded again, with no_device lowered.

"lock all the locks" in a small home came out as no_device "lock.front-door" (exit 4): the phrase is
the id of a device the home has, written with a hyphen. The registry's own resolver says the device
is there ("kids room lights" in a home that has Kids Room Lights; the model sometimes names the id it
did not dare write, or the device with the value it was to set: "porch thermostat fan-only"), so the
answer is decoded again as a device answer, beginning it with no_device lowered and the devices the
phrase names favoured. A word for what a device does counts ("pause the music" answered no_device
"music" in a home with one speaker; nlsh.home.kinds). A phrase that names no device
at all ("guests are here, open the gate" answered no_device "guests") is wrong about the one device
the request names outright, if it names one (nlsh.home.naming.named_outright); a phrase naming a
device the home lacks ("turn on the garage heater") stands, whatever else the request names.

Only a phrase that names exactly one device, or a group in the plural ("the kitchen lights"), is
refuted. "fan" in a home with two fans names one of them without saying which: no_device is what
training teaches there, and the refusal asks which (nlsh.home.answer); decoding again would only
push the model to pick one.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from nlsh.decoding.guide import Guide, compose, following
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.home.answer import NO_DEVICE, no_device_phrase, several_in_the_singular
from nlsh.home.grammar import home_grammar
from nlsh.home.naming import names_a_device, named_outright, without_said_values

WEIGHT = 30.0  # logits taken off beginning the answer again with no_device
# Logits for beginning it again with a device the phrase named: with no_device lowered alone, "i'd
# kill for a coffee" (no_device "coffee", a home with one coffee maker) went on to arm the alarm.
NAMED_WEIGHT = 5.0


def refuted(text: str, registry, request: str = "") -> list[str]:
    """The ids of the devices a no_device answer is wrong about: those its words name, where they
    name one device the registry has or a group of its devices in the plural; else, where its words
    name no device at all, the one device or group the request names outright; else none."""
    phrase = no_device_phrase(text)
    if not phrase:
        return []
    as_id = re.sub(r"[-\s]+", "_", phrase.lower())
    if as_id in registry:
        return [as_id]
    for words in dict.fromkeys((phrase, without_said_values(phrase))):
        named = registry.resolve(words) if words.strip() else []
        if named and not several_in_the_singular(words, named):
            return [d.id for d in named]
    groups = named_outright(registry, request) if request and not names_a_device(phrase) else []
    return groups[0] if len(groups) == 1 else []


def redo(decoding, generation):
    asked = decoding.asked
    usable = decoding.grammar is not None and asked.registry is not None
    named = refuted(generation.text, asked.registry, asked.request) if usable else []
    if not named:
        return generation
    return decoding.again(home_grammar(asked.registry), kinds=("home",), no_device_refuted=tuple(named))


def guide(asked: Asked) -> Optional[Guide]:
    if not asked.no_device_refuted:
        return None

    def prior(text: str) -> Optional[Callable[[str], float]]:
        if text.strip():
            return None

        def offset(piece: str) -> float:
            cand = piece.lstrip()
            return -(WEIGHT if cand and (NO_DEVICE.startswith(cand) or cand.startswith(NO_DEVICE)) else 0.0)

        return offset

    return compose([Guide(prior=prior), following(asked.no_device_refuted, NAMED_WEIGHT)])


RULE = DecodingRule(
    name="refuted-no-device", kind="home", version=3, weight=WEIGHT, unit="logits", guide=guide, redo=redo,
    stage="repair",
    reason='"lock all the locks" answered no_device "lock.front-door" in a home with that lock; a no_device the registry refutes is decoded again',
)
