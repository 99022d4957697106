"""A device answer ends once every device the request names is in it.

"kill both tvs" went on to the speaker, "all the speakers off" to the TV, "alexa lock the front door
please" to a light, "kettle off, i changed my mind" to the heat pump: of the answers to people's
words that were wrong, one in four was right but for devices added after (bench/home_words). Once
the devices the request names outright (nlsh.home.naming.named_devices: its well-named devices,
the groups it names, what its words for an activity mean) are all written, going on to another
action is lowered; where it names a group ("the bedroom lights", "every light but the porch"),
beginning a device it does not name is lowered too while a named one is missing. Where the request
names no device, the model decides as before.
"""

from __future__ import annotations

from typing import Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.decoding.rules.devices import Offset, SoFar, device_guide, reading
from nlsh.home.answer import SEPARATOR

WEIGHT = 12.0  # logits taken off going on to another action once every named device is written
_ON = SEPARATOR.strip()


def guide(asked: Asked) -> Optional[Guide]:
    read = reading(asked)
    if not read.named:
        return None

    grouped = bool(read.groups or read.plural_groups)

    def anywhere(so_far: SoFar) -> Offset:
        if not so_far.past_device:
            if not grouped or read.named <= so_far.used:
                return None

            # A group the request names fixes what it names: "bedroom lights out" began with the
            # bathroom light, "every light off except the landing one" with the landing light.
            def offset(piece: str) -> float:
                cand = (so_far.partial + piece).lstrip()
                match = read.matching(cand) if cand else []
                return -WEIGHT if match and not any(i in read.named for i in match) else 0.0

            return offset
        device = so_far.partial.split()[0]
        if device not in read.domain or not read.named <= so_far.used | {device}:
            return None
        return lambda piece: -WEIGHT if _ON in piece else 0.0

    return device_guide(asked, "both", anywhere)


RULE = DecodingRule(
    name="named-end", kind="home", version=1, weight=WEIGHT, unit="logits", guide=guide,
    reason='"kill both tvs" went on to switch the speaker off; once every device the request names is written, going on is lowered',
)
