"""How people say values and wrap their requests when they speak to a home: numbers in words
("seventy percent"), fractions and extremes ("half", "full brightness", "as loud as it goes"), wake
words ("alexa, ..."), fillers ("um", "so"), asking and thanking, and run-on sentences.

The people's-words generator (finetune.home_spoken) draws on these; everything here is written for
the project.
"""

from __future__ import annotations

import random
import re

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def number_words(n: int, rng: random.Random | None = None) -> str:
    """0..100 in words: "seventy", "twenty one" or "twenty-one", "a hundred"."""
    if not 0 <= n <= 100:
        raise ValueError(n)
    if n < 20:
        return _ONES[n]
    if n == 100:
        return rng.choice(["a hundred", "one hundred", "hundred"]) if rng else "one hundred"
    tens, ones = divmod(n, 10)
    if not ones:
        return _TENS[tens]
    joint = rng.choice([" ", " ", "-"]) if rng else " "
    return f"{_TENS[tens]}{joint}{_ONES[ones]}"


def words_to_number(text: str) -> int | None:
    """The inverse of number_words for the forms it writes (tests read requests back with it)."""
    t = text.lower().replace("-", " ").split()
    if t in (["a", "hundred"], ["one", "hundred"], ["hundred"]):
        return 100
    if len(t) == 1 and t[0] in _ONES:
        return _ONES.index(t[0])
    tens = {v: k for k, v in _TENS.items()}
    if t and t[0] in tens and (len(t) == 1 or (len(t) == 2 and t[1] in _ONES[1:10])):
        return tens[t[0]] * 10 + (_ONES.index(t[1]) if len(t) == 2 else 0)
    return None


# Fractions people say for a level, with the percent they mean.
FRACTIONS: dict[int, tuple[str, ...]] = {
    50: ("half", "half way", "halfway", "fifty percent", "50%"),
    25: ("a quarter", "quarter"),
    75: ("three quarters", "three quarter"),
}


def say_number(n: int, rng: random.Random, words_p: float = 0.6) -> str:
    return number_words(n, rng) if rng.random() < words_p else str(n)


def say_percent(n: int, rng: random.Random, fractions: bool = True) -> str:
    """A percentage as people say it: "70%", "70 percent", "seventy percent", or "half"."""
    if fractions and n in FRACTIONS and rng.random() < 0.6:
        return rng.choice(FRACTIONS[n])
    form = rng.random()
    if form < 0.2:
        return f"{n}%"
    if form < 0.4:
        return f"{n} percent"
    if form < 0.45:
        return f"{number_words(n, rng)} per cent"
    return f"{number_words(n, rng)} percent"


def pick_percent(rng: random.Random) -> int:
    """A level people ask for: mostly round, a fair share of halves and quarters."""
    r = rng.random()
    if r < 0.2:
        return rng.choice([25, 50, 50, 75])
    if r < 0.85:
        return rng.randrange(10, 101, 10) if rng.random() < 0.6 else rng.randrange(5, 100, 5)
    return rng.randint(1, 99)


def say_temperature(t: float, rng: random.Random) -> str:
    """21 -> "21", "twenty one"; 21.5 -> "21.5", "twenty one and a half"."""
    whole = int(t)
    half = t - whole == 0.5
    if rng.random() < 0.55:
        text = number_words(whole, rng)
        return f"{text} and a half" if half else text
    return f"{whole}.5" if half else str(whole)


# -- what wraps a request ---------------------------------------------------------------------------

WAKE_WORDS = ("alexa", "alexa,", "hey google", "hey google,", "ok google", "okay google,", "computer,",
              "hey siri", "siri,", "hey home,", "jarvis,")
OPENERS = ("um", "uh", "um,", "so", "so,", "okay so", "ok", "right,", "hmm", "erm", "oh", "oh,", "actually,",
           "alright", "yeah", "hey", "quick one,", "okay,")
# Put before a request that opens with a verb.
ASKING = ("can you", "could you", "would you", "can you please", "could you please", "please", "will you",
          "i need you to", "go ahead and", "i want you to", "just", "would you please", "can u", "pls")
CLOSERS = (" please", ", please", " thanks", ", thanks", ", thank you", " for me", " for me please", " pls",
           " now", " right now", " thx", " cheers", " if you can", " ta")
FILLERS = ("um", "uh", "like", "erm")
JOINERS = (" and ", " and ", " and then ", ", and also ", " and also ", ", oh and ", " then ", ". also ", " plus ",
           " and um ", ", then ", " & ", " and after that ", ", and ", ". and ")

# Verbs a request may open with, so that "can you" reads: "can you turn off ...", never "can you kitchen light off".
IMPERATIVE = frozenset(
    """turn switch set put make dim brighten lower raise open close shut lock unlock start stop pause resume play skip
    mute unmute kill bring get boil run send water light give change crank bump drop take let pull flick fire
    activate arm disarm warm cool heat hold carry go leave dock switch_on power""".split())


def decorate(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """Wrap a request the way speech does: a wake word, an opener, an ask, a filler inside, a closing
    "please". Returns the new text and what was added (for the generator's coverage counts)."""
    added: list[str] = []
    opens_with_verb = text.split(" ", 1)[0].lower() in IMPERATIVE
    if opens_with_verb and rng.random() < 0.35:
        text = f"{rng.choice(ASKING)} {text}"
        added.append("ask")
    if rng.random() < 0.08:
        words = text.split()
        if len(words) >= 4:
            at = rng.randrange(1, len(words) - 1)
            words.insert(at, rng.choice(FILLERS))
            text = " ".join(words)
            added.append("filler")
    if rng.random() < 0.3:
        text = f"{rng.choice(OPENERS)} {text}"
        added.append("filler")
    if rng.random() < 0.35:
        text = f"{rng.choice(WAKE_WORDS)} {text}"
        added.append("wake")
    if rng.random() < 0.3 and not re.search(r"\b(please|pls|thanks)$", text):
        text += rng.choice(CLOSERS)
        added.append("please")
    return text, added


def finish(text: str, rng: random.Random) -> str:
    """Spoken text as a transcript or a typist writes it: mostly lower case, sometimes capitalised,
    sometimes closed with a full stop, "!" or "?"."""
    text = " ".join(text.split())
    if rng.random() < 0.3:
        text = text[:1].upper() + text[1:]
    r = rng.random()
    if r < 0.12:
        text += "."
    elif r < 0.16:
        text += "!"
    elif r < 0.19 and re.match(r"(?i)(can|could|would|will)\b", text):
        text += "?"
    return text


def join_run_on(parts: list[str], rng: random.Random) -> str:
    out = parts[0]
    for p in parts[1:]:
        out += rng.choice(JOINERS) + p
    return out
