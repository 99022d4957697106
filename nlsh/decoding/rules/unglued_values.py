"""A value the request quotes is never glued onto an option cluster.

Asked "search for 'TODO:' in main.py", the model wrote `grep -rlTODO main.py`, which grep reads as
-r -l -T -O -D O and refuses. A piece is barred there when it is three or more letters of such a
value, or the whole of it; one or two letters may be options themselves (`-rin`). A single option
letter is left alone, as some take their value glued on (`mysql -p'secret'`).
"""

from __future__ import annotations

import re
from typing import Callable

from nlsh.decoding.guide import Guide, Prior
from nlsh.decoding.rule import Asked, DecodingRule

# Far below any candidate's logit: the piece is never written, the model's next choice is.
BARRED = -1e9
# The answer so far ends in a cluster of option letters (`grep -rl`).
_CLUSTER_END = re.compile(r"(?:^|\s)-[a-z]{2,}$")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")


def quoted_words(request: str) -> set[str]:
    """The first word of each value the request quotes ("search for 'def main' in src": def)."""
    found = set()
    for m in _QUOTED.finditer(request):
        words = (m.group(1) or m.group(2)).split()
        if words and words[0][:1].isalnum() and len(words[0]) >= 3:
            found.add(words[0])
    return found


def unglued_values(request: str) -> Prior:
    """Never a quoted value of the request glued onto an option cluster: asked "search for 'TODO:'
    in main.py", the model wrote `grep -rlTODO main.py`, which grep reads as -r -l -T -O -D O and
    refuses. A piece is barred there when it is three or more letters of such a value, or the whole
    of it; one or two letters may be options themselves (`-rin`). A single option letter is left
    alone, as some take their value glued on (`mysql -p'secret'`)."""
    values = quoted_words(request)

    def prior(text: str) -> Callable[[str], float] | None:
        if not values or not _CLUSTER_END.search(text):
            return None

        def offset(piece: str) -> float:
            glued = any((len(piece) >= 3 and v.startswith(piece)) or piece.startswith(v) for v in values)
            return BARRED if glued else 0.0

        return offset

    return prior




def guide(asked: Asked) -> Guide:
    return Guide(prior=unglued_values(asked.request))


RULE = DecodingRule(
    name="unglued-values", kind="shell", version=1, weight=BARRED, unit="logits", alone=True, guide=guide,
    reason="\"search for 'TODO:' in main.py\" gave grep -rlTODO main.py; a quoted value is never glued onto an option cluster",
)
