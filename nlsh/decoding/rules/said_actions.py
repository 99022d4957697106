"""An action the request's words say is the one written.

"unpause whatever's on the tv" came out media_pause, "the music is way too loud" volume_set 1,
"vacuum go charge" start, "turn off the desk lamp and then the office fan" the fan on (bench/
home_words). Where the request says actions of a device's domain (nlsh.home.naming.said_actions:
its words for them, and the setting actions where it says a number or a value), the domain's other
actions are lowered; a domain it says nothing for is the model's.
"""

from __future__ import annotations

import re
from typing import Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.decoding.rules.devices import Offset, SoFar, answer_so_far, device_guide, reading

WEIGHT = 12.0  # logits taken off an action of a domain the request says other actions for
_ACTION = re.compile(r"[a-z_]*")


def guide(asked: Asked) -> Optional[Guide]:
    read = reading(asked)
    if not read.actions:
        return None

    def anywhere(so_far: SoFar) -> Offset:
        def offset(piece: str) -> float:
            cand = (so_far.partial + piece).lstrip()
            device, space, action = cand.partition(" ")
            said = read.actions.get(read.domain.get(device, ""))
            if not (space and said and action.strip()):
                return 0.0
            name = _ACTION.match(action).group()
            ended = len(name) < len(action) or not piece
            ok = name in said if ended else any(a.startswith(name) for a in said)
            return 0.0 if ok else -WEIGHT

        return offset if " " not in so_far.partial.partition(" ")[2] else None

    def wanted(text: str) -> list[str]:
        """The said actions' rest, offered even where the model ranks them low ("i can barely hear
        the music" had volume_up below the 16 candidates the priors re-rank)."""
        so_far = answer_so_far(text, asked)
        if so_far is None or not so_far.partial:
            return []
        device, space, action = so_far.partial.partition(" ")
        said = read.actions.get(read.domain.get(device, ""), set())
        if " " in action:
            return []
        lead = "" if space else " "
        return [lead + a[len(action):] for a in sorted(said) if a.startswith(action) and a != action]

    return Guide(prior=device_guide(asked, "both", anywhere).prior, wanted=wanted)


RULE = DecodingRule(
    name="said-actions", kind="home", version=1, weight=WEIGHT, unit="logits", guide=guide,
    reason='"unpause whatever\'s on the tv" came out media_pause; where the request says actions of a domain, its other actions are lowered',
)
