"""Training records for the home skill: requests about random homes, answered in nlsh's home answer
format (nlsh.home.answer), with the home's compact listing in the prompt (nlsh.home.registry).

Each record is built around its request: templates are picked first (home-llm piles plus
finetune.home_templates), then a home of 5-30 devices that has what they name, then references to
those devices the way people say them (name, alias, "the kitchen light"), values, and the answer.
Every record is checked with nlsh's own parser and validator before it is kept.

Mix: about 40% multi-action requests, area-wide and whole-house requests, aliases, every argument
type, terse lower-case phrasings, and requests naming a device the home does not have, answered
`no_device "<the words used>"`.

Dev split: a record's group is one of 64 buckets of phrase templates, and multi-action records only
combine templates of one bucket, so a split by group never shows a dev phrasing in training.
"""

from __future__ import annotations

import itertools
import random
import re
from functools import lru_cache
from pathlib import Path

from finetune.home_drawing import AREAS, COLORS, SCENES, area_in, home_registry, name_words, slug
from finetune.home_piles import SLOT_ARGS, Part, PileDevice, Template, load_piles
from finetune.home_spoken import SpokenGenerator
from finetune.home_templates import own_templates
from finetune.records import Record
from nlsh.home.answer import format_no_device
from nlsh.home.catalog import ARGS, DOMAINS, HVAC_WORDS
from nlsh.home.registry import Device, Registry, render_listing
from nlsh.home.validate import check_actions
from nlsh.prompt import PromptContext
from nlsh.schema import Action

# Synthetic per-area devices: (domain, device_class, noun in the name)
_SYNTH = {
    "light": [(None, "Light"), (None, "Lamp"), (None, "Ceiling Light"), (None, "Lights"), (None, "Floor Lamp")],
    "switch": [(None, "Plug"), (None, "Outlet"), (None, "Heater"), (None, "Fountain")],
    "fan": [(None, "Fan"), (None, "Ceiling Fan")],
    "climate": [(None, "Thermostat"), (None, "Heating"), (None, "AC")],
    "cover": [("blind", "Blinds"), ("shade", "Shades"), ("curtain", "Curtains"), ("garage", "Garage Door"), ("gate", "Gate")],
    "media_player": [(None, "TV"), (None, "Speaker"), (None, "Sonos")],
    "lock": [(None, "Door Lock"), (None, "Lock")],
    "vacuum": [(None, "Vacuum"), (None, "Robot Vacuum")],
}
_ALARMS = ["Home Alarm", "House Alarm", "Security System", "Alarm Panel"]
_ALIASES = {
    "light": ["lamp", "big light", "night light", "reading light", "main light", "fairy lights", "the glow",
              "fred's lamp", "anna's light", "desk lamp", "spotlight"],
    "switch": ["coffee maker", "kettle", "space heater", "christmas lights", "fountain", "dehumidifier", "fish tank"],
    "fan": ["ceiling fan", "breeze", "air circulator", "tower fan"],
    "climate": ["thermostat", "heating", "heat pump", "air con"],
    "cover": ["shades", "curtains", "roller blind", "awning"],
    "media_player": ["telly", "the box", "soundbar", "music", "stereo", "jukebox"],
    "lock": ["deadbolt", "front door", "back door", "side gate"],
    "vacuum": ["roomba", "robot", "robo", "dusty"],
    "alarm_control_panel": ["alarm", "security"],
    "scene": [],
}
# What people call a device of the domain, used in "the <area> <noun>" references.
_NOUN = {"light": ["light", "lamp"], "switch": ["plug", "switch"], "fan": ["fan"], "climate": ["thermostat"],
         "cover": ["blinds", "shades"], "media_player": ["tv", "speaker"], "lock": ["lock"], "vacuum": ["vacuum"]}
_AREA_NOUN = {"light": "lights", "cover": "blinds", "fan": "fans", "climate": "thermostat", "lock": "locks"}

_STOP = {"the", "a", "an", "my", "our", "in", "on", "of", "to", "at", "and", "please", "all", "s"}
_GENERIC = {w for nouns in _NOUN.values() for w in nouns} | {
    "lights", "lamps", "fans", "locks", "tv", "speaker", "thermostat", "blinds", "shades", "door", "garage",
    "switch", "plug", "outlet", "vacuum", "media", "player", "cover", "light", "smart", "main", "room",
}
_POLITE = re.compile(r"^(?:please|hey|can you|could you|would you|will you|kindly)[, ]+", re.I)

