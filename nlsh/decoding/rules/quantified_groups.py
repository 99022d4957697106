"""A group the request names with a quantifier is written whole, in registry order.

"lock all the locks" locked two of three, and "lock all locks and turn on the den lamp" locked the
gym and moved on to the lamp. Once an answer has begun such a group ("all the locks", "every light"),
ending it or writing anything but the group's next member is lowered until every member is in; a
group that has not begun begins with its first member. The request and the registry fix the set, so
this is all but a constraint: on 19 such items of a dev set the model's margins for stopping early
or leaving the group ran to 13 logits.
"""

from __future__ import annotations

from typing import Callable, Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.decoding.rules.devices import Offset, Reading, SoFar, device_guide, reading

WEIGHT = 30.0


def guide(asked: Asked) -> Optional[Guide]:
    return group_guide(asked, reading(asked).groups)


def group_guide(asked: Asked, groups: list[list[str]]) -> Optional[Guide]:
    """Each of these groups written whole once begun, in registry order."""
    if not groups:
        return None
    read = reading(asked)

    def unfinished(used: set[str]) -> list[list[str]]:
        return [g for g in groups if used & set(g) and not set(g) <= used]

    def anywhere(so_far: SoFar) -> Offset:
        if not so_far.past_device:
            return _next_member(read, groups, unfinished(so_far.used), so_far.partial, so_far.used)
        arg, eq, value = so_far.partial.rsplit(" ", 1)[1].partition("=")
        if not unfinished(so_far.used | {so_far.partial.split()[0]}):
            return None
        if eq and arg in read.values and "said-values" in asked.on and value not in read.values[arg]:
            return None  # a value the request says is being written: that rule has the say
        # no end inside the group ("can the lights go red" ended after the first colour light)
        return lambda piece: -WEIGHT if piece == "" or "\n" in piece else 0.0

    return device_guide(asked, "both", anywhere)


def _next_member(read: Reading, groups: list[list[str]], pending: list[list[str]], partial: str,
                 used: set[str]) -> Optional[Callable[[str], float]]:
    """At a device id: an unfinished group's next member, and a group that has not begun begins
    with its first member."""
    if pending:
        rest = [i for i in pending[0] if i not in used]
        wanted, shunned = rest[0], None
    else:
        unbegun = [g for g in groups if not used & set(g)]
        if not unbegun:
            return None
        wanted, shunned = None, unbegun

    def offset(piece: str) -> float:
        cand = (partial + piece).lstrip()
        if not cand:
            return 0.0
        match = read.matching(cand)
        if wanted is not None:
            return 0.0 if wanted in match else -WEIGHT
        late = any(match and set(match) <= set(g) and g[0] not in match for g in shunned)
        return -WEIGHT if late else 0.0

    return offset


RULE = DecodingRule(
    name="quantified-groups", kind="home", version=1, weight=WEIGHT, unit="logits", guide=guide,
    reason='"lock all the locks" locked two of three locks; a group named with all/every/each/both is written whole, in registry order',
)
