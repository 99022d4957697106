"""A colour the request says goes to the lights that take one, and is written.

"can the lights go green", in a home where some lights take a colour and the kitchen light does not,
got `light.kitchen turn_on`: the one light that cannot be green, and no colour at all; "the lounge in
green" got `light.lounge turn_on brightness_pct=75` (bench/home_words). The grammar already keeps a
colour off a light without the feature, so the model drops the colour instead. Where the request
says a colour, the devices that cannot take one are lowered, unless the request names them ("bed lamp
red and the bedroom light off"); and once a light that takes a colour is turned on, writing the
colour is favoured (said-values then picks the one said).
"""

from __future__ import annotations

from typing import Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.decoding.rules.devices import Offset, SoFar, device_guide, reading
from nlsh.home.catalog import allowed_actions, allowed_args
from nlsh.home.naming import MENTIONED

WEIGHT = 5.0  # logits off a device that cannot take the colour, and for writing it on one that can
_COLOURED = "turn_on color_name="


def takes(device, arg: str) -> bool:
    """Whether some action of the device accepts the argument."""
    return any(arg in allowed_args(a, device.features) for a in allowed_actions(device.domain, device.features))


def guide(asked: Asked) -> Optional[Guide]:
    read = reading(asked)
    if "color_name" not in read.values or asked.registry is None:
        return None
    registry = asked.registry
    colourless = {d.id for d in registry.devices if not takes(d, "color_name") and read.scores[d.id] < MENTIONED}

    def at(so_far: SoFar) -> Offset:
        if not so_far.past_device:
            def lower(piece: str) -> float:
                cand = (so_far.partial + piece).lstrip()
                match = read.matching(cand) if cand else []
                return -WEIGHT if match and all(i in colourless for i in match) else 0.0

            return lower
        device, _, action = so_far.partial.partition(" ")
        d = registry.get(device)
        if d is None or not takes(d, "color_name") or not (7 <= len(action) < len(_COLOURED) and _COLOURED.startswith(action)):
            return None

        def colour(piece: str) -> float:
            grown = action + piece
            return WEIGHT if piece and (_COLOURED.startswith(grown) or grown.startswith(_COLOURED)) else 0.0

        return colour

    return device_guide(asked, "both", at)


RULE = DecodingRule(
    name="colour-lights", kind="home", version=1, weight=WEIGHT, unit="logits", guide=guide,
    reason='"can the lights go green" got light.kitchen turn_on, a light without colour and no colour; a said colour goes to lights that take one',
)