SHARE_NO_DEVICE = 0.10
SHARE_MULTI = 0.40
SHARE_AREA = 0.13


@lru_cache(maxsize=65536)
def _content(text: str) -> frozenset[str]:
    return frozenset(w for w in name_words(text) if w not in _STOP and w not in _GENERIC)


class _HomeBuilder:
    def __init__(self, rng: random.Random, pool: dict[tuple[str, str | None], list[PileDevice]]):
        self.rng = rng
        self.pool = pool
        self.devices: list[dict] = []
        self.ids: set[str] = set()
        self.names: set[str] = set()
        self.aliases: set[str] = set()
        self.areas = rng.sample(AREAS, rng.randint(3, 7))
        self.full_features: set[tuple[str, str | None]] = set()  # (domain, area) whose devices accept everything
        self.only_one: set[tuple[str, str | None]] = set()  # (domain, area or None=home): no more of these
        self.avoid_words: dict[str, set[str]] = {}  # domain -> words a filler of that domain must not use

    def _features(self, domain: str, needed: set[str], area: str | None) -> list[str] | None:
        spec = DOMAINS[domain].features
        if not spec or (domain, area) in self.full_features or self.rng.random() < 0.45:
            return None
        return [f for f in spec if f in needed or self.rng.random() < 0.5]

    def _allowed(self, domain: str, area: str | None, name: str) -> bool:
        if (domain, None) in self.only_one and any(d["id"].startswith(domain + ".") for d in self.devices):
            return False
        if (domain, area) in self.only_one and any(
            d["id"].startswith(domain + ".") and d.get("area") == area for d in self.devices
        ):
            return False
        return not (_content(name) & self.avoid_words.get(domain, set()))

    def add(self, dev_id: str, name: str, area: str | None, device_class: str | None = None,
            needed: set[str] = frozenset(), filler: bool = False, alias_p: float = 0.2) -> str | None:
        key = " ".join(name_words(name))
        if dev_id in self.ids or key in self.names or key in self.aliases:
            return None
        domain = dev_id.split(".", 1)[0]
        if filler and not self._allowed(domain, area, name):
            return None
        dev: dict = {"id": dev_id, "name": name}
        if area:
            dev["area"] = area
        feats = self._features(domain, set(needed), area)
        if feats is not None:
            dev["features"] = feats
        if device_class:
            dev["device_class"] = device_class
        if domain == "climate" and self.rng.random() < 0.15:
            dev["min_temp"], dev["max_temp"] = self.rng.choice([(16, 30), (10, 30), (7, 35), (15, 28), (12, 32)])
        if domain in _ALIASES and self.rng.random() < alias_p:
            options = [a for a in _ALIASES[domain] if a not in self.aliases and a not in self.names]
            if options:
                alias = self.rng.choice(options)
                dev["aliases"] = [alias]
                self.aliases.add(alias)
        self.devices.append(dev)
        self.ids.add(dev_id)
        self.names.add(key)
        return dev_id

    def synthetic(self, domain: str, device_class: str | None, area: str | None, needed=frozenset(),
                  filler: bool = False) -> str | None:
        if domain == "scene":
            name = self.rng.choice(SCENES)
            return self.add(f"scene.{slug(name)}", name, None, filler=filler)
        if domain == "alarm_control_panel":
            name = self.rng.choice(_ALARMS)
            return self.add(f"alarm_control_panel.{slug(name)}", name, None, filler=filler)
        area = area or self.rng.choice(self.areas)
        options = [(c, n) for c, n in _SYNTH[domain] if device_class is None or c == device_class]
        if domain == "cover" and device_class is None:
            options = [o for o in options if o[0] in ("blind", "shade", "curtain")] or options
        cls, noun = self.rng.choice(options)
        name = f"{area.title()} {noun}"
        obj = slug(area) if noun == "Light" else f"{slug(area)}_{slug(noun)}"
        return self.add(f"{domain}.{obj}", name, area, cls, needed, filler)

    def from_pool(self, domain: str, device_class: str | None, needed=frozenset(), filler: bool = False,
                  area: str | None = None) -> str | None:
        candidates = self.pool.get((domain, device_class)) or []
        if not candidates:
            return None
        dev = self.rng.choice(candidates)
        where = area_in(dev.name)
        if area is not None and where != area:
            return None
        if where is None and self.rng.random() < 0.8:
            where = self.rng.choice(self.areas)
        if where and where not in self.areas:
            self.areas.append(where)
        return self.add(dev.id, dev.name, where, dev.device_class, needed, filler)

    def device_for(self, part: Part, needed: set[str], area: str | None = None) -> str | None:
        for _ in range(8):
            if part.domain in ("scene", "alarm_control_panel") or self.rng.random() < 0.45:
                got = self.synthetic(part.domain, part.device_class, area, needed)
            else:
                got = self.from_pool(part.domain, part.device_class, needed, area=area)
            if got:
                return got
        return None

    def fill(self, total: int) -> None:
        domains = ["light"] * 6 + ["switch"] * 3 + ["fan"] * 2 + ["climate", "cover", "cover", "media_player",
                                                                    "media_player", "lock", "vacuum", "scene"]
        tries = 0
        while len(self.devices) < total and tries < total * 6:
            tries += 1
            domain = self.rng.choice(domains)
            if domain == "cover":
                cls = self.rng.choice(["blind", "blind", "garage"])
            else:
                cls = None
            if domain in ("scene",) or self.rng.random() < 0.4:
                self.synthetic(domain, cls, None, filler=True)
            else:
                self.from_pool(domain, cls, filler=True)

    def registry(self) -> Registry:
        return home_registry(self.devices, self.rng)


