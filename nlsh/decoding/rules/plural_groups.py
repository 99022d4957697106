"""A plural with a place names every device of that kind there, written whole.

"bedroom lights out" switched off the bedside lamp and left the ceiling light on, "kill the office
lights" one of the two, "kitchen lights both on" one (bench/home_words). A plural with a place ("the
bedroom lights", "office lights off") or a quantifier after the noun ("kitchen lights both on") names
a group the registry fixes, written whole as quantified-groups writes "all the bedroom lights". A
plural that a device's own name matches ("the porch lights" for Porch Lights) stays that device, and
"the lights" alone is left to the model.
"""

from __future__ import annotations

from typing import Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.decoding.rules.devices import reading
from nlsh.decoding.rules.quantified_groups import WEIGHT, group_guide


def guide(asked: Asked) -> Optional[Guide]:
    return group_guide(asked, reading(asked).plural_groups)


RULE = DecodingRule(
    name="plural-groups", kind="home", version=1, weight=WEIGHT, unit="logits", guide=guide,
    reason='"bedroom lights out" switched off one of the two bedroom lights; a plural with a place is every such device there',
)
