"""`nlsh devices import --ha URL`: build a registry from a running Home Assistant.

`/api/states` gives ids, friendly names, device classes and supported features; areas are not in
it, so they are asked for through `/api/template` (`area_name()`), and left out if that fails.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from nlsh.errors import UsageError
from nlsh.home.catalog import COVER_DEVICE_CLASSES, DOMAINS
from nlsh.home.backends.homeassistant import HomeAssistantClient, HomeAssistantError
from nlsh.home.registry import Device, Registry

# Home Assistant's supported_features bits (homeassistant.components.*.const / EntityFeature).
_FAN_SET_SPEED = 1
_CLIMATE_TARGET_TEMPERATURE = 1
_COVER_SET_POSITION = 4
_MEDIA_VOLUME = 4 | 8 | 1024  # VOLUME_SET | VOLUME_MUTE | VOLUME_STEP
_MEDIA_PLAYBACK = 1 | 16 | 32 | 4096 | 16384  # PAUSE | PREVIOUS | NEXT | STOP | PLAY
_COLOR_MODES = {"hs", "xy", "rgb", "rgbw", "rgbww"}
_BRIGHTNESS_MODES = _COLOR_MODES | {"brightness", "color_temp", "white"}

_AREA_TEMPLATE = "{% for s in states %}{{ s.entity_id }}\t{{ area_name(s.entity_id) or '' }}\n{% endfor %}"
_ID = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")


def features_from_state(domain: str, attributes: dict) -> list[str] | None:
    """The registry features a Home Assistant state's attributes support (None: not knowable)."""
    bits = attributes.get("supported_features")
    bits = bits if isinstance(bits, int) else 0
    if domain == "light":
        modes = attributes.get("supported_color_modes")
        if not isinstance(modes, list):
            return None
        feats = []
        if set(modes) & _BRIGHTNESS_MODES:
            feats.append("brightness")
        if set(modes) & _COLOR_MODES:
            feats.append("color")
        return feats
    if domain == "fan":
        return ["speed"] if bits & _FAN_SET_SPEED else []
    if domain == "climate":
        return ["temperature"] if bits & _CLIMATE_TARGET_TEMPERATURE else []
    if domain == "cover":
        return ["position"] if bits & _COVER_SET_POSITION else []
    if domain == "media_player":
        return [f for f, mask in (("volume", _MEDIA_VOLUME), ("playback", _MEDIA_PLAYBACK)) if bits & mask]
    return None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def device_from_state(state: dict, area: str | None = None) -> Device | None:
    """One registry device for a state of a supported domain; None for everything else."""
    entity_id = state.get("entity_id", "")
    if not isinstance(entity_id, str) or not _ID.match(entity_id):
        return None
    domain = entity_id.split(".", 1)[0]
    if domain not in DOMAINS:
        return None
    attrs = state.get("attributes") or {}
    name = attrs.get("friendly_name")
    device_class = attrs.get("device_class")
    if not isinstance(device_class, str) or (domain == "cover" and device_class not in COVER_DEVICE_CLASSES):
        device_class = None
    fields: dict = {
        "id": entity_id,
        "name": name.strip() if isinstance(name, str) and name.strip() else "",
        "area": area or None,
        "features": features_from_state(domain, attrs),
        "device_class": device_class,
    }
    if domain == "climate" and fields["features"] != []:
        lo, hi = _number(attrs.get("min_temp")), _number(attrs.get("max_temp"))
        if lo is not None and hi is not None and lo <= hi:
            fields.update(min_temp=lo, max_temp=hi)
    return Device.model_validate(fields)


def fetch_registry(url: str, token: str | None = None, timeout: float = 10.0) -> Registry:
    client = HomeAssistantClient(url, token, timeout)
    try:
        states = client.request("GET", "/api/states")
    except HomeAssistantError as e:
        raise UsageError(str(e)) from None
    if not isinstance(states, list):
        raise UsageError(f"Home Assistant at {client.url} did not return a list of states.")
    areas: dict[str, str] = {}
    try:
        text = client.request_text("POST", "/api/template", {"template": _AREA_TEMPLATE})
        for line in text.splitlines():
            entity_id, _, area = line.partition("\t")
            if area.strip():
                areas[entity_id.strip()] = area.strip()
    except HomeAssistantError:
        pass  # areas are a convenience; the registry is still usable without them
    devices = [d for s in states if isinstance(s, dict) and (d := device_from_state(s, areas.get(s.get("entity_id", "")))) is not None]
    devices.sort(key=lambda d: d.id)
    return Registry(devices=devices, source=client.url)


def registry_yaml(registry: Registry) -> str:
    entries = []
    for d in registry.devices:
        entry = d.model_dump(exclude_none=True, exclude_defaults=False)
        if not entry.get("aliases"):
            entry.pop("aliases", None)
        entries.append(entry)
    return yaml.safe_dump({"devices": entries}, sort_keys=False, allow_unicode=True)


def write_registry(registry: Registry, path: str | Path) -> None:
    """Write the registry as YAML atomically: a reader sees the old file or the new one, never half."""
    path = Path(path)
    text = registry_yaml(registry)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}.") from None