def _needed_features(part: Part) -> set[str]:
    act = DOMAINS[part.domain].actions[part.action]
    feats = {act.feature} if act.feature else set()
    feats |= {ARGS[SLOT_ARGS[s]].feature for s in part.slots if ARGS[SLOT_ARGS[s]].feature}
    return feats


def _value(slot: str, device: Device, rng: random.Random) -> tuple[str, object]:
    if slot in ("brightness", "percentage", "position"):
        v = rng.randrange(5, 101, 5) if rng.random() < 0.7 else rng.randint(1, 100)
        return str(v), v
    if slot == "volume":
        pct = rng.randrange(5, 101, 5) if rng.random() < 0.8 else rng.randint(1, 100)
        return str(pct), pct / 100
    if slot == "color":
        spoken, css = COLORS[min(int(rng.expovariate(1 / 9)), len(COLORS) - 1)]
        return spoken, css
    if slot == "temp":
        lo, hi = device.temp_range
        lo, hi = max(lo, 16), min(hi, 28)
        whole = rng.randint(int(lo), int(hi))
        if rng.random() < 0.15 and whole + 0.5 <= hi:
            return f"{whole}.5", whole + 0.5
        return str(whole), whole
    if slot == "hvac_mode":
        # "off" is left out: "thermostat off" is the device's turn_off
        mode = rng.choice(list(HVAC_WORDS))
        return rng.choice(HVAC_WORDS[mode]), mode
    if slot == "code":
        code = "".join(rng.choice("0123456789") for _ in range(rng.choice([4, 4, 4, 6])))
        return code, code
    raise ValueError(slot)


def _reference(device: Device, registry: Registry, rng: random.Random) -> str:
    """How the request names the device: its name, an alias or "<area> <noun>", always one that
    nlsh's own resolver maps back to exactly this device."""
    options: list[tuple[str, int]] = [(device.name.lower(), 6), (device.name, 2)]
    options += [(a, 4) for a in device.aliases]
    if device.area:
        options += [(f"{device.area} {noun}", 2) for noun in _NOUN.get(device.domain, [])]
    options = [(text, w) for text, w in options if [d.id for d in registry.resolve(text)] == [device.id]]
    if not options:
        return device.name.lower()
    texts, weights = zip(*options)
    return rng.choices(texts, weights)[0]


def _fill_phrase(phrase: str, refs: dict[str, str], values: dict[str, str], rng: random.Random) -> str:
    def device_slot(m: re.Match) -> str:
        ref = refs[m.group(1)]
        before = phrase[: m.start()].lower()
        bare = not re.search(r"\b(the|my|our|a)\s*$", before)
        if bare and rng.random() < 0.4 and not ref.startswith("the "):
            ref = "the " + ref
        return ref

    text = re.sub(r"<(device_name\d?)>", device_slot, phrase)
    text = re.sub(r"<(\w+)>", lambda m: values.get(m.group(1), m.group(0)), text)
    # "Lift the kitchen blinds blinds", "the the": the slot repeated a word the phrase already has
    text = re.sub(r"\b(\w+)( \1\b)+", r"\1", text, flags=re.I)
    return " ".join(text.split())


