"""The names homes give devices of each kind (nlsh.home.kinds: what a device is for), for building
the homes the people's-words generator (finetune.home_spoken) draws its requests in."""

from __future__ import annotations

from nlsh.home.kinds import _words, device_words
from nlsh.home.registry import Device

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
