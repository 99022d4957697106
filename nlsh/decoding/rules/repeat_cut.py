"""A device answer ends where its first repeated action would begin.

"lock all the locks" became the same two locks five times. Only finished actions count: those
followed by the separator, and the last one once the answer is done.
"""

from __future__ import annotations

from typing import Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.home.answer import NO_DEVICE, SEPARATOR, is_home_answer


def repeat_cut(text: str, done: bool) -> Optional[int]:
    """Where a device answer should end when an action repeats an earlier one (None: it does not)."""
    if not is_home_answer(text) or text.lstrip().startswith(NO_DEVICE):
        return None
    seen: set[str] = set()
    start = 0
    parts = text.split(";")
    finished = parts if done else parts[:-1]
    for part in finished:
        action = " ".join(part.split())
        if action in seen:
            return max(0, start - 1)  # just before the separator that led into the repeat
        seen.add(action)
        start += len(part) + 1
    return None


def guide(asked: Asked) -> Guide:  # noqa: ARG001 - the same for every request
    return Guide(cut=repeat_cut, cut_on=SEPARATOR.strip().encode())


RULE = DecodingRule(
    name="repeat-cut", kind="home", version=1, guide=guide, logits=False,
    reason='"lock all the locks" became the same two locks five times; an answer ends before its first repeated action',
)