def _terse(text: str, rng: random.Random) -> str:
    text = _POLITE.sub("", text)
    text = re.sub(r",? please\b", "", text, flags=re.I)
    text = text.rstrip(".!?").lower()
    if rng.random() < 0.5:
        text = re.sub(r"\bthe ", "", text)
    return " ".join(text.split())


def _join(parts: list[str], rng: random.Random) -> str:
    cleaned = [parts[0].rstrip(".!?")]
    for p in parts[1:]:
        p = _POLITE.sub("", p.rstrip(".!?"))
        cleaned.append(p[:1].lower() + p[1:] if not p.startswith("I ") else p)
    if len(cleaned) == 2:
        joiner = rng.choice([" and ", " and ", " and ", ", then ", " then ", ", and ", " & ", "; "])
        return joiner.join(cleaned)
    if rng.random() < 0.5:
        return ", ".join(cleaned[:-1]) + " and " + cleaned[-1]
    return " and ".join(cleaned)


class HomeDataGenerator:
    def __init__(self, piles_dir: Path, seed: int):
        piles = load_piles(Path(piles_dir))
        self.rng = random.Random(seed)
        self.pool: dict[tuple[str, str | None], list[PileDevice]] = {}
        for d in piles.devices:
            self.pool.setdefault((d.domain, d.device_class), []).append(d)
        templates = piles.templates + own_templates()
        self.single = [t for t in templates if t.kind == "device" and t.n_refs == 1]
        self.multi = [t for t in templates if t.kind == "device" and t.n_refs > 1]
        self.area = [t for t in templates if t.kind in ("area", "all")]
        self.refusal = [t for t in templates if t.kind == "refusal"]
        self.single_or_area = self.single + self.area
        self._cum: dict[int, list[int]] = {}
        self.by_fold: dict[int, list[Template]] = {}
        for t in self.single + self.area:
            self.by_fold.setdefault(t.fold, []).append(t)
        self.ghostable = [t for t in self.single if all(p.specific is None for p in t.parts)
                          and "<device_name>" in t.phrase]

    # -- one record ---------------------------------------------------------------------------

    def record(self) -> Record:
        return self.sample()[0]

    def sample(self) -> tuple[Record, Registry]:
        """One record and the registry of its home (the record carries only its listing)."""
        for _ in range(40):
            r = self.rng.random()
            if r < SHARE_NO_DEVICE:
                rec = self._no_device()
            elif r < SHARE_NO_DEVICE + SHARE_MULTI:
                rec = self._multi()
            elif r < SHARE_NO_DEVICE + SHARE_MULTI + SHARE_AREA:
                rec = self._compose([self._pick(self.area)])
            else:
                rec = self._compose([self._pick(self.single)])
            if rec is not None:
                return rec
        raise RuntimeError("could not build a home record in 40 tries")

    def _pick(self, templates: list[Template]) -> Template:
        cum = self._cum.get(id(templates))
        if cum is None:
            cum = self._cum[id(templates)] = list(itertools.accumulate(t.weight for t in templates))
        return self.rng.choices(templates, cum_weights=cum)[0]

    def _multi(self) -> tuple[Record, Registry] | None:
        if self.rng.random() < 0.25:
            return self._compose([self._pick(self.multi)])
        first = self._pick(self.single_or_area)
        same_fold = self.by_fold[first.fold]
        n = 2 if self.rng.random() < 0.75 else 3
        return self._compose([first] + [self.rng.choice(same_fold) for _ in range(n - 1)])

    def _no_device(self) -> tuple[Record, Registry] | None:
        if self.rng.random() < 0.3 and self.refusal:
            t = self.rng.choice(self.refusal)
            return self._compose([t], ghost_index=0)
        t = self.rng.choice(self.ghostable)
        others = []
        if self.rng.random() < 0.3:
            others = [self.rng.choice(self.by_fold[t.fold])]
        templates = [t] + others
        self.rng.shuffle(templates)
        return self._compose(templates, ghost_index=templates.index(t))

    def _compose(self, templates: list[Template], ghost_index: int | None = None) -> tuple[Record, Registry] | None:
        rng = self.rng
        home = _HomeBuilder(rng, self.pool)
        # whole-house requests expand to every matching device: keep those homes small
        total = rng.randint(5, 15) if any(t.kind == "all" for t in templates) else rng.randint(5, 30)
        # (template index, ref) -> device id; area parts -> area
        refs: dict[tuple[int, int], str] = {}
        areas: dict[tuple[int, int], str] = {}
        ghost: PileDevice | None = None

        for ti, t in enumerate(templates):
            if ti == ghost_index:
                part = t.parts[0]
                ghost = t.ghost or self._ghost_device(part, home)
                if ghost is None:
                    return None
                home.avoid_words.setdefault(part.domain, set()).update(_content(ghost.name))
                continue
            for part in t.parts:
                key = (ti, part.ref)
                needed = _needed_features(part)
                if t.kind == "area":
                    if key not in areas:
                        area = rng.choice(home.areas)
                        areas[key] = area
                        home.full_features.add((part.domain, area))
                        count = 1 if part.domain == "climate" else rng.choice([1, 2, 2, 3])
                        for _ in range(count):
                            home.device_for(part, needed, area)
                        if part.domain == "climate":
                            home.only_one.add(("climate", area))
                    continue
                if t.kind == "all":
                    home.full_features.update((part.domain, a) for a in AREAS)
                    home.full_features.add((part.domain, None))
                    for _ in range(rng.choice([2, 2, 3, 4])):
                        home.device_for(part, needed)
                    areas[key] = ""
                    continue
                if key in refs:
                    continue
                if part.specific is not None:
                    dev = part.specific
                    got = home.add(dev.id, dev.name, area_in(dev.name), dev.device_class, needed)
                    home.avoid_words.setdefault(part.domain, set()).update(_content(t.phrase) - _content(dev.name))
                    if "<device_name" not in t.phrase and not (_content(t.phrase) & _content(dev.name)):
                        home.only_one.add((part.domain, None))  # "turn on the thermostat": the only one
                else:
                    got = home.device_for(part, needed)
                    if "<device_name" not in t.phrase:
                        home.only_one.add((part.domain, None))
                if got is None:
                    return None
                refs[key] = got
        home.fill(total)
        if ghost is not None:
            home.devices = [d for d in home.devices if not (_content(d["name"]) & _content(ghost.name) and
                                                              d["id"].startswith(ghost.domain + "."))]
        registry = home.registry()
        return self._finish(templates, registry, refs, areas, ghost_index, ghost)

    def _ghost_device(self, part: Part, home: _HomeBuilder) -> PileDevice | None:
        if self.rng.random() < 0.5 and part.domain not in ("scene", "alarm_control_panel"):
            candidates = self.pool.get((part.domain, part.device_class)) or []
            if candidates:
                return self.rng.choice(candidates)
        area = self.rng.choice([a for a in AREAS if a not in home.areas])
        if part.domain == "scene":
            name = self.rng.choice(["Disco", "Sunset", "Spa", "Game Night", "Breakfast", "Holiday"])
            return PileDevice(f"scene.{slug(name)}", name)
        if part.domain == "alarm_control_panel":
            return PileDevice("alarm_control_panel.garage_alarm", "Garage Alarm")
        options = [(c, n) for c, n in _SYNTH[part.domain] if part.device_class is None or c == part.device_class]
        cls, noun = self.rng.choice(options)
        return PileDevice(f"{part.domain}.{slug(area)}_{slug(noun)}", f"{area.title()} {noun}", cls)

    def _finish(self, templates, registry: Registry, refs, areas, ghost_index, ghost) -> tuple[Record, Registry] | None:
        rng = self.rng
        texts: list[str] = []
        actions: list[Action] = []
        ghost_text = None
        for ti, t in enumerate(templates):
            if ti == ghost_index:
                ghost_text = ghost.name.lower() if rng.random() < 0.8 else ghost.name
                if registry.resolve(ghost_text) or not _content(ghost_text):
                    return None
                texts.append(_fill_phrase(t.phrase, {"device_name": ghost_text}, self._ghost_values(t), rng))
                continue
            ref_text: dict[str, str] = {}
            values: dict[str, str] = {}
            for part in t.parts:
                key = (ti, part.ref)
                if key in areas:
                    area = areas[key]
                    noun = _AREA_NOUN.get(part.domain, "")
                    targets = registry.resolve(f"{area} {noun}" if area else f"all {noun}")
                    if not targets or (part.domain == "climate" and len(targets) != 1):
                        return None
                    if area:
                        ref_text["area"] = area
                else:
                    dev = registry.get(refs[key])
                    if dev is None:
                        return None
                    if "<device_name" not in t.phrase and not (part.specific and _content(t.phrase) & _content(dev.name)):
                        # "set the temperature to 21" names no device: only right with one of its kind
                        if sum(d.domain == dev.domain for d in registry.devices) != 1:
                            return None
                    if part.specific is not None and self._ambiguous(t.phrase, dev, registry):
                        return None
                    targets = [dev]
                    slot = "device_name" if t.n_refs == 1 else f"device_name{part.ref + 1}"
                    if slot not in ref_text:
                        ref_text[slot] = dev.name if dev.domain == "scene" and rng.random() < 0.3 else _reference(dev, registry, rng)
                        if dev.domain == "scene":
                            ref_text[slot] = ref_text[slot].lower()
                args: dict[str, object] = dict(part.fixed)
                for slot_name in part.slots:
                    if slot_name not in values:
                        values[slot_name], values["=" + slot_name] = _value(slot_name, targets[0], rng)
                    args[SLOT_ARGS[slot_name]] = values["=" + slot_name]
                for dev in targets:
                    actions.append(Action(device=dev.id, action=part.action, args=dict(args)))
            texts.append(_fill_phrase(t.phrase, ref_text, {k: v for k, v in values.items() if not k.startswith("=")}, rng))
        utterance = texts[0] if len(texts) == 1 else _join(texts, rng)
        if rng.random() < 0.25:
            utterance = _terse(utterance, rng)
        elif rng.random() < 0.3:
            utterance = utterance[:1].lower() + utterance[1:]
        if "<" in utterance:
            return None
        for a in actions:
            # "the desk light green" reads as lightgreen: leave such requests out
            css = a.args.get("color_name")
            if css and re.search(rf"\b(light|dark|deep|medium|pale|hot) {re.escape(css)}\b", utterance.lower()):
                return None
        if ghost_text is not None:
            # quote the words exactly as the (possibly lower-cased) request has them
            at = utterance.lower().find(ghost_text.lower())
            if at < 0:
                return None
            answer = format_no_device(utterance[at: at + len(ghost_text)])
        else:
            verdict = check_actions(actions, registry)
            if not verdict.valid:
                return None
            answer = verdict.command
        main = templates[ghost_index if ghost_index is not None else 0]
        record = Record(
            instruction=utterance,
            answer=answer,
            context=PromptContext(devices=render_listing(registry)),
            source="home",
            group=f"home:{main.fold:02d}",
        )
        return record, registry

    @staticmethod
    def _ambiguous(phrase: str, target: Device, registry: Registry) -> bool:
        """Whether a fixed pile phrase ("toggle the living room lights") could also mean another
        device of this home: one whose distinctive words all appear in it."""
        said = set(name_words(phrase))
        for d in registry.devices:
            if d.id == target.id:
                continue
            for label in (d.name, *d.aliases):
                words = _content(label)
                if words and words <= said:
                    return True
        return False

    def _ghost_values(self, t: Template) -> dict[str, str]:
        probe = Device(id="climate.probe")
        return {slot: _value(slot, probe, self.rng)[0] for p in t.parts for slot in p.slots}


