"""How a request names devices and values, read against a registry: which devices its words cover
and where it says them, the groups it names with a quantifier ("all the locks"), the colours and
modes it says. The device decoding rules (nlsh.decoding.rules) steer by it, and a no_device answer
is refuted with it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlsh.home.answer import several_in_the_singular
from nlsh.home.catalog import ACTION_WORDS, CSS3_COLORS, DOMAINS, HVAC_WORDS
from nlsh.home.kinds import ACTIVITY_KINDS, OUTSIDE, activities, is_kind, noun_kind
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
    nouns = _fitting_nouns(d)
    out = [(stems(d.name), 1.0), (stems(d.object_id), 1.0), *((stems(a), 1.0) for a in d.aliases)]
    # what it is for ("pause the music" names the speaker), as surely as its name
    out += [({singular(w)}, 1.0) for w in activities(d)]
    # what kind it is ("the tv"), as surely as an area with a noun
    out += [({n}, AREA_FACTOR) for n in nouns if noun_kind(d.domain, n)]
    if d.area:
        out += [(stems(d.area) | {n}, AREA_FACTOR) for n in nouns]
    return [(words, top) for words, top in out if words]


def _fitting_nouns(d: Device) -> frozenset[str]:
    """The nouns of its domain a device may be called by: not those of another kind ("the tv" is no
    way to name the kitchen speaker: "tv volume at twenty" had gone to the speaker)."""
    return frozenset(n for n in _nouns(d.domain)
                     if ((kind := noun_kind(d.domain, n)) is None or is_kind(d, kind)) and _fits_class(d, n))


def _fits_class(d: Device, noun: str) -> bool:
    """Whether a cover noun fits the device's class: "the gate" is no way to name the garage door."""
    classes = DEVICE_NOUNS.get(noun, DEVICE_NOUNS.get(noun + "s", (None, None)))[1]
    return classes is None or d.device_class in classes


def coverage(d: Device, said: set[str]) -> float:
    """How fully the request's words hold one of the device's descriptions (0..1), the best one."""
    nouns = _fitting_nouns(d)
    if said & nouns:
        said = said | nouns  # "the den lamp" is the den light: any noun of the domain will do
    descriptions = _descriptions(d)
    # a noun of a kind ("tv") says which device more than one of the domain ("light") does
    weight = {w: NOUN_WEIGHT if w in nouns and not noun_kind(d.domain, w) else 1.0 for words, _ in descriptions for w in words}
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
    kept = set(spared(registry, request))
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
        group = [d.id for d in found if d.id not in kept]  # "every light off except the porch"
        if group:
            (quantified if before else plural).append(group)
    return quantified, [g for g in plural if g not in quantified]


# Words that set a device apart from what the request does to the others: "every light off except
# the porch light", "lock the back door but leave the front one", "keep the hall light on" (bench/
# home_words: the model wrote the spared device too, or the opposite action for it).
_SPARING_BEFORE = re.compile(
    r"\b(?:except(?: for)?|apart from|other than|besides|but not|not|leave|keep|dont (?:turn|switch|shut|touch|put)(?: (?:off|on|out|down|up))?)"
    r" (.+?)(?= (?:on|off|alone|be|as it is|as they are|and|but|then|just|only)\b|$)")
_SPARING_AFTER = re.compile(r"^(.+?) (?:stays?|can stay|remains?|should stay)\b")
_ONE = re.compile(r"\b(?:one|ones)$")


def spared(registry: Registry, request: str) -> list[str]:
    """The ids of the devices the request says to leave as they are ("all the lights off but leave the
    bedroom on": the bedroom lights), clause by clause. "the front one" is a device named with the
    noun of another ("the back door"); a place alone is the place's devices of the group's kind
    ("all the lights on apart from the kids room")."""
    out: list[str] = []
    for clause in re.split(r"[,.;!?]", request):
        text = plain_words(clause)
        phrases = [m.group(1) for m in _SPARING_BEFORE.finditer(text)]
        if (m := _SPARING_AFTER.match(text)) and not _SPARING_BEFORE.search(m.group(1)):
            phrases.append(m.group(1))
        for phrase in phrases:
            if re.search(r"\d", phrase):
                continue  # "keep the heating at 20" sets it
            for d in _spared_phrase(registry, phrase, plain_words(request).split()):
                if d.id not in out:
                    out.append(d.id)
    return out


