"""A line bash would read on past is not ended there: an `if` gets its `fi`.

Trained on five such compounds in 30,000 commands, the model ends "if notes.txt is a file echo it is
there, else echo not there" as `if [ -f x ]; then echo yes` without its `fi`; barred from ending, it
writes `; fi`. The same holds for a `do` without its `done` and a trailing `|` or `&&`.
"""

from __future__ import annotations

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.validator.parse import ParseError, parse_command


def cut_short(text: str) -> bool:
    """True where bash would read on past the end of the answer so far: an `if` without its `fi`,
    a `do` without its `done`, a trailing `|` or `&&`. Trained on five such compounds in 30,000
    commands, the model ends `if [ -f x ]; then echo yes` there; barred from ending, it writes `; fi`."""
    if not text.strip():
        return False
    try:
        parse_command(text)
    except ParseError as error:
        return "unexpected EOF" in str(error)
    except Exception:  # bashlex has more ways to fail than it documents; those are no sign of either
        return False
    return False



def guide(asked: Asked) -> Guide:  # noqa: ARG001 - the same for every request
    return Guide(go_on=cut_short)


RULE = DecodingRule(
    name="close-compounds", kind="shell", version=1, alone=True, guide=guide,
    reason='"use if to check whether a file exists" ended if [ -f x ]; then echo yes without fi; an answer does not end where bash reads on',
)
