"""Read the home-llm "piles" (../shared/data/home-llm/piles/english) into device names and phrase
templates in nlsh's terms: SPEC section 4 domains, Home Assistant service names, slots for values.

Only what maps onto SPEC survives: home-llm's `blinds` and `garage_door` become `cover` devices with
a device_class; services SPEC does not have (fan speed steps, humidity, timers, to-do lists, blinds
toggling) are dropped. Read at training time only; nothing here is stored in the project.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nlsh.home.catalog import CSS3_COLORS, DOMAINS

# home-llm device type -> (SPEC domain, cover device_class)
PILE_DOMAINS: dict[str, tuple[str, str | None]] = {
    "light": ("light", None),
    "switch": ("switch", None),
    "fan": ("fan", None),
    "lock": ("lock", None),
    "media_player": ("media_player", None),
    "climate": ("climate", None),
    "vacuum": ("vacuum", None),
    "blinds": ("cover", "blind"),
    "garage_door": ("cover", "garage"),
}

# home-llm service -> (SPEC action, fixed args) where the meaning is the same.
_SERVICE_RENAMES = {"volume_mute": ("volume_mute", (("is_volume_muted", True),))}

# home-llm slot -> nlsh slot (the arg it fills is in SLOT_ARGS)
_SLOT_RENAMES = {"<temp_f>": "<temp>", "<temp_c>": "<temp>", "<humidity>": None, "<fan_mode>": None,
                 "<todo>": None, "<duration>": None}

SLOT_ARGS = {
    "brightness": "brightness_pct",
    "color": "color_name",
    "temp": "temperature",
    "hvac_mode": "hvac_mode",
    "percentage": "percentage",
    "position": "position",
    "volume": "volume_level",
    "code": "code",
}

_STANDALONE_NUMBER = re.compile(r"(?<![A-Za-z0-9])\d")
# A fixed pile phrase that asks for a colour or a brightness has no slot to carry it: its answer
# would teach the model to drop the value.
_UNCARRIED_VALUE = re.compile(r"\b(" + "|".join(CSS3_COLORS) + r"|dim|dimmer|brightness|bright|percent)\b", re.I)


@dataclass(frozen=True)
class PileDevice:
    id: str
    name: str
    device_class: str | None = None

    @property
    def domain(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Part:
    """One action a template asks for: on the template's `ref`-th device (or area), filling `slots`."""

    domain: str
    action: str
    slots: tuple[str, ...] = ()
    fixed: tuple[tuple[str, object], ...] = ()
    device_class: str | None = None  # covers: "blind" or "garage"
    ref: int = 0
    specific: PileDevice | None = None  # the pile names the exact device


@dataclass(frozen=True)
class Template:
    tid: str
    phrase: str  # with <device_name>/<device_name1..3>/<area> and value slots
    parts: tuple[Part, ...]
    kind: str = "device"  # device | area | all | refusal
    weight: int = 1
    ghost: PileDevice | None = None  # refusal: the device the request names, absent from the home

    @property
    def n_refs(self) -> int:
        return max(p.ref for p in self.parts) + 1

    @property
    def fold(self) -> int:
        """Which of 64 buckets this template's records go to: records only combine templates of one
        bucket, so a dev split by bucket never shares a phrasing with train."""
        return int.from_bytes(hashlib.md5(self.tid.encode()).digest()[:4], "big") % 64


@dataclass
class Piles:
    devices: list[PileDevice] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)  # device templates, single and multi


def _map_service(pile_type: str, service: str) -> tuple[str, str | None, str, tuple] | None:
    if pile_type not in PILE_DOMAINS:
        return None
    domain, device_class = PILE_DOMAINS[pile_type]
    action, fixed = _SERVICE_RENAMES.get(service, (service, ()))
    if action not in DOMAINS[domain].actions:
        return None
    return domain, device_class, action, fixed


def _map_device_id(pile_id: str) -> tuple[str, str | None] | None:
    pile_type, _, obj = pile_id.partition(".")
    if pile_type not in PILE_DOMAINS or not obj:
        return None
    domain, device_class = PILE_DOMAINS[pile_type]
    obj = re.sub(r"[^a-z0-9_]", "_", obj.lower())
    if pile_type == "blinds" and "blind" not in obj:
        obj += "_blinds"
    if pile_type == "garage_door" and "garage" not in obj:
        obj += "_garage_door"
    return f"{domain}.{obj}", device_class


def _title(obj: str) -> str:
    return " ".join(w.capitalize() for w in obj.split("_") if w)


def _clean_phrase(phrase: str) -> str:
    return " ".join(phrase.replace('""', '"').strip().strip('"').split())


def _value_slots(phrase: str) -> tuple[str, ...] | None:
    slots = []
    for slot in re.findall(r"<([a-z_0-9]+)>", phrase):
        if slot.startswith("device_name"):
            continue
        if slot not in SLOT_ARGS:
            return None
        slots.append(slot)
    return tuple(slots)


