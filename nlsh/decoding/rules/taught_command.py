"""A command the user taught for a request like this one is followed where the model half means it.

Taught `cat ~/notes/todo.md` for "show my todo list" (an edited proposal, nlsh.learned), and asked
"print my todo list", the model sees that pair as an example yet answered `todo list`; "open the build
log" got `git log` next to the taught `less ~/build/out.log`. The model follows an example for some
requests and not others, and on one machine's build not at all for the same requests
(tests/test_model.py, TAUGHT). While the answer so far is the beginning of a taught command, the
token that goes on with it is favoured, and offered even when the model ranks it low; once the
answer leaves it, the model is on its own. A weight, not a copy: a request that shares words with a
taught one but asks something else keeps the model's answer where it prefers another by a wide
margin, and one that asks the opposite ("stop the dev server" next to the taught `npm run dev` for
"start the dev server"; nlsh.words.opposed) gets no weight at all.
"""

from __future__ import annotations

from typing import Optional

from nlsh.decoding.guide import Guide, following
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.words import opposed

BOOST = 5.0


def _guide(asked: Asked) -> Optional[Guide]:
    return following((ex.answer for ex in asked.taught if not opposed(asked.request, ex.instruction)), BOOST)


RULE = DecodingRule(
    name="taught-command", kind="shell", version=1, weight=BOOST, unit="logits", alone=True, guide=_guide,
    reason='taught `cat ~/notes/todo.md` for "show my todo list", "print my todo list" got `todo list`; a taught command the answer has begun is favoured',
)
