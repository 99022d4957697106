"""How a request names devices and values, read against a registry: which devices its words cover
and where it says them, the groups it names with a quantifier ("all the locks"), the colours and
modes it says. The device decoding rules (nlsh.decoding.rules) steer by it, and a no_device answer
is refuted with it.
"""

from __future__ import annotations

from functools import lru_cache

from nlsh.home.answer import several_in_the_singular
from nlsh.home.catalog import CSS3_COLORS, DOMAINS, HVAC_WORDS
from nlsh.home.kinds import ACTIVITY_KINDS, activities
from nlsh.home.registry import DEVICE_NOUNS, LEADING_WORDS, Device, Registry, is_plural, plain_words

# A device the request names this well (coverage) is one it names: its place in the request counts.
MENTIONED = 0.75
QUANTIFIERS = frozenset({"all", "every", "each", "both"})


def singular(word: str) -> str:
    """A word without its plural s ("lights": light). Only that: device names are matched word for
    word against what a request says, and the retriever's stemmer (nlsh.words.stem) would also join
    "lighting" to "light" or "heater" to "heat", which name other devices."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# Words that name nothing: an alias "the glow" must not make every request with "the" name it.
_FILLER = frozenset({"the", "a", "an", "my", "our", "your", "of"})


def stems(text: str) -> set[str]:
    """The words of a text (normalised, in the singular) that can name a device."""
    return {singular(w) for w in plain_words(text).split() if w not in _FILLER}


# Nouns any device of a domain may be called by ("light", "switch", "lock") say little about which
# device is meant: a name's own words weigh four times as much.
NOUN_WEIGHT = 0.25
# "The kitchen lights" means every light in the kitchen, but a device named by its own words ("the
# attic lamp") is a better match than every attic light is.
AREA_FACTOR = 0.75


@lru_cache(maxsize=None)
def _nouns(domain: str) -> frozenset[str]:
    return frozenset(singular(w) for w, (dom, _) in DEVICE_NOUNS.items() if dom == domain)


def _descriptions(d: Device) -> list[tuple[set[str], float]]:
    """The word sets a request may use for a device, each with the most it can score: its name, its
    id, each alias, what it is for, and its area with a noun of its domain."""
    nouns = _nouns(d.domain)
    out = [(stems(d.name), 1.0), (stems(d.object_id), 1.0), *((stems(a), 1.0) for a in d.aliases)]
    # what it is for ("pause the music" names the speaker), as surely as its name
    out += [({singular(w)}, 1.0) for w in activities(d)]
    if d.area:
        out += [(stems(d.area) | {n}, AREA_FACTOR) for n in nouns]
    return [(words, top) for words, top in out if words]


def coverage(d: Device, said: set[str]) -> float:
    """How fully the request's words hold one of the device's descriptions (0..1), the best one."""
    nouns = _nouns(d.domain)
    if said & nouns:
        said = said | nouns  # "the den lamp" is the den light: any noun of the domain will do
    descriptions = _descriptions(d)
    weight = {w: NOUN_WEIGHT if w in nouns else 1.0 for words, _ in descriptions for w in words}
    best = 0.0
    for words, top in descriptions:
        total = sum(weight[w] for w in words)
        best = max(best, top * sum(weight[w] for w in words & said) / total)
    return best


def mentions(d: Device, words: list[str]) -> set[int]:
    """Where the request (its normalised words) says a word of the device's own, one that is not a
    noun of its domain: the places the device comes in the request's order."""
    own = set().union(*(w for w, _ in _descriptions(d))) - _nouns(d.domain)
    return {i for i, w in enumerate(words) if singular(w) in own}


def spent(domain: str, written: list[str]) -> bool:
    """True when every action of the domain would repeat or contradict an action written for the
    device already, so the validator would refuse any further action on it."""
    spec = DOMAINS.get(domain)
    if spec is None or not written:
        return False
    clash = lambda a, w: a == w or any(a in g and w in g for g in spec.exclusive)
    return all(any(clash(a, w) for w in written) for a in spec.actions)


def quantified_groups(registry: Registry, request: str) -> list[list[str]]:
    """The device ids of each group the request names with a quantifier ("lock all the locks",
    "every light in the kitchen"), in registry order; only groups of two or more."""
    return named_groups(registry, request)[0]


def named_groups(registry: Registry, request: str) -> tuple[list[list[str]], list[list[str]]]:
    """The groups the request names, in one reading: those named with a quantifier (as
    quantified_groups), and the others a plural with a place names ("the bedroom lights", "office
    lights off") or a plural with a quantifier after it ("kitchen lights both on").

    The second kind is its own rule's (plural-groups): in home-llm's phrasing "the porch lights" is
    often the one device named Porch Light (a name the registry matches first, so no group).
    """
    words = plain_words(request).split()
    quantified: list[list[str]] = []
    plural: list[list[str]] = []
    for j, word in enumerate(words):
        if word not in DEVICE_NOUNS:
            continue
        before = QUANTIFIERS & set(words[max(0, j - 3) : j])
        if not (before or QUANTIFIERS & set(words[j + 1 : j + 3]) or is_plural(word)):
            continue
        found, span = _named_at(registry, words, j)
        if len(found) < 2 or not before and len(span) < 2:
            continue  # one device; or "the lights" alone: which lights is the model's to say
        (quantified if before else plural).append([d.id for d in found])
    return quantified, [g for g in plural if g not in quantified]


