"""A device the request says to leave as it is stays out of the answer.

"lock the back door but leave the front one" unlocked the front door, "switch every light off, but
not the porch light" switched the porch light off too, "keep the hall light on" wrote hall turn_on
(bench/home_words). The request's sparing words (except, apart from, but not, leave, keep, stays:
nlsh.home.naming.spared) name those devices; writing one is lowered.
"""

from __future__ import annotations

from typing import Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.decoding.rules.devices import Offset, SoFar, device_guide, reading

WEIGHT = 15.0  # logits taken off a device the request spares


def guide(asked: Asked) -> Optional[Guide]:
    read = reading(asked)
    if not read.spared:
        return None

    def at_device(so_far: SoFar) -> Offset:
        def offset(piece: str) -> float:
            cand = (so_far.partial + piece).lstrip()
            match = read.matching(cand) if cand else []
            return -WEIGHT if match and all(i in read.spared for i in match) else 0.0

        return offset

    return device_guide(asked, "device", at_device)


RULE = DecodingRule(
    name="spared-devices", kind="home", version=1, weight=WEIGHT, unit="logits", guide=guide,
    reason='"lock the back door but leave the front one" unlocked the front door; a device the request spares is lowered',
)
