"""Phrase patterns: one line that stands for many wordings of a request.

`(a|b|c)` picks one alternative, `[x]` and `(x)?` may leave x out, `{slot}` is a value of the task. People type
"find pngs bigger than 2mb in photos" as often as "list png files over 2 MB under photos", so each
template carries a few patterns and every verified command gets several distinct wordings of them.
"""

from __future__ import annotations

import random
import re

# A parsed pattern: a sequence whose items are text or a choice among sequences.
Seq = list  # list[str | list[Seq]]


def parse(pattern: str) -> Seq:
    seq, pos = _parse_seq(pattern, 0, "")
    if pos != len(pattern):
        raise ValueError(f"unbalanced pattern: {pattern!r}")
    return seq


def _parse_seq(p: str, pos: int, closer: str) -> tuple[Seq, int]:
    """Items up to an unmatched closer (`)`/`]`) or, inside a choice, a `|`."""
    seq: Seq = []
    text = ""
    while pos < len(p):
        c = p[pos]
        if c in "([":
            if text:
                seq.append(text)
                text = ""
            alts, pos = _parse_choice(p, pos + 1, ")" if c == "(" else "]")
            optional = c == "[" or p.startswith("?", pos)  # `(the )?` as in a regular expression
            pos += p.startswith("?", pos) and c == "("
            seq.append(alts + ([[]] if optional else []))
            continue
        if c in ")]|":
            if not closer:
                raise ValueError(f"unbalanced pattern: {p!r}")
            break
        text += c
        pos += 1
    if text:
        seq.append(text)
    return seq, pos


def _parse_choice(p: str, pos: int, closer: str) -> tuple[list[Seq], int]:
    alts = []
    while True:
        seq, pos = _parse_seq(p, pos, closer)
        alts.append(seq)
        if pos >= len(p):
            raise ValueError(f"unbalanced pattern: {p!r}")
        if p[pos] == "|":
            pos += 1
            continue
        if p[pos] != closer:
            raise ValueError(f"unbalanced pattern: {p!r}")
        return alts, pos + 1


def _sample(seq: Seq, rng: random.Random) -> str:
    out = []
    for item in seq:
        out.append(item if isinstance(item, str) else _sample(rng.choice(item), rng))
    return "".join(out)


def _expand(seq: Seq) -> list[str]:
    results = [""]
    for item in seq:
        options = [item] if isinstance(item, str) else [s for alt in item for s in _expand(alt)]
        results = [r + o for r in results for o in options]
    return results


def tidy(text: str) -> str:
    """One space between words, none before punctuation that ends a clause."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([,?])", r"\1", text)


def expand(pattern: str) -> list[str]:
    """Every wording a pattern stands for (slots left in), for tests and counting."""
    return sorted({tidy(s) for s in _expand(parse(pattern))})


def sample(pattern: str, rng: random.Random) -> str:
    return tidy(_sample(parse(pattern), rng))


_SLOT = re.compile(r"\{(\w+)\}")


def slots(text: str) -> set[str]:
    return set(_SLOT.findall(text))


def fill(text: str, values: dict[str, str | list[str]], rng: random.Random) -> str:
    """Put the task's values into a wording; a slot with several spellings ("in photos", "under
    photos/") takes one at random."""

    def one(m: re.Match) -> str:
        v = values[m.group(1)]
        return v if isinstance(v, str) else rng.choice(v)

    return tidy(_SLOT.sub(one, text))
