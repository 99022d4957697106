"""A colour, mode or amount the request says is the one written.

"teal" became aliceblue and "cooling" fan_only: the model writes a value the request did not say.
Amounts said as parts of the whole go the same way: "blinds halfway" got position=0, "a quarter
brightness" 40, "as bright as possible" brightness_pct=1 (the 1 of a 0-1 scale). Where the request
says one or more values of such an argument (nlsh.home.naming.said_values), the others are lowered.
"""

from __future__ import annotations

import re
from typing import Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.decoding.rules.devices import Offset, SoFar, device_guide, reading

WEIGHT = 10.0  # logits taken off a value the request does not say when it says one
_VALUE = re.compile(r"[a-z_0-9.]*")


def guide(asked: Asked) -> Optional[Guide]:
    read = reading(asked)
    if not read.values:
        return None

    def at_action(so_far: SoFar) -> Offset:
        arg, eq, sofar = so_far.partial.rsplit(" ", 1)[1].partition("=")
        if not (eq and arg in read.values):
            return None
        said = read.values[arg]

        def offset(piece: str) -> float:
            cand = sofar + piece
            value = _VALUE.match(cand).group()
            ended = len(value) < len(cand) or not piece
            ok = value in said if ended else any(s.startswith(value) for s in said)
            return 0.0 if ok else -WEIGHT

        return offset

    return device_guide(asked, "action", at_action)


RULE = DecodingRule(
    name="said-values", kind="home", version=2, weight=WEIGHT, unit="logits", guide=guide,
    reason='"teal" became aliceblue, "blinds halfway" position=0; where the request says a colour, mode or amount, other values are lowered',
)