def _verb_contradicts(action: str, phrase: str) -> bool:
    """A few pile rows label a phrase with another service ("turn off the pet fountain" as toggle);
    trained on, they teach the model to ignore the verb, and as dev references they score it wrong."""
    p = phrase.lower()
    says_toggle = re.search(r"\b(toggle|flip)", p)
    if action == "toggle":
        return not says_toggle and bool(re.search(r"\b(on|off)\b", p)) and not re.search(r"\b(on or off|off or on)\b", p)
    return action in ("turn_on", "turn_off") and bool(says_toggle)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _english(piles_dir: Path) -> Path:
    piles_dir = Path(piles_dir)
    return piles_dir / "english" if (piles_dir / "english").is_dir() else piles_dir


@lru_cache(maxsize=4)
def load_piles(piles_dir: Path) -> Piles:
    d = _english(piles_dir)
    piles = Piles()
    names: dict[str, str] = {}
    for row in _read_csv(d / "pile_of_device_names.csv"):
        mapped = _map_device_id(row["device_name"].strip())
        name = row["description"].strip().strip('"')
        # Names with a standalone number ("Custom timer 7") would blur the check that every number
        # in a request is a value in its answer.
        if mapped is None or not name or _STANDALONE_NUMBER.search(name):
            continue
        dev_id, device_class = mapped
        if dev_id in names:
            continue
        names[dev_id] = name
        piles.devices.append(PileDevice(dev_id, name, device_class))

    def specific(domain_type: str, obj: str, friendly: str | None) -> PileDevice | None:
        mapped = _map_device_id(f"{domain_type}.{obj}")
        if mapped is None:
            return None
        dev_id, device_class = mapped
        name = friendly or names.get(dev_id) or _title(dev_id.split(".", 1)[1])
        if _STANDALONE_NUMBER.search(name):
            return None
        return PileDevice(dev_id, name, device_class)

    for row in _read_csv(d / "pile_of_templated_actions.csv"):
        types, services = row["device_type"].split("|"), row["service"].split("|")
        phrase = _clean_phrase(row["phrase"])
        for old, new in _SLOT_RENAMES.items():
            if old in phrase:
                phrase = phrase.replace(old, new) if new else ""
        if not phrase or len(types) != len(services):
            continue
        phrase = re.sub(r"\s*degrees Fahrenheit|\s*Fahrenheit", " degrees", phrase).replace("degrees degrees", "degrees")
        slots = _value_slots(phrase)
        mapped = [_map_service(t, s) for t, s in zip(types, services)]
        if slots is None or any(m is None for m in mapped):
            continue
        parts = tuple(
            Part(domain, action, slots if len(mapped) == 1 else (), fixed, device_class, ref=i)
            for i, (domain, device_class, action, fixed) in enumerate(mapped)
        )
        # Climate phrases name no device ("Set the temperature to 21"): fine in a home with one
        # thermostat, which the generator arranges; a device slot is added for nothing.
        weight = 2 if slots else 1
        piles.templates.append(Template(f"tpl:{row['device_type']}:{row['service']}:{phrase}", phrase, parts, weight=weight))

    # Phrases about one named device: the specific-actions pile, and the correct side of failed calls.
    def one_device(prefix: str, service_name: str, object_id: str, friendly: str | None, raw_phrase: str) -> None:
        pile_type, _, service = service_name.partition(".")
        mapped = _map_service(pile_type, service)
        dev = specific(pile_type, object_id, friendly)
        phrase = _clean_phrase(raw_phrase)
        if mapped is None or dev is None or not phrase or "<" in phrase or _STANDALONE_NUMBER.search(phrase) \
                or _UNCARRIED_VALUE.search(phrase):
            return
        domain, device_class, action, fixed = mapped
        if _verb_contradicts(action, phrase):
            return
        part = Part(domain, action, (), fixed, device_class, specific=dev)
        piles.templates.append(Template(f"{prefix}:{service_name}:{dev.id}:{phrase}", phrase, (part,)))

    for row in _read_csv(d / "pile_of_specific_actions.csv"):
        one_device("spec", row["service_name"], row["device_name"].strip(), None, row["phrase"])
    for row in _read_csv(d / "pile_of_failed_tool_calls.csv"):
        one_device("fail", row["service_name"], row["correct_device_name"].partition(".")[2],
                   row["correct_friendly_name"].strip() or None, row["phrase"])

    for row in _read_csv(d / "pile_of_refusals.csv"):
        if row["reason_type"] != "not_available":
            continue
        pile_type, _, service = row["service_name"].partition(".")
        mapped = _map_service(pile_type, service)
        phrase = _clean_phrase(row["phrase"])
        ghost = specific(pile_type, row["device_name"].strip(), row["friendly_name"].strip() or None)
        if mapped is None or ghost is None or phrase.count("<device_name>") != 1 or _value_slots(phrase) != ():
            continue
        if _STANDALONE_NUMBER.search(phrase.replace("<device_name>", "")):
            continue
        domain, device_class, action, fixed = mapped
        part = Part(domain, action, (), fixed, device_class)
        piles.templates.append(
            Template(f"refuse:{row['service_name']}:{phrase}:{ghost.id}", phrase, (part,), kind="refusal", ghost=ghost)
        )
    return piles