def _spared_phrase(registry: Registry, phrase: str, words: list[str]) -> list[Device]:
    phrase = re.sub(r"^(?:the|my|our|that|this)\s+", "", phrase)
    # "the front one" with "the back door" before it; "the bedroom" with "all the lights"
    heads = [w for w in reversed(words) if w not in LEADING_WORDS and w not in phrase.split()]
    if _ONE.search(phrase):
        plural = phrase.endswith("ones")
        tries = [_ONE.sub(h + "s" if plural and h in DEVICE_NOUNS else h, phrase) for h in heads]
    elif names_a_device(phrase):
        tries = [phrase]
    else:
        tries = [f"{phrase} {noun}" for noun in heads if noun in DEVICE_NOUNS] + [phrase]
    for words_ in tries:
        found = registry.resolve(words_)
        if found:
            return found
    return []


# "switch all the kitchen lights off" names no switch: before these words "switch" is the verb.
_AFTER_THE_VERB = frozenset("on off all the every it them both my our everything that this these those".split())


def _verbs_out(words: list[str]) -> list[str]:
    return ["" if w == "switch" and k + 1 < len(words) and words[k + 1] in _AFTER_THE_VERB else w
            for k, w in enumerate(words)]


def named_devices(registry: Registry, request: str) -> set[str]:
    """The devices the request names outright: those a phrase of it names well (their best
    description's words, a place with a noun, what they are for), less those whose words are part of
    a longer phrase naming another ("kitchen" in "the kitchen speaker" is not the kitchen light); the
    members of the groups it names; not those it spares."""
    words = [singular(w) for w in _verbs_out(plain_words(request).split())]
    said = set(words) - {""}
    spans: dict[str, frozenset[int]] = {}
    for d in registry.devices:
        if coverage(d, said) < MENTIONED:
            continue
        nouns = _fitting_nouns(d)
        own = set().union(*(w for w, _ in _descriptions(d))) - nouns
        at = {i for i, w in enumerate(words) if w in own}
        # a noun is part of the phrase its own words are in ("the office fan"), or the phrase itself
        near = {i for i, w in enumerate(words) if w in nouns and (not at or any(abs(i - k) <= 3 for k in at))}
        spans[d.id] = frozenset(at | near)
    out = {i for i, at in spans.items() if not any(at < other for j, other in spans.items() if j != i)}
    quantified, plural = named_groups(registry, request)
    out.update(i for g in quantified + plural for i in g)
    for group in named_outright(registry, request):
        out.update(group)
    return out - set(spared(registry, request))


def _named_at(registry: Registry, words: list[str], j: int) -> tuple[list[Device], list[str]]:
    """The devices named by the widest phrase ending at the noun words[j] ("all the kitchen
    lights"), or by the noun with a place after it ("all the lights in the kitchen"), and the
    phrase's words without the leading ones that name nothing (all, the, my ...)."""
    spans = [words[i : j + 1] for i in range(max(0, j - 5), j + 1)]
    if j + 1 < len(words) and words[j + 1] in ("in", "on", "at"):
        spans = [words[j:k] for k in range(min(len(words), j + 6), j + 2, -1)] + spans
    elif j + 1 < len(words) and words[j + 1] in OUTSIDE:  # "switch off the lights outside"
        spans = [words[j : j + 2]] + spans
    for span in spans:
        found = registry.resolve(" ".join(span))
        if found:
            start = j + 1 - len(span) if span[-1] == words[j] else j
            if (span[-1] == words[j] and span[0] not in LEADING_WORDS and start > 0
                    and words[start - 1] not in LEADING_WORDS | _BEFORE_A_PHRASE):
                return [], []  # "both nightstand lamps": "nightstand" says which, not every lamp
            return found, [w for w in span if w not in LEADING_WORDS]
    return [], []


