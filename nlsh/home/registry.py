"""The device registry (SPEC section 4): loading with one readable sentence per mistake, lookup of the
phrases people use for devices ("the kitchen lights", "the lamp"), and the compact listing the model
reads in its prompt."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from nlsh.errors import UsageError
from nlsh.home.catalog import COVER_DEVICE_CLASSES, DEFAULT_MAX_TEMP, DEFAULT_MIN_TEMP, DOMAINS
from nlsh.home.kinds import ACTIVITY_KINDS, OUTSIDE, WINDOW_CLASSES, implied, is_kind, is_outdoor, noun_kind

_ID = re.compile(r"^([a-z_]+)\.([a-z0-9_]+)$")


class RegistryError(UsageError):
    """A registry that cannot be used. `problems` holds every mistake found, one sentence each."""

    def __init__(self, problems: list[str]):
        message = problems[0]
        if len(problems) > 1:
            message = f"{message.rstrip('.')} (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})."
        super().__init__(message)
        self.problems = problems


class Device(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str = ""
    area: str | None = None
    aliases: list[str] = Field(default_factory=list)
    # None: everything the domain offers; a list: the base actions plus exactly these capabilities.
    features: list[str] | None = None
    device_class: str | None = None
    # Climate only: the setpoint range the device accepts (defaults 5-35).
    min_temp: float | None = None
    max_temp: float | None = None

    @field_validator("id")
    @classmethod
    def _check_id(cls, v: str) -> str:
        m = _ID.match(v)
        if not m:
            raise ValueError(f"'{v}' is not of the form <domain>.<object_id> (lower-case letters, digits, _)")
        if m.group(1) not in DOMAINS:
            raise ValueError(f"'{v}' has unknown domain '{m.group(1)}' (known: {', '.join(DOMAINS)})")
        return v

    @field_validator("name", "area", "device_class")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return v.strip() if isinstance(v, str) else v

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, v: list[str]) -> list[str]:
        out = [a.strip() for a in v]
        if any(not a for a in out):
            raise ValueError("an alias is empty")
        return out

    @model_validator(mode="after")
    def _check_domain_fields(self) -> "Device":
        spec = DOMAINS[self.domain]
        if self.features is not None:
            for f in self.features:
                if f not in spec.features:
                    known = ", ".join(spec.features) or "none"
                    raise ValueError(f"field 'features': '{f}' is not a feature of {self.domain} (known: {known})")
        if self.device_class is not None and self.domain == "cover" and self.device_class not in COVER_DEVICE_CLASSES:
            raise ValueError(
                f"field 'device_class': '{self.device_class}' is not a cover class (known: {', '.join(COVER_DEVICE_CLASSES)})"
            )
        if (self.min_temp is not None or self.max_temp is not None) and self.domain != "climate":
            raise ValueError("fields 'min_temp' and 'max_temp' only apply to climate devices")
        if self.temp_range[0] > self.temp_range[1]:
            raise ValueError("field 'min_temp' is above 'max_temp'")
        if not self.name:
            object.__setattr__(self, "name", self.object_id.replace("_", " ").title())
        return self

    @property
    def domain(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def object_id(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def temp_range(self) -> tuple[float, float]:
        lo = self.min_temp if self.min_temp is not None else DEFAULT_MIN_TEMP
        hi = self.max_temp if self.max_temp is not None else DEFAULT_MAX_TEMP
        return lo, hi

    def has(self, feature: str | None) -> bool:
        return feature is None or self.features is None or feature in self.features


_POSSESSIVE = re.compile(r"'s\b")
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def plain_words(text: str) -> str:
    """Lower-case words only: "Fred's  Lamp!" and "freds_lamp" both become "freds lamp"."""
    text = _POSSESSIVE.sub("s", text.lower().replace("_", " ").replace("’", "'")).replace("'", "")
    return " ".join(_WORD.findall(text))


# Words people use for a domain's devices, singular and plural. A cover noun may narrow the
# device_class ("garage door" means a garage cover, not the blinds).
DEVICE_NOUNS: dict[str, tuple[str, frozenset | None]] = {}
for _domain, _words_, _classes in (
    ("light", "light lights lamp lamps lighting", None),
    ("switch", "switch switches plug plugs outlet outlets socket sockets", None),
    ("fan", "fan fans", None),
    ("climate", "thermostat thermostats heating heater heaters ac climate", None),
    ("cover", "blind blinds shade shades shutter shutters curtain curtains", WINDOW_CLASSES),
    ("cover", "garage garage_door garage_doors", frozenset({"garage"})),
    ("cover", "gate gates", frozenset({"gate"})),
    ("cover", "cover covers", None),
    ("lock", "lock locks", None),
    ("media_player", "tv tvs television speaker speakers media_player media_players player", None),
    ("vacuum", "vacuum vacuums robot_vacuum", None),
    ("scene", "scene scenes", None),
    ("alarm_control_panel", "alarm alarms", None),
):
    for _w in _words_.split():
        DEVICE_NOUNS[_w.replace("_", " ")] = (_domain, _classes)
def is_plural(word: str) -> bool:
    """Whether a device noun says more than one ("lights", and "lighting", which is all of them)."""
    word = word.lower()
    return word == "lighting" or (len(word) > 2 and word.endswith("s") and not word.endswith("ss"))


def in_area(device_area: str, said: str) -> bool:
    """Whether a device's area is the area a request says: the same words, or one out of doors
    where the request says "outside" or "outdoor" ("lights on outside": the porch and the garden)."""
    if said in OUTSIDE:
        return is_outdoor(device_area)
    return plain_words(device_area) == said


# Words before a device phrase that name nothing ("all the kitchen lights" is "kitchen lights").
LEADING_WORDS = frozenset({"all", "every", "each", "both", "of", "the", "my", "our"})
_LEAD = re.compile(r"^(?:(?:" + "|".join(sorted(LEADING_WORDS)) + r")\s+)+")


class Registry(BaseModel):
    model_config = ConfigDict(frozen=True)

    devices: list[Device] = Field(default_factory=list)
    # Where it was read from, for messages; not part of its content.
    source: str | None = Field(default=None, exclude=True)
    _by_id: dict[str, Device] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context) -> None:
        self._by_id = {d.id: d for d in self.devices}

    def get(self, device_id: str) -> Device | None:
        return self._by_id.get(device_id)

    def __contains__(self, device_id: str) -> bool:
        return device_id in self._by_id

    @property
    def areas(self) -> list[str]:
        return sorted({d.area for d in self.devices if d.area})

    @cached_property
    def content_hash(self) -> str:
        """sha256 of the devices alone: equal for the same home whatever file or order it came from."""
        canon = json.dumps(sorted((d.model_dump() for d in self.devices), key=lambda d: d["id"]), sort_keys=True)
        return hashlib.sha256(canon.encode()).hexdigest()

    def resolve(self, phrase: str) -> list[Device]:
        """The devices a phrase names: an id, a name, an alias, "the kitchen lights" (every light in
        the kitchen), "the lights in the kitchen", or "all the lights". Empty when nothing matches."""
        raw = phrase.strip()
        if raw in self._by_id:
            return [self._by_id[raw]]
        p = _LEAD.sub("", plain_words(raw))
        if not p:
            return []
        names, aliases = self._names
        if p in names:
            return [names[p]]
        if p in aliases:
            return [aliases[p]]
        if p in ACTIVITY_KINDS:
            return implied(self, p)
        area, noun = self._split_area_noun(p)
        if noun is None:
            return []
        domain, classes = DEVICE_NOUNS[noun]
        found = [
            d for d in self.devices
            if d.domain == domain
            and (classes is None or d.device_class in classes)
            and (area is None or (d.area is not None and in_area(d.area, area)))
        ]
        # "kill both tvs" is the TVs, not the speaker beside them (bench/home_words); a home whose
        # TV is called something else keeps every player.
        kind = noun_kind(domain, noun)
        if kind is None:
            return found
        return [d for d in found if is_kind(d, kind)] or found

    @cached_property
    def _names(self) -> tuple[dict[str, Device], dict[str, Device]]:
        """Normalised name/object id -> device, and alias -> device; the first device wins."""
        names: dict[str, Device] = {}
        aliases: dict[str, Device] = {}
        def key(text: str) -> str:
            return _LEAD.sub("", plain_words(text))

        for d in self.devices:
            names.setdefault(key(d.name), d)
            names.setdefault(key(d.object_id), d)
            for a in d.aliases:
                aliases.setdefault(key(a), d)
        return names, aliases

    def _split_area_noun(self, p: str) -> tuple[str | None, str | None]:
        m = re.match(r"^(.+?)\s+(?:(?:in|on|at)\s+(?:the\s+)?(.+)|(outside|outdoors))$", p)
        if m and m.group(1) in DEVICE_NOUNS:
            return m.group(2) or m.group(3), m.group(1)
        for noun in sorted(DEVICE_NOUNS, key=len, reverse=True):
            if p == noun:
                return None, noun
            if p.endswith(" " + noun):
                return p[: -len(noun) - 1], noun
        return None, None


_KNOWN_FIELDS = ", ".join(Device.model_fields)
_PYDANTIC_WORDS = {
    "missing": "is missing",
    "string_type": "must be text",
    "list_type": "must be a list",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "extra_forbidden": f"is not a known field (known: {_KNOWN_FIELDS})",
    "model_type": "must be a mapping of fields",
}


def _problem(where: str, loc: tuple, err: dict) -> str:
    field = ".".join(str(x) for x in loc) if loc else ""
    if err["type"] == "value_error":
        msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
        return f"{where}: {'field ' + repr(field) + ': ' if field else ''}{msg}."
    words = _PYDANTIC_WORDS.get(err["type"], err["msg"][0].lower() + err["msg"][1:])
    return f"{where}: field '{field}' {words}."


def registry_from_data(data: object, source: str = "registry") -> Registry:
    """Build a Registry from already-parsed YAML/JSON, collecting every mistake as one sentence."""
    if not isinstance(data, dict) or "devices" not in data:
        raise RegistryError([f"{source}: expected a mapping with a 'devices' list at the top."])
    extra = [k for k in data if k != "devices"]
    problems: list[str] = [f"{source}: unknown top-level key '{k}' (expected only 'devices')." for k in extra]
    raw_devices = data["devices"]
    if raw_devices is None:
        raw_devices = []
    if not isinstance(raw_devices, list):
        raise RegistryError([f"{source}: 'devices' must be a list of devices."])
    devices: list[Device] = []
    first_entry: dict[str, int] = {}
    for i, raw in enumerate(raw_devices, start=1):
        ident = raw.get("id") if isinstance(raw, dict) else None
        where = f"{source}: device {i}" + (f" ({ident})" if isinstance(ident, str) else "")
        try:
            dev = Device.model_validate(raw)
        except ValidationError as e:
            problems.extend(_problem(where, tuple(err["loc"]), err) for err in e.errors())
            continue
        if dev.id in first_entry:
            problems.append(f"{where}: id '{dev.id}' is already used by device {first_entry[dev.id]}.")
            continue
        first_entry[dev.id] = i
        devices.append(dev)
    if problems:
        raise RegistryError(problems)
    return Registry(devices=devices, source=source)


def load_registry(path: str | Path) -> Registry:
    """Read a YAML or JSON registry file. Raises RegistryError (a UsageError, exit 2) naming the
    file, the device and the field of each mistake."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError([f"device registry {name} does not exist."]) from None
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise RegistryError([f"cannot read device registry {name}: {reason}."]) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise RegistryError([f"{name} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})."]) from None
    else:
        import yaml  # here, not at the top: every nlsh start imports this module, few read YAML

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1}: {getattr(e, 'problem', '')})" if mark else ""
            raise RegistryError([f"{name} is not valid YAML{where}."]) from None
    return registry_from_data(data, name)


