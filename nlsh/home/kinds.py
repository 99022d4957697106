"""What a device is for, read from its words, and what people call it without naming it.

People rarely name the device: "get me a coffee going" means the switch called Coffee Maker, "skip
this track" the speaker, "the outdoor lights" every light in the garden, on the porch and the patio.
The registry resolves such phrases with these kinds (nlsh.home.registry), the device rules score a
request's words against them (nlsh.home.naming), and the people's-words training generator
(finetune.home_spoken) draws its requests and answers from them, so all three read a home alike.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlsh.home.registry import Device, Registry

# Areas out of doors: "the outdoor lights" / "the lights outside" mean the lights there.
OUTDOOR_AREAS = frozenset({
    "garden", "patio", "porch", "driveway", "backyard", "back yard", "front yard", "yard", "deck", "balcony",
    "verandah", "veranda", "terrace", "courtyard", "lawn", "pool", "front garden", "back garden",
})
# What a request says for "out of doors" where it would say an area.
OUTSIDE = frozenset({"outside", "outdoor", "outdoors", "exterior"})

# Cover classes people call blinds, shades or curtains ("close all the blinds"); None: unclassified.
WINDOW_CLASSES = frozenset({"blind", "shade", "shutter", "curtain", "awning", "window", None})

# kind -> (domain, the words in a name or alias that make a device of that domain this kind; None:
# every device of the domain)
KIND_WORDS: dict[str, tuple[str, frozenset[str] | None]] = {
    "coffee": ("switch", frozenset({"coffee", "espresso", "nespresso", "percolator", "cappuccino", "barista"})),
    "kettle": ("switch", frozenset({"kettle"})),
    "sprinkler": ("switch", frozenset({"sprinkler", "sprinklers", "irrigation", "watering"})),
    "christmas": ("switch", frozenset({"christmas", "xmas", "tree"})),
    "washer": ("switch", frozenset({"washing", "washer"})),
    "dishwasher": ("switch", frozenset({"dishwasher"})),
    "blanket": ("switch", frozenset({"blanket"})),
    "hot_tub": ("switch", frozenset({"tub", "spa", "jacuzzi"})),
    "audio": ("media_player", frozenset({"speaker", "speakers", "sonos", "stereo", "soundbar", "homepod", "echo",
                                         "radio", "hifi", "jukebox", "music", "boombox"})),
    "tv": ("media_player", frozenset({"tv", "television", "telly", "projector", "chromecast", "roku", "firestick"})),
    "vacuum": ("vacuum", None),
}

# Words for what a device does -> the kind that does it: "pause the music" is the speaker's, "the
# telly" a TV's, "make us a cuppa" the kettle's (bench/home_words: one request in four names its
# device only so, and the model had answered no_device "music").
ACTIVITY_KINDS: dict[str, str] = {
    **dict.fromkeys("music song songs track tracks tune tunes playlist album podcast".split(), "audio"),
    **dict.fromkeys("film films movie movies telly footy programme episode".split(), "tv"),
    **dict.fromkeys("coffee espresso cappuccino latte".split(), "coffee"),
    **dict.fromkeys("tea cuppa".split(), "kettle"),
    **dict.fromkeys("hoover hoovering vacuuming".split(), "vacuum"),
}


@lru_cache(maxsize=65536)
def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", text.lower().replace("'s", "s").replace("_", " ")))


def device_words(d: Device) -> frozenset[str]:
    return _words(" ".join([d.name, d.object_id, *d.aliases]))


def is_kind(d: Device, kind: str) -> bool:
    domain, words = KIND_WORDS[kind]
    if d.domain != domain:
        return False
    if words is None:
        return True
    said = device_words(d)
    if kind == "washer" and "dishwasher" in said:
        return False
    return bool(said & words)


def noun_kind(domain: str, noun: str) -> str | None:
    """The kind a device noun says within its domain ("tv": a TV, not the speaker beside it), or None
    where the noun says only the domain ("light", "player")."""
    for kind, (dom, words) in KIND_WORDS.items():
        if dom == domain and words is not None and (noun in words or noun.endswith("s") and noun[:-1] in words):
            return kind
    return None


def of_kind(registry: Registry, kind: str) -> list[Device]:
    return [d for d in registry.devices if is_kind(d, kind)]


def music_players(registry: Registry) -> list[Device]:
    """The devices "the music" can mean: the speakers, or, in a home without one, every media player
    (a home whose only media player is the TV plays its music there)."""
    audio = of_kind(registry, "audio")
    if audio:
        return audio
    return [d for d in registry.devices if d.domain == "media_player"]


def tv_players(registry: Registry) -> list[Device]:
    """The devices "the tv", "the show" or "the movie" can mean."""
    return of_kind(registry, "tv")


def implied(registry: Registry, word: str) -> list[Device]:
    """The devices a word for what a device does means in this home (ACTIVITY_KINDS)."""
    kind = ACTIVITY_KINDS.get(word)
    if kind is None:
        return []
    return music_players(registry) if kind == "audio" else of_kind(registry, kind)


def activities(d: Device) -> frozenset[str]:
    """The words for what a device does that name it by its kind ("music" for a speaker)."""
    return frozenset(w for w, kind in ACTIVITY_KINDS.items() if is_kind(d, kind))


def is_outdoor(area: str | None) -> bool:
    """Whether an area is out of doors: it, or one of its words, is an outdoor area ("front verandah")."""
    if area is None:
        return False
    area = area.lower()
    return area in OUTDOOR_AREAS or bool(_words(area) & OUTDOOR_AREAS)


def is_window_cover(d: Device) -> bool:
    return d.domain == "cover" and d.device_class in WINDOW_CLASSES and not (
        d.device_class is None and _words(d.name) & {"garage", "gate", "door"})
