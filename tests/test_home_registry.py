"""Device registry: loading, one-sentence errors, phrase resolution, the compact prompt listing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlsh.errors import UsageError
from nlsh.home.registry import RegistryError, load_registry, registry_from_data, render_listing

REPO = Path(__file__).resolve().parents[1]

HOME_YAML = """\
devices:
  - id: light.kitchen
    name: Kitchen Light
    area: kitchen
    aliases: [kitchen lamp]
    features: [brightness, color]
  - id: light.kitchen_counter
    name: Counter Light
    area: kitchen
  - id: light.desk
    name: Desk Lamp
    area: office
    aliases: [the lamp]
    features: []
  - id: climate.living_room
    name: Thermostat
    area: living room
    min_temp: 16
    max_temp: 28
  - id: cover.garage
    name: Garage Door
    device_class: garage
  - id: cover.office_blinds
    name: Office Blinds
    area: office
    device_class: blind
  - id: lock.front_door
    name: Front Door
  - id: media_player.tv
    name: Living Room TV
    area: living room
"""


@pytest.fixture
def home(tmp_path: Path):
    path = tmp_path / "home.yaml"
    path.write_text(HOME_YAML)
    return load_registry(path)


def test_loads_yaml_with_derived_domain_and_defaults(home):
    assert [d.id for d in home.devices][:3] == ["light.kitchen", "light.kitchen_counter", "light.desk"]
    kitchen = home.get("light.kitchen")
    assert kitchen.domain == "light" and kitchen.object_id == "kitchen"
    assert kitchen.features == ["brightness", "color"]
    assert home.get("light.kitchen_counter").features is None  # no key: everything the domain offers
    assert home.get("climate.living_room").temp_range == (16, 28)
    assert home.get("cover.garage").device_class == "garage"
    assert home.areas == ["kitchen", "living room", "office"]


def test_json_registry_and_default_name(tmp_path: Path):
    path = tmp_path / "home.json"
    path.write_text(json.dumps({"devices": [{"id": "switch.coffee_maker"}]}))
    reg = load_registry(path)
    assert reg.get("switch.coffee_maker").name == "Coffee Maker"


def test_content_hash_ignores_order_and_file(tmp_path: Path, home):
    data = {"devices": list(reversed(registry_from_data(
        {"devices": [d.model_dump(exclude_none=True) for d in home.devices]}).model_dump()["devices"]))}
    other = registry_from_data(data, "elsewhere.yaml")
    assert other.content_hash == home.content_hash
    changed = registry_from_data({"devices": data["devices"][1:]})
    assert changed.content_hash != home.content_hash


BAD = [
    ("devices:\n  - id: light.kitchen\n    name: [unclosed\n", ["not valid YAML", "line"]),
    ("devices:\n  - id: light.a\n  - name: No Id\n", ["device 2", "'id' is missing"]),
    ("devices:\n  - id: lights.kitchen\n", ["device 1 (lights.kitchen)", "unknown domain 'lights'"]),
    ("devices:\n  - id: light.a\n  - id: switch.b\n  - id: light.a\n", ["device 3 (light.a)", "already used by device 1"]),
    ("devices:\n  - id: light.a\n    features: [dimmer]\n", ["device 1 (light.a)", "'dimmer' is not a feature of light"]),
    ("devices:\n  - id: light.a\n    colour: red\n", ["device 1 (light.a)", "'colour' is not a known field"]),
    ("devices:\n  - id: Light Kitchen\n", ["not of the form <domain>.<object_id>"]),
    ("devices:\n  - id: cover.x\n    device_class: trapdoor\n", ["'trapdoor' is not a cover class"]),
    ("devices:\n  - id: light.a\n    aliases: lamp\n", ["field 'aliases' must be a list"]),
    ("- id: light.a\n", ["expected a mapping with a 'devices' list"]),
    ("devices:\n  - id: light.a\ndevice:\n  - id: light.b\n", ["unknown top-level key 'device'"]),
]


@pytest.mark.parametrize("text,expected", BAD, ids=[b[1][-1] for b in BAD])
def test_each_mistake_is_one_sentence_naming_file_device_and_field(tmp_path: Path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    msg = err.value.message
    assert isinstance(err.value, UsageError) and err.value.exit_code == 2
    assert str(path) in msg
    for part in expected:
        assert part in msg
    assert "\n" not in msg and msg.endswith(".")
    assert "Traceback" not in msg and "pydantic" not in msg.lower()


def test_all_problems_are_collected(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("devices:\n  - id: lights.a\n  - name: x\n  - id: light.b\n    features: [x]\n")
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert len(err.value.problems) == 3
    assert "(and 2 more problems)" in err.value.message


def test_missing_and_bad_json_files(tmp_path: Path):
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text('{"devices": [')
    with pytest.raises(RegistryError, match=r"bad.json is not valid JSON \(line 1"):
        load_registry(bad)


@pytest.mark.parametrize(
    "phrase,expected",
    [
        ("the kitchen lights", ["light.kitchen", "light.kitchen_counter"]),
        ("lights in the kitchen", ["light.kitchen", "light.kitchen_counter"]),
        ("all the lights", ["light.kitchen", "light.kitchen_counter", "light.desk"]),
        ("the kitchen lamp", ["light.kitchen"]),  # alias wins over area + noun
        ("the lamp", ["light.desk"]),
        ("Desk Lamp", ["light.desk"]),
        ("counter light", ["light.kitchen_counter"]),
        ("the garage door", ["cover.garage"]),
        ("the office blinds", ["cover.office_blinds"]),
        ("all the blinds", ["cover.office_blinds"]),  # a garage door is not a blind
        ("thermostat", ["climate.living_room"]),
        ("living room tv", ["media_player.tv"]),
        ("light.desk", ["light.desk"]),
        ("the garage heater", []),
        ("bedroom lights", []),
    ],
)
def test_resolve(home, phrase, expected):
    assert [d.id for d in home.resolve(phrase)] == expected


def test_listing_is_one_short_line_per_device(home):
    listing = render_listing(home)
    lines = listing.splitlines()
    assert len(lines) == len(home.devices)
    assert lines[0] == "light.kitchen aka kitchen lamp [brightness,color]"  # name and area are in the id
    assert lines[1] == "light.kitchen_counter: Counter Light"
    assert lines[2] == "light.desk (office) aka the lamp []"  # "Desk Lamp" is the id plus a light word
    assert "climate.living_room: Thermostat" in lines  # the id says the area
    assert "media_player.tv: Living Room TV (living room)" in lines
    assert all(len(line) < 80 for line in lines)


def _devices_cli(*args: str, env_home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nlsh", "devices", *args], capture_output=True, text=True, cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(env_home), "XDG_CONFIG_HOME": str(env_home / "cfg"),
             "PYTHONPATH": str(REPO)},
        timeout=60,
    )


def test_cli_list(tmp_path: Path):
    path = tmp_path / "home.yaml"
    path.write_text(HOME_YAML)
    r = _devices_cli("list", "--devices", str(path), env_home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "light.kitchen" in r.stdout and "kitchen lamp" in r.stdout
    assert "8 devices in 3 areas." in r.stdout
    r = _devices_cli("list", "--devices", str(path), "--json", env_home=tmp_path)
    assert [d["id"] for d in json.loads(r.stdout)["devices"]][-1] == "media_player.tv"


@pytest.mark.parametrize("text", [t for t, _ in BAD[:4]])
def test_cli_bad_registry_exits_2_with_one_line(tmp_path: Path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = _devices_cli("list", "--devices", str(path), env_home=tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and str(path) in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_without_registry_says_how_to_give_one(tmp_path: Path):
    r = _devices_cli("list", env_home=tmp_path)
    assert r.returncode == 2
    assert "--devices" in r.stderr


def test_big_homes_list_only_the_devices_a_request_points_at():
    from nlsh.home.registry import LISTING_LIMIT

    devices = [{"id": f"switch.plug_{i}", "name": f"Plug {i}", "area": f"room {i}"} for i in range(200)]
    devices += [{"id": "light.kitchen", "area": "kitchen"}, {"id": "light.garage", "aliases": ["shop light"]}]
    big = registry_from_data({"devices": devices})
    full = render_listing(big)
    assert len(full.splitlines()) == 202  # without a focus: everything
    focused = render_listing(big, focus="turn on the kitchen light and the shop light").splitlines()
    assert focused == ["light.kitchen", "light.garage aka shop light"]  # registry order, nothing else
    plugs = render_listing(big, focus="switch off every plug").splitlines()
    assert len(plugs) == LISTING_LIMIT and all(line.startswith("switch.plug_") for line in plugs)
    small = registry_from_data({"devices": devices[:10]})
    assert render_listing(small, focus="kitchen") == render_listing(small)  # small homes: the same text always