def _words(text: str) -> list[str]:
    return plain_words(text).split()


_DOMAIN_WORD = {
    "light": {"light", "lights", "lamp"}, "switch": {"switch", "plug", "outlet"}, "fan": {"fan"},
    "climate": {"thermostat", "climate"}, "cover": {"blinds", "blind", "cover", "door", "shade", "shades"},
    "lock": {"lock"}, "media_player": {"tv", "speaker", "player"}, "vacuum": {"vacuum"}, "scene": {"scene"},
    "alarm_control_panel": {"alarm"},
}


def listing_line(d: Device) -> str:
    """One device as the model reads it: `id: Name (area) aka alias|alias [features]`.

    The name is left out when the id already says it (light.kitchen, "Kitchen Light") and the
    area when the id contains it: every token here is paid for on every CPU request.
    """
    obj = _words(d.object_id)
    name = _words(d.name)
    parts = [d.id]
    if name != obj and not (name[:-1] == obj and name[-1:] and name[-1] in _DOMAIN_WORD.get(d.domain, ())):
        parts[0] += ":"
        parts.append(d.name)
    if d.area and f" {plain_words(d.area)} " not in f" {' '.join(obj)} ":
        parts.append(f"({d.area})")
    if d.aliases:
        parts.append("aka " + "|".join(d.aliases))
    if d.features is not None:
        parts.append("[" + ",".join(d.features) + "]")
    return " ".join(parts)


