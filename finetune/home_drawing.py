"""What both home generators draw a home from: the areas, the colours as people say them, the scene
names, the area a device name mentions, object ids made of names, and the order a drawn home's
registry lists its devices in. The templated generator (finetune.home_data) and the people's-words
one (finetune.home_spoken) share them, so both draw from one world.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from nlsh.home.registry import Device, Registry

AREAS = [
    "kitchen", "living room", "bedroom", "master bedroom", "guest room", "office", "study", "garage",
    "hallway", "bathroom", "dining room", "basement", "attic", "patio", "porch", "garden", "nursery",
    "kids room", "laundry room", "den", "family room", "entryway", "loft", "sunroom", "playroom", "gym",
]

SCENES = ["Movie Night", "Good Morning", "Good Night", "Dinner", "Relax", "Reading", "Party", "Romantic",
          "Focus", "Away", "Bedtime", "Wake Up", "Cozy", "Welcome Home", "Date Night", "Cleaning"]

# Colours as people say them -> CSS3 name. Common ones first and more often.
COLORS = [
    ("red", "red"), ("green", "green"), ("blue", "blue"), ("yellow", "yellow"), ("orange", "orange"),
    ("purple", "purple"), ("pink", "pink"), ("white", "white"), ("cyan", "cyan"), ("magenta", "magenta"),
    ("violet", "violet"), ("turquoise", "turquoise"), ("gold", "gold"), ("lime", "lime"), ("teal", "teal"),
    ("lavender", "lavender"), ("crimson", "crimson"), ("indigo", "indigo"), ("coral", "coral"),
    ("navy", "navy"), ("salmon", "salmon"), ("aqua", "aqua"), ("light blue", "lightblue"),
    ("dark blue", "darkblue"), ("dark red", "darkred"), ("hot pink", "hotpink"), ("sky blue", "skyblue"),
    ("forest green", "forestgreen"), ("deep pink", "deeppink"), ("light green", "lightgreen"),
    ("royal blue", "royalblue"), ("sea green", "seagreen"), ("orange red", "orangered"),
    ("warm white", None), ("deep sky blue", "deepskyblue"), ("lightblue", "lightblue"), ("darkorange", "darkorange"),
]
COLORS = [(spoken, css) for spoken, css in COLORS if css]


_AREA_RE = re.compile(r"\b(" + "|".join(sorted(AREAS, key=len, reverse=True)) + r")\b")


@lru_cache(maxsize=None)
def area_in(name: str) -> str | None:
    """The area a device name mentions ("Kitchen Counter Light" -> kitchen), if any."""
    m = _AREA_RE.search(" ".join(name_words(name)))
    return m.group(1) if m else None


@lru_cache(maxsize=65536)
def name_words(text: str) -> tuple[str, ...]:
    """A name's words, lower-case ("Fred's Lamp" -> freds, lamp)."""
    return tuple(re.findall(r"[a-z0-9]+", text.lower().replace("'s", "s").replace("_", " ")))


def slug(text: str) -> str:
    """An object id made of a name ("Living Room" -> living_room)."""
    return "_".join(name_words(text))


def home_registry(devices: list[dict], rng: random.Random) -> Registry:
    """A drawn home's registry, its devices in a random order or sorted by id as half of real
    registries are, so the model learns no order."""
    devices = list(devices)
    if rng.random() < 0.5:
        rng.shuffle(devices)
    else:
        devices.sort(key=lambda d: d["id"])
    return Registry(devices=[Device.model_validate(d) for d in devices])