def _named_at(registry: Registry, words: list[str], j: int) -> tuple[list[Device], list[str]]:
    """The devices named by the widest phrase ending at the noun words[j] ("all the kitchen
    lights"), or by the noun with a place after it ("all the lights in the kitchen"), and the
    phrase's words without the leading ones that name nothing (all, the, my ...)."""
    spans = [words[i : j + 1] for i in range(max(0, j - 5), j + 1)]
    if j + 1 < len(words) and words[j + 1] in ("in", "on", "at"):
        spans = [words[j:k] for k in range(min(len(words), j + 6), j + 2, -1)] + spans
    for span in spans:
        found = registry.resolve(" ".join(span))
        if found:
            return found, [w for w in span if w not in LEADING_WORDS]
    return [], []


# Words that may follow a noun that ends its phrase: "open the gate please", "the gate for the van";
# not "the garage heater", where "garage" says which heater.
_AFTER_A_NOUN = frozenset("""please now and for so then too again thanks thank quickly right behind to in on at up
    down off out open closed shut a the it me us we they i you""".split())


def named_outright(registry: Registry, request: str) -> list[list[str]]:
    """The device ids each device noun or word for what a device does names where it ends its
    phrase ("guests are here, open the gate": the one gate), one list per distinct group; not where
    it names several in the singular ("the gate" in a home with two)."""
    words = plain_words(request).split()
    groups: list[list[str]] = []
    for j, word in enumerate(words):
        if word not in DEVICE_NOUNS and word not in ACTIVITY_KINDS:
            continue
        if j + 1 < len(words) and words[j + 1] not in _AFTER_A_NOUN:
            continue
        found, _ = _named_at(registry, words, j)
        ids = [d.id for d in found if not several_in_the_singular(word, found)]
        if ids and ids not in groups:
            groups.append(ids)
    return groups


def names_a_device(phrase: str) -> bool:
    """Whether a phrase says a device noun or a word for what a device does ("the garage heater")."""
    return any(w in DEVICE_NOUNS or singular(w) in DEVICE_NOUNS or w in ACTIVITY_KINDS for w in plain_words(phrase).split())


def _spoken_values() -> dict[str, dict[str, str]]:
    """Argument -> the words a request may say (normalised) -> the value they mean."""
    colours = {plain_words(c): c for c in CSS3_COLORS}
    # CSS names run words together ("lightblue"); people say them apart
    colours.update({f"{a} {c[len(a):]}": c for c in CSS3_COLORS for a in ("light", "dark", "deep", "hot", "sky")
                    if c.startswith(a) and len(c) > len(a) + 2})
    modes = {plain_words(w): mode for mode, words in HVAC_WORDS.items() for w in words}
    # Amounts said as parts of the whole: "ceiling fan at half" got percentage=1, "blinds halfway"
    # position=0, "a quarter brightness" 40, "as bright as possible" brightness_pct=1 (bench/home_words).
    parts = {"half": 0.5, "halfway": 0.5, "half way": 0.5, "a quarter": 0.25, "quarter": 0.25,
             "three quarters": 0.75, "three quarter": 0.75, "full": 1.0, "maximum": 1.0, "max": 1.0,
             "flat out": 1.0, "full blast": 1.0, "as bright as possible": 1.0, "as bright as you can": 1.0}
    return {"color_name": colours, "hvac_mode": modes, _AMOUNT: {w: f"{p:g}" for w, p in parts.items()}}


_AMOUNT = "amount"  # a part of the whole, said for whichever of these arguments is written:
_AMOUNT_ARGS = {"brightness_pct": 100, "percentage": 100, "position": 100, "volume_level": 1}


_SPOKEN = _spoken_values()


def _value_spans(words: list[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, argument, value) of each value the words say. Where two sayings overlap ("heat
    cool" holds "heat") only the longer one counts."""
    found: list[tuple[int, int, str, str]] = []
    for arg, spoken in _SPOKEN.items():
        for n in (5, 4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                value = spoken.get(" ".join(words[i : i + n]))
                if value and not any(a <= i and i + n <= b for a, b, _, _ in found):
                    found.append((i, i + n, arg, value))
    return found


def said_values(request: str) -> dict[str, set[str]]:
    """The values of enumerated arguments the request says, and the amounts it says as parts of the
    whole ("half", "full"), by argument."""
    out: dict[str, set[str]] = {}
    for _, _, arg, value in _value_spans(plain_words(request).split()):
        if arg == _AMOUNT:
            if any(c.isdigit() for c in request):
                continue  # "lamp at half and the fan at 40": which amount goes where is the model's
            for amount_arg, whole in _AMOUNT_ARGS.items():
                out.setdefault(amount_arg, set()).add(f"{float(value) * whole:g}")
        else:
            out.setdefault(arg, set()).add(value)
    return out


def without_said_values(phrase: str) -> str:
    """The phrase (normalised) less the values it says: the device a `no_device "porch thermostat
    fan-only"` answer meant to name."""
    words = plain_words(phrase).split()
    spans = _value_spans(words)
    return " ".join(w for k, w in enumerate(words) if not any(a <= k < b for a, b, _, _ in spans))
