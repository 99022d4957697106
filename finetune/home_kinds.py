"""What a device is for, read from its words, and the names homes give such devices.

People rarely name the device: "get me a coffee going" means the switch called Coffee Maker, "skip this
track" the one speaker, "the outdoor lights" every light in the garden, on the porch and the patio. The
people's-words generator (finetune.home_spoken) works out the device a request means from these kinds
and the home's registry, so its answers are right by construction, ambiguous homes included.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlsh.home.registry import Device, Registry

# Areas outside the house: "the outdoor lights" / "the lights outside" mean the lights there.
OUTDOOR_AREAS = frozenset({
    "garden", "patio", "porch", "driveway", "backyard", "back yard", "front yard", "yard", "deck", "balcony",
    "verandah", "veranda", "terrace", "courtyard", "lawn", "pool", "front garden", "back garden",
})

# Cover classes people call blinds, shades or curtains ("close all the blinds"); None: unclassified.
WINDOW_CLASSES = frozenset({"blind", "shade", "shutter", "curtain", "awning", "window", None})

# kind -> (domain, the words in a name or alias that make a device of that domain this kind)
KIND_WORDS: dict[str, tuple[str, frozenset[str]]] = {
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
    said = device_words(d)
    if kind == "washer" and "dishwasher" in said:
        return False
    return bool(said & words)


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


def is_outdoor(area: str | None) -> bool:
    return area is not None and area.lower() in OUTDOOR_AREAS


def is_window_cover(d: Device) -> bool:
    return d.domain == "cover" and d.device_class in WINDOW_CLASSES and not (
        d.device_class is None and _words(d.name) & {"garage", "gate", "door"})


# -- names homes give devices, for building homes -------------------------------------------------
# "{a}" is the device's area, title-cased. Each entry: (domain, kind or "", device_class, names).
CATALOGUE: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    ("light", "", None, ("{a} Light", "{a} Ceiling Light", "{a} Lamp", "{a} Lights", "{a} Spotlights", "{a} Pendants",
                         "{a} Downlights", "Floor Lamp", "Desk Lamp", "Bedside Lamp", "Reading Lamp", "Corner Lamp",
                         "Arc Lamp", "LED Strip", "TV Backlight", "Night Light", "Chandelier", "Wall Sconce",
                         "Salt Lamp", "Standing Lamp", "Table Lamp", "Pendant Light", "Strip Lights", "Globe Lamp")),
    ("switch", "coffee", None, ("Coffee Maker", "Coffee Machine", "Espresso Machine", "Nespresso", "Percolator")),
    ("switch", "kettle", None, ("Kettle", "Electric Kettle", "Tea Kettle")),
    ("switch", "sprinkler", None, ("Sprinklers", "Irrigation", "Lawn Sprinklers", "Garden Sprinkler", "Watering System")),
    ("switch", "christmas", None, ("Christmas Tree", "Christmas Lights", "Xmas Lights")),
    ("switch", "washer", None, ("Washing Machine", "Washer")),
    ("switch", "dishwasher", None, ("Dishwasher",)),
    ("switch", "blanket", None, ("Electric Blanket", "Heated Blanket")),
    ("switch", "hot_tub", None, ("Hot Tub", "Spa", "Jacuzzi")),
    ("switch", "", None, ("Dehumidifier", "Fish Tank", "Air Purifier", "Humidifier", "Printer", "Monitor",
                          "Pond Pump", "Towel Rail", "Aquarium", "Fountain", "{a} Plug", "{a} Outlet", "Iron",
                          "Toaster", "Slow Cooker", "Bread Maker", "Water Feature", "Diffuser", "Charger")),
    ("fan", "", None, ("{a} Fan", "{a} Ceiling Fan", "Tower Fan", "Desk Fan", "Pedestal Fan", "Box Fan")),
    ("climate", "", None, ("{a} Thermostat", "Thermostat", "{a} Heating", "Heat Pump", "{a} Radiator", "{a} AC",
                           "Air Conditioner", "{a} Climate", "Boiler")),
    ("cover", "", "blind", ("{a} Blinds", "{a} Blind", "Roller Blind", "Blackout Blind", "Venetian Blinds")),
    ("cover", "", "shade", ("{a} Shades", "Window Shades")),
    ("cover", "", "curtain", ("{a} Curtains", "Curtains", "Drapes")),
    ("cover", "", "shutter", ("{a} Shutters", "Shutters")),
    ("cover", "", "garage", ("Garage Door", "Left Garage Door", "Right Garage Door", "Roller Door", "Carport Door")),
    ("cover", "", "gate", ("Driveway Gate", "Front Gate", "Side Gate", "Gate", "Back Gate")),
    ("lock", "", None, ("Front Door", "Back Door", "Front Door Lock", "Side Door", "Patio Door", "Back Door Lock",
                        "Shed Lock", "Deadbolt", "Porch Door", "Kitchen Door")),
    ("media_player", "audio", None, ("{a} Speaker", "Sonos", "{a} Sonos", "Stereo", "Soundbar", "HomePod", "{a} Echo",
                                     "Radio", "{a} Radio", "Hifi", "Jukebox")),
    ("media_player", "tv", None, ("{a} TV", "TV", "Television", "Telly", "Projector", "{a} Television")),
    ("vacuum", "", None, ("Roomba", "Robot Vacuum", "Dusty", "Robo Vac", "{a} Vacuum", "Hoover", "Robot Hoover")),
    ("alarm_control_panel", "", None, ("House Alarm", "Alarm", "Security System", "Alarm Panel")),
]

# Scenes by what they are for: "movie time" means the scene for movies.
SCENE_KINDS: dict[str, tuple[str, ...]] = {
    "movie": ("Movie Night", "Movie Time", "Cinema", "Movie Mode"),
    "night": ("Good Night", "Bedtime", "Sleep", "Night Mode"),
    "morning": ("Good Morning", "Wake Up", "Morning"),
    "dinner": ("Dinner", "Dinner Party", "Dinner Time"),
    "relax": ("Relax", "Chill", "Cozy Evening"),
    "party": ("Party", "Party Mode"),
    "away": ("Away", "Leaving Home", "Goodbye"),
    "reading": ("Reading", "Reading Time"),
}
_SCENE_WORDS = {kind: _words(" ".join(names)) - {"mode", "time", "good", "evening", "home"}
                for kind, names in SCENE_KINDS.items()}


def scene_kind(d: Device) -> str | None:
    if d.domain != "scene":
        return None
    said = device_words(d)
    found = [k for k, words in _SCENE_WORDS.items() if said & words]
    return found[0] if len(found) == 1 else None
