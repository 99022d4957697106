"""What each device domain accepts: SPEC section 4's table as data, the single source for the
grammar, the validator, the answer parser and the training-data generator.

Features only gate optional capabilities. A device whose registry entry has no `features` key gets
everything its domain offers; a device with a `features` list gets the base actions plus exactly the
listed capabilities (`features: []` is an on/off light).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# CSS3 extended colour keywords (the 147 names of the CSS Color Module Level 3).
CSS3_COLORS: tuple[str, ...] = (
    "aliceblue", "antiquewhite", "aqua", "aquamarine", "azure", "beige", "bisque", "black",
    "blanchedalmond", "blue", "blueviolet", "brown", "burlywood", "cadetblue", "chartreuse",
    "chocolate", "coral", "cornflowerblue", "cornsilk", "crimson", "cyan", "darkblue", "darkcyan",
    "darkgoldenrod", "darkgray", "darkgreen", "darkgrey", "darkkhaki", "darkmagenta",
    "darkolivegreen", "darkorange", "darkorchid", "darkred", "darksalmon", "darkseagreen",
    "darkslateblue", "darkslategray", "darkslategrey", "darkturquoise", "darkviolet", "deeppink",
    "deepskyblue", "dimgray", "dimgrey", "dodgerblue", "firebrick", "floralwhite", "forestgreen",
    "fuchsia", "gainsboro", "ghostwhite", "gold", "goldenrod", "gray", "green", "greenyellow",
    "grey", "honeydew", "hotpink", "indianred", "indigo", "ivory", "khaki", "lavender",
    "lavenderblush", "lawngreen", "lemonchiffon", "lightblue", "lightcoral", "lightcyan",
    "lightgoldenrodyellow", "lightgray", "lightgreen", "lightgrey", "lightpink", "lightsalmon",
    "lightseagreen", "lightskyblue", "lightslategray", "lightslategrey", "lightsteelblue",
    "lightyellow", "lime", "limegreen", "linen", "magenta", "maroon", "mediumaquamarine",
    "mediumblue", "mediumorchid", "mediumpurple", "mediumseagreen", "mediumslateblue",
    "mediumspringgreen", "mediumturquoise", "mediumvioletred", "midnightblue", "mintcream",
    "mistyrose", "moccasin", "navajowhite", "navy", "oldlace", "olive", "olivedrab", "orange",
    "orangered", "orchid", "palegoldenrod", "palegreen", "paleturquoise", "palevioletred",
    "papayawhip", "peachpuff", "peru", "pink", "plum", "powderblue", "purple", "red", "rosybrown",
    "royalblue", "saddlebrown", "salmon", "sandybrown", "seagreen", "seashell", "sienna", "silver",
    "skyblue", "slateblue", "slategray", "slategrey", "snow", "springgreen", "steelblue", "tan",
    "teal", "thistle", "tomato", "turquoise", "violet", "wheat", "white", "whitesmoke", "yellow",
    "yellowgreen",
)

HVAC_MODES: tuple[str, ...] = ("off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only")
# How people say a mode ("off" is left out: "thermostat off" is the device's turn_off).
HVAC_WORDS: dict[str, list[str]] = {
    "heat": ["heat", "heating"], "cool": ["cool", "cooling"], "auto": ["auto", "automatic"], "dry": ["dry"],
    "fan_only": ["fan only", "fan-only"], "heat_cool": ["heat cool", "heat/cool"],
}

# The words people use for a domain's actions, normalised (nlsh.home.registry.plain_words). Only
# those that say one action: "up" opens a blind but raises a volume, so it is the cover's alone.
_ON = ("on", "turn on", "switch on", "power on", "power up", "start", "kill for", "activate", "enable", "illuminate")  # "i'd kill for a coffee"
_OFF = ("off", "turn off", "switch off", "power off", "power down", "kill", "shut off", "shut down", "out",
        "deactivate", "disable")
_TOGGLE = ("flip", "toggle")
ACTION_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "light": {"turn_on": _ON, "turn_off": _OFF, "toggle": _TOGGLE},
    "switch": {"turn_on": _ON + ("going", "brew", "boil"), "turn_off": _OFF + ("stop",), "toggle": _TOGGLE},
    "fan": {"turn_on": _ON, "turn_off": _OFF},
    "climate": {"turn_on": _ON, "turn_off": _OFF},
    "media_player": {
        "turn_on": _ON, "turn_off": _OFF,
        "media_play": ("play", "resume", "unpause", "carry on", "continue", "going again", "keep playing", "back on"),
        "media_pause": ("pause", "hold", "freeze", "on pause"),
        "media_stop": ("stop",),
        "media_next_track": ("next", "skip", "change the song", "change the track", "another song", "different song"),
        "media_previous_track": ("previous", "last song", "last track", "song before", "track before", "go back a song"),
        "volume_up": ("louder", "turn up", "turn it up", "volume up", "increase the volume", "raise the volume", "too quiet", "barely hear", "cant hear",
                      "cannot hear", "a notch up", "crank"),
        "volume_down": ("quieter", "turn down", "turn it down", "volume down", "lower the volume", "lower volume",
                        "decrease the volume", "reduce the volume", "too loud", "softer", "keep it down"),
        "volume_mute": ("mute", "unmute", "silence", "no longer mute", "take mute off", "sound on", "sound back on", "sound off"),
    },
    "cover": {
        "open_cover": ("open", "up", "raise", "lift", "pull up"),
        "close_cover": ("close", "shut", "down", "drop", "lower", "pull down"),
    },
    # "lock" is also what the device is called ("unsecure the bedroom lock"), so it says nothing alone
    "lock": {"lock": ("lock up", "secure", "engage"), "unlock": ("unlock", "unsecure", "let me in", "let in", "open", "disengage")},
    "vacuum": {
        # "hoover" is also what the vacuum is called ("robot hoover back to its charger")
        "start": ("start", "clean", "hoover the", "hoover out", "hoovering", "vacuuming", "do the floors", "loose", "run"),
        "return_to_base": ("dock", "charge", "charger", "charging", "go home", "base", "back to"),
        "stop": ("stop",), "pause": ("pause",),
    },
}

DEFAULT_MIN_TEMP = 5.0
DEFAULT_MAX_TEMP = 35.0


@dataclass(frozen=True)
class ArgSpec:
    """One service field. `kind` decides how it is written, parsed and range-checked."""

    name: str
    kind: str  # int | number | enum | bool | digits
    lo: float = 0
    hi: float = 100
    choices: tuple[str, ...] = ()
    feature: str | None = None  # capability a device needs to accept this field
    # The least value the model may write, where the bottom of the range means another action:
    # a light "turned on" at brightness 0 is off, and the answer for that is turn_off. The shipped
    # model answered "lights green please" with every light on at brightness_pct=0. The validator
    # still takes SPEC's whole range from a user's edit or a script.
    least_generated: float | None = None


@dataclass(frozen=True)
class ActionSpec:
    name: str
    args: tuple[str, ...] = ()  # accepted fields, in the order answers write them
    required: tuple[str, ...] = ()
    feature: str | None = None  # capability a device needs to accept this action at all


@dataclass(frozen=True)
class DomainSpec:
    name: str
    actions: dict[str, ActionSpec]
    features: tuple[str, ...] = ()
    # Actions that set the same state: two different ones on one device contradict each other.
    exclusive: tuple[frozenset[str], ...] = field(default=())


ARGS: dict[str, ArgSpec] = {
    a.name: a
    for a in (
        ArgSpec("brightness_pct", "int", 0, 100, feature="brightness", least_generated=1),
        ArgSpec("color_name", "enum", choices=CSS3_COLORS, feature="color"),
        ArgSpec("percentage", "int", 0, 100, feature="speed", least_generated=1),
        ArgSpec("temperature", "number", DEFAULT_MIN_TEMP, DEFAULT_MAX_TEMP, feature="temperature"),
        ArgSpec("hvac_mode", "enum", choices=HVAC_MODES),
        ArgSpec("position", "int", 0, 100, feature="position"),
        ArgSpec("volume_level", "number", 0, 1, feature="volume"),
        ArgSpec("is_volume_muted", "bool", feature="volume"),
        ArgSpec("code", "digits", 4, 8),  # length range of an alarm code
    )
}


def _actions(*specs: ActionSpec) -> dict[str, ActionSpec]:
    return {s.name: s for s in specs}


_POWER = frozenset({"turn_on", "turn_off", "toggle"})

DOMAINS: dict[str, DomainSpec] = {
    d.name: d
    for d in (
        DomainSpec(
            "light",
            _actions(
                ActionSpec("turn_on", ("brightness_pct", "color_name")),
                ActionSpec("turn_off"),
                ActionSpec("toggle"),
            ),
            features=("brightness", "color"),
            exclusive=(_POWER,),
        ),
        DomainSpec(
            "switch",
            _actions(ActionSpec("turn_on"), ActionSpec("turn_off"), ActionSpec("toggle")),
            exclusive=(_POWER,),
        ),
        DomainSpec(
            "fan",
            _actions(
                ActionSpec("turn_on", ("percentage",)),
                ActionSpec("turn_off"),
                ActionSpec("set_percentage", ("percentage",), ("percentage",), feature="speed"),
            ),
            features=("speed",),
            exclusive=(frozenset({"turn_on", "turn_off"}), frozenset({"turn_off", "set_percentage"})),
        ),
        DomainSpec(
            "climate",
            _actions(
                ActionSpec("set_temperature", ("temperature",), ("temperature",), feature="temperature"),
                ActionSpec("set_hvac_mode", ("hvac_mode",), ("hvac_mode",)),
                ActionSpec("turn_on"),
                ActionSpec("turn_off"),
            ),
            features=("temperature",),
            exclusive=(frozenset({"turn_on", "turn_off"}), frozenset({"turn_off", "set_hvac_mode"})),
        ),
        DomainSpec(
            "cover",
            _actions(
                ActionSpec("open_cover"),
                ActionSpec("close_cover"),
                ActionSpec("stop_cover"),
                ActionSpec("set_cover_position", ("position",), ("position",), feature="position"),
            ),
            features=("position",),
            exclusive=(frozenset({"open_cover", "close_cover", "stop_cover", "set_cover_position"}),),
        ),
        DomainSpec(
            "lock",
            _actions(ActionSpec("lock"), ActionSpec("unlock")),
            exclusive=(frozenset({"lock", "unlock"}),),
        ),
        DomainSpec(
            "media_player",
            _actions(
                ActionSpec("turn_on"),
                ActionSpec("turn_off"),
                ActionSpec("media_play", feature="playback"),
                ActionSpec("media_pause", feature="playback"),
                ActionSpec("media_stop", feature="playback"),
                ActionSpec("media_next_track", feature="playback"),
                ActionSpec("media_previous_track", feature="playback"),
                ActionSpec("volume_set", ("volume_level",), ("volume_level",), feature="volume"),
                ActionSpec("volume_up", feature="volume"),
                ActionSpec("volume_down", feature="volume"),
                ActionSpec("volume_mute", ("is_volume_muted",), ("is_volume_muted",), feature="volume"),
            ),
            features=("volume", "playback"),
            exclusive=(
                frozenset({"turn_on", "turn_off"}),
                frozenset({"media_play", "media_pause", "media_stop"}),
                frozenset({"media_next_track", "media_previous_track"}),
                frozenset({"volume_set", "volume_up", "volume_down"}),
            ),
        ),
        DomainSpec(
            "vacuum",
            _actions(ActionSpec("start"), ActionSpec("stop"), ActionSpec("pause"), ActionSpec("return_to_base")),
            exclusive=(frozenset({"start", "stop", "pause", "return_to_base"}),),
        ),
        DomainSpec("scene", _actions(ActionSpec("turn_on"))),
        # Not in SPEC's table; added so that disarming an alarm can be proposed and is then
        # flagged dangerous instead of being impossible to express.
        DomainSpec(
            "alarm_control_panel",
            _actions(
                ActionSpec("alarm_arm_home", ("code",)),
                ActionSpec("alarm_arm_away", ("code",)),
                ActionSpec("alarm_arm_night", ("code",)),
                ActionSpec("alarm_disarm", ("code",)),
            ),
            exclusive=(frozenset({"alarm_arm_home", "alarm_arm_away", "alarm_arm_night", "alarm_disarm"}),),
        ),
    )
}

# Cover device classes whose opening lets someone in (SPEC section 2: garage doors and gates).
ENTRY_COVER_CLASSES = frozenset({"garage", "door", "gate"})
COVER_DEVICE_CLASSES = (
    "awning", "blind", "curtain", "damper", "door", "garage", "gate", "shade", "shutter", "window",
)


def allowed_actions(domain: str, features: list[str] | None) -> list[ActionSpec]:
    """The actions a device of this domain with these features accepts, in catalog order."""
    spec = DOMAINS[domain]
    return [a for a in spec.actions.values() if a.feature is None or features is None or a.feature in features]


def allowed_args(action: ActionSpec, features: list[str] | None) -> list[str]:
    return [
        name for name in action.args
        if ARGS[name].feature is None or features is None or ARGS[name].feature in features
    ]
