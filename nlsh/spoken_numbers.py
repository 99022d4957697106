"""Numbers said in words, written in digits: "sixty percent" -> "60 percent".

People say numbers ("hall light sixty percent bright", "heat pump at twenty one and a half degrees",
"show the last twenty lines"); the model, trained mostly on digits, copied the first digit it could
(`brightness_pct=6` for "sixty", `volume_level=0.05` for "thirty five percent", bench/home_words).
A number in digits is copied whole. Only numbers that are surely numbers change: ten and above,
or two to nine followed by a unit ("two percent", "five minutes"), or zero and one followed by
percent or degrees. "The old one", "compare two files", "zero byte files", quoted values and
names (`notes-twenty.txt`) stay as written.
"""

from __future__ import annotations

import re

_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
# "zero" and "one" go to digits only before these: "zero byte files", "one line each" (git's
# --oneline) and "in one day" read as the idioms they are
_MEASURES = r"per\s*cent|percent|%|degrees?|°"
_MEASURE = re.compile(_MEASURES)
_UNIT = (_MEASURES + r"|minutes?|mins?|seconds?|secs?|hours?|hrs?|days?|weeks?"
         r"|lines?|bytes?|kb|mb|gb|kilobytes?|megabytes?|gigabytes?")

_SMALL_RE = "|".join(sorted(_SMALL, key=len, reverse=True))
_TENS_RE = "|".join(_TENS)
# "a hundred", "one hundred", "twenty five", "twenty-five", "seventy", "twelve"; "and a half" after it
_NUMBER = re.compile(
    rf"(?<![-_./\w])(?:(?P<hundred>(?:a|one)\s+hundred)|(?P<tens>{_TENS_RE})(?:[\s-]+(?P<ones>{_SMALL_RE}))?|(?P<small>{_SMALL_RE}))"
    rf"(?P<half>\s+and\s+a\s+half)?\b(?![-_./]\w)(?=(?P<unit>\s*(?:{_UNIT})\b)?)",
    re.IGNORECASE,
)


def _value(m: re.Match) -> float | None:
    if m["hundred"]:
        return 100
    if m["tens"]:
        ones = _SMALL[m["ones"].lower()] if m["ones"] else 0
        return _TENS[m["tens"].lower()] + ones if ones < 10 else None  # "twenty twelve" is not a number
    return _SMALL[m["small"].lower()]


def _digits(m: re.Match) -> str:
    value = _value(m)
    unit = (m["unit"] or "").strip().lower()
    if value is None or (value < 10 and not unit) or (value < 2 and not _MEASURE.match(unit)):
        return m[0]
    if m["half"]:
        return f"{value}.5"
    return str(value)


# a quoted value is the user's own text ("echo 'twenty dollars'"): it stays as written
_QUOTED = re.compile(r"('[^']*'|\"[^\"]*\")")


def spoken_numbers(text: str) -> str:
    """The text with its surely-numeric number words in digits, quoted values and names left alone."""
    parts = _QUOTED.split(text)
    return "".join(part if i % 2 else _NUMBER.sub(_digits, part) for i, part in enumerate(parts))