# Share of home records in people's words (finetune.home_spoken): implied devices, number words,
# capabilities, groups, negations, speech. The shipped model, trained on templates alone, got 37.9%
# of the people's-words dev set (bench/home_words) exactly right against 93.1% of the templated dev
# split in the same run (2026-12-07).
SHARE_SPOKEN = 0.4


def build_home_records(piles_dir: Path, n: int, seed: int, spoken_share: float = SHARE_SPOKEN) -> list[Record]:
    """n home records for random homes, deterministic for a seed. `piles_dir` is home-llm's
    piles directory (its `english` subdirectory is used when present). About `spoken_share` of them
    are in people's words; the others come from the templates, drawn exactly as with no spoken
    share at all (their own random stream), so a seed's templated records stay the same."""
    templated = HomeDataGenerator(Path(piles_dir), seed)
    spoken = SpokenGenerator(Path(piles_dir), seed) if spoken_share > 0 else None
    mix = random.Random(f"home-mix:{seed}")
    records = []
    for _ in range(n):
        if spoken is not None and mix.random() < spoken_share:
            record, registry, _ = spoken.sample()
        else:
            record, registry = templated.sample()
        record.registry = registry.model_dump(mode="json")
        records.append(record)
    return records


def random_home_listing(piles_dir: Path, seed: int) -> str:
    """The device listing of one random home: for shell records that should see a registry too,
    so the model learns that a listing in the prompt does not make every request a home request."""
    gen = HomeDataGenerator(Path(piles_dir), seed)
    home = _HomeBuilder(gen.rng, gen.pool)
    home.fill(gen.rng.randint(5, 30))
    return render_listing(home.registry())