LISTING_LIMIT = 60  # devices; a bigger home lists only those a request's words point at


def relevant_devices(registry: Registry, instruction: str, limit: int = LISTING_LIMIT) -> list[Device]:
    """The devices a request is most likely about, in registry order: those sharing words with it
    (name, alias, area, id, or a noun of its domain), best first, at most `limit`."""
    said = set(plain_words(instruction).split())
    scored = []
    for i, d in enumerate(registry.devices):
        words = set(plain_words(" ".join([d.name, d.object_id, d.area or "", *d.aliases])).split())
        score = 2 * len(said & words) + sum(1 for w in said if DEVICE_NOUNS.get(w, ("",))[0] == d.domain)
        if score:
            scored.append((-score, i, d))
    if not scored:
        return registry.devices[:limit]
    keep = sorted(scored)[:limit]
    return [d for _, _, d in sorted(keep, key=lambda t: t[1])]


def render_listing(registry: Registry, focus: str | None = None, limit: int = LISTING_LIMIT) -> str:
    """The compact listing that goes into PromptContext.devices, one line per device.

    Homes up to `limit` devices are listed whole (the same text for every request, so a prompt
    cache keeps it). A bigger home would not fit the context (about 12 tokens a device): with
    `focus` (the request) only the devices it points at are listed. The grammar still allows every
    device either way.
    """
    devices = registry.devices
    if focus is not None and len(devices) > limit:
        devices = relevant_devices(registry, focus, limit)
    return "\n".join(listing_line(d) for d in devices)