# Words a device phrase may follow without saying which device ("turn on the lights", "lights on outside").
_BEFORE_A_PHRASE = frozenset("""on off in out up down to at for and then please turn switch put set get make
    let open close shut lock unlock start stop pause play kill dim raise lower can could would will you
    it is are was were be now so just also too a an through with from of by into behind change""".split())


# Words that may follow a noun that ends its phrase: "open the gate please", "the gate for the van";
# not "the garage heater", where "garage" says which heater.
_AFTER_A_NOUN = frozenset("""please now and for so then too again thanks thank quickly right behind to in on at up
    down off out open closed shut a the it me us we they i you""".split())


def named_outright(registry: Registry, request: str) -> list[list[str]]:
    """The device ids each device noun or word for what a device does names where it ends its
    phrase ("guests are here, open the gate": the one gate), one list per distinct group; not where
    it names several in the singular ("the gate" in a home with two)."""
    words = _verbs_out(plain_words(request).split())
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
             "flat out": 1.0, "full blast": 1.0, "all the way up": 1.0, "as bright as possible": 1.0, "as bright as you can": 1.0}
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


# Arguments that set a level, a colour or a mode: where the request says one, the actions taking it
# are what it asks whatever its verbs ("kitchen speaker volume down to 40%" is volume_set).
_SETTINGS = frozenset({"brightness_pct", "color_name", "percentage", "temperature", "hvac_mode", "position", "volume_level"})


def said_actions(request: str) -> dict[str, set[str]]:
    """Domain -> the actions the request's words say for it (ACTION_WORDS: "unpause" media_play,
    "too loud" volume_down, "lights out" turn_off), the longest saying first; where it says a number
    or a value, the actions that set one (and turn_on, which takes a level) too. A domain whose
    actions it does not say is absent."""
    words = plain_words(request).split()
    setting = any(c.isdigit() for c in request) or bool(said_values(request))
    out: dict[str, set[str]] = {}
    for domain, spoken in _SPOKEN_ACTIONS.items():
        found = _spans(words, spoken)
        if not found:
            continue
        actions = {action for _, _, action in found}
        if setting:
            spec = DOMAINS[domain]
            actions |= {a for a, act in spec.actions.items() if _SETTINGS & set(act.args)}
        out[domain] = actions
    return out


# Domain -> each saying, normalised -> the action it says: read once, not at every request.
_SPOKEN_ACTIONS = {domain: {plain_words(w): action for action, ws in sayings.items() for w in ws}
                   for domain, sayings in ACTION_WORDS.items()}


def _spans(words: list[str], spoken: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, meaning) of each saying in the words, the longer first where two overlap."""
    found: list[tuple[int, int, str]] = []
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            meant = spoken.get(" ".join(words[i : i + n]))
            if meant and not any(a < i + n and i < b for a, b, _ in found):
                found.append((i, i + n, meant))
    return found


def colour_lights(registry: Registry, request: str, named: set[str]) -> list[str]:
    """The lights a colour the request says goes to where it names none that takes one: the colour
    lights of the places it says, or of the whole home ("can the lights go green": the four colour
    lights; "paint the living room pink": the two there); empty where it names a colour light, or
    says no colour (bench/home_words: the kitchen light, which has no colour, was switched on)."""
    if "color_name" not in said_values(request):
        return []
    lights = [d for d in registry.devices if d.domain == "light" and d.has("color")]
    said = stems(request)
    if any(_own_words(d) & said for d in lights if d.id in named):
        return []
    text = f" {plain_words(request)} "
    areas = {d.area for d in registry.devices if d.area and f" {plain_words(d.area)} " in text}
    if not areas and any(_own_words(d) & said for d in registry.devices if d.domain == "light"):
        return []  # "both nightstand lamps green" says which lights, if not well enough to name them
    return [d.id for d in lights if not areas or d.area in areas]


def _own_words(d: Device) -> set[str]:
    """The words of a device's name, id and aliases that are neither its area's nor a noun of its
    domain: "nightstand" for the Left Nightstand Lamp."""
    words = stems(d.name) | stems(d.object_id) | set().union(*(stems(a) for a in d.aliases))
    return words - stems(d.area or "") - _nouns(d.domain)
