"""The home answer format (nlsh.home.answer) and the device-action validator (nlsh.home.validate)."""

from __future__ import annotations

import pytest

from nlsh.errors import NoTranslation
from nlsh.home.answer import (
    BadAnswer,
    NoSuchDevice,
    format_answer,
    format_no_device,
    is_home_answer,
    parse_answer,
)
from nlsh.home.registry import registry_from_data
from nlsh.home.validate import check_actions
from nlsh.schema import Action, Risk

HOME = registry_from_data(
    {
        "devices": [
            {"id": "light.kitchen", "area": "kitchen", "features": ["brightness", "color"]},
            {"id": "light.desk", "name": "Desk Lamp", "features": []},
            {"id": "fan.bedroom", "features": []},
            {"id": "fan.office"},
            {"id": "climate.living_room", "min_temp": 16, "max_temp": 28},
            {"id": "cover.garage", "name": "Garage Door", "device_class": "garage"},
            {"id": "cover.driveway_gate", "device_class": "gate"},
            {"id": "cover.kitchen_blinds", "device_class": "blind"},
            {"id": "cover.barn", "name": "Barn Door"},
            {"id": "lock.front_door"},
            {"id": "media_player.tv", "features": ["playback"]},
            {"id": "media_player.kitchen_speaker"},
            {"id": "alarm_control_panel.house"},
            {"id": "scene.movie_night"},
        ]
    },
    "home.yaml",
)


def acts(text: str) -> list[Action]:
    return parse_answer(text, HOME)


# -- the answer format ------------------------------------------------------------------------


def test_spec_example_round_trip():
    text = "light.kitchen turn_off; climate.living_room set_temperature temperature=21"
    actions = acts(text)
    assert [a.model_dump() for a in actions] == [
        {"device": "light.kitchen", "action": "turn_off", "args": {}},
        {"device": "climate.living_room", "action": "set_temperature", "args": {"temperature": 21}},
    ]
    assert format_answer(actions) == text


def test_values_are_typed_and_written_one_way():
    actions = acts(
        "light.kitchen turn_on brightness_pct=40 color_name=red; climate.living_room set_temperature temperature=21.5; "
        "media_player.kitchen_speaker volume_set volume_level=0.35; media_player.kitchen_speaker volume_mute is_volume_muted=false"
    )
    assert actions[0].args == {"brightness_pct": 40, "color_name": "red"}
    assert actions[1].args == {"temperature": 21.5}
    assert actions[2].args == {"volume_level": 0.35}
    assert actions[3].args == {"is_volume_muted": False}
    # arguments come out in catalog order whatever order they were given in
    a = Action(device="light.kitchen", action="turn_on", args={"color_name": "blue", "brightness_pct": 5})
    assert format_answer([a]) == "light.kitchen turn_on brightness_pct=5 color_name=blue"
    assert format_answer([Action(device="media_player.tv", action="volume_set", args={"volume_level": 1.0})]).endswith("=1")


def test_no_device_answer_raises_a_no_translation_sentence():
    with pytest.raises(NoSuchDevice) as err:
        acts('no_device "garage heater"')
    assert isinstance(err.value, NoTranslation)
    assert err.value.message == "no such device: garage heater"
    assert format_no_device('the "big" heater; now') == 'no_device "the big heater now"'


def test_a_no_device_answer_for_several_devices_asks_which():
    """"turn on the fan" in a home with two fans: no one device is meant, and the refusal says so."""
    with pytest.raises(NoSuchDevice) as err:
        acts('no_device "fan"')
    assert err.value.message == "'fan' could be Bedroom or Office: say which."
    with pytest.raises(NoSuchDevice, match="^no such device: fans$"):  # a plural is not a question
        acts('no_device "fans"')
    with pytest.raises(NoSuchDevice, match="^no such device: attic fan$"):
        acts('no_device "attic fan"')


@pytest.mark.parametrize("text", ["", "light.kitchen", "light.kitchen turn_on brightness_pct", "Kitchen turn_on",
                                  "light.kitchen turn_on a=1 a=2", "no_device garage"])
def test_bad_text_raises_bad_answer(text):
    with pytest.raises(BadAnswer):
        acts(text)


def test_unknown_device_with_registry_is_no_such_device():
    with pytest.raises(NoSuchDevice, match="no such device: light.garage"):
        acts("light.garage turn_on")
    assert parse_answer("light.garage turn_on")[0].device == "light.garage"  # without a registry: syntax only


@pytest.mark.parametrize(
    "text,home",
    [("light.kitchen turn_off", True), ('no_device "x"', True), ("alarm_control_panel.house alarm_disarm", True),
     ("ls -la", False), ("git.status foo", False), ("find . -name x", False), ("echo light.kitchen turn_on", False)],
)
def test_is_home_answer(text, home):
    assert is_home_answer(text) is home


# -- the validator ----------------------------------------------------------------------------


def test_valid_actions_are_caution():
    v = check_actions(acts("light.kitchen turn_on brightness_pct=40 color_name=red; fan.office set_percentage percentage=30; "
                           "cover.kitchen_blinds open_cover; lock.front_door lock; scene.movie_night turn_on"), HOME)
    assert v.valid and v.risk == Risk.caution and v.reasons == []
    assert v.command.startswith("light.kitchen turn_on brightness_pct=40")


@pytest.mark.parametrize(
    "text,reason",
    [
        ("light.garage turn_on", "no such device: light.garage"),
        ("light.kitchen open_cover", "light has no action 'open_cover'"),
        ("light.desk turn_on brightness_pct=40", "needs the 'brightness' feature"),
        ("fan.bedroom set_percentage percentage=20", "needs the 'speed' feature"),
        ("media_player.tv volume_up", "needs the 'volume' feature"),
        ("light.kitchen turn_on brightness_pct=101", "brightness_pct 101 is out of range (0-100)"),
        ("light.kitchen turn_on brightness_pct=4.5", "brightness_pct must be a whole number"),
        ("light.kitchen turn_on color_name=blurple", "color_name 'blurple' is not one of the known values"),
        ("climate.living_room set_temperature temperature=30", "temperature 30 is out of range (16-28)"),
        ("climate.living_room set_temperature temperature=warm", "temperature must be a number"),
        ("climate.living_room set_temperature", "set_temperature needs temperature"),
        ("climate.living_room set_hvac_mode hvac_mode=turbo", "hvac_mode 'turbo' is not one of the known values"),
        ("media_player.kitchen_speaker volume_set volume_level=1.5", "volume_level 1.5 is out of range (0-1)"),
        ("media_player.kitchen_speaker volume_set volume_level=40", "out of range (0-1); 40% is 0.4"),
        ("fan.office set_percentage percentage=150", "percentage 150 is out of range (0-100)"),
        ("cover.kitchen_blinds set_cover_position position=-5", "position -5 is out of range (0-100)"),
        ("light.kitchen turn_on brightness_pct=120", "brightness_pct 120 is out of range (0-100)"),
        ("media_player.kitchen_speaker volume_mute is_volume_muted=yes", "must be true or false"),
        ("light.kitchen turn_off transition=2", "turn_off takes no field 'transition'"),
        ("alarm_control_panel.house alarm_disarm code=12", "code must be 4 to 8 digits"),
        ("fan.office turn_on; fan.office turn_off", "turn_on and turn_off contradict each other"),
        ("light.kitchen turn_on; light.kitchen turn_on", "turn_on is given twice"),
        ("light.kitchen turn_on brightness_pct=20; light.kitchen turn_on brightness_pct=80", "given twice with different values"),
        ("cover.kitchen_blinds open_cover; cover.kitchen_blinds close_cover", "contradict"),
        ("lock.front_door lock; lock.front_door unlock", "contradict"),
    ],
)
def test_rejections_say_why(text, reason):
    v = check_actions(parse_answer(text), HOME)
    assert not v.valid
    assert any(reason in r for r in v.reasons), v.reasons


def test_a_level_of_zero_from_a_user_or_a_script_is_in_specs_range():
    """The grammar leaves 0 out (the model writes turn_off for it); SPEC's 0-100 still holds for edits."""
    v = check_actions(acts("light.kitchen turn_on brightness_pct=0; fan.office set_percentage percentage=0"), HOME)
    assert v.valid, v.reasons


def test_different_properties_of_one_device_are_not_a_contradiction():
    v = check_actions(acts("climate.living_room set_hvac_mode hvac_mode=heat; climate.living_room set_temperature temperature=21"), HOME)
    assert v.valid, v.reasons


def test_empty_action_list_is_invalid():
    assert not check_actions([], HOME).valid


@pytest.mark.parametrize(
    "text,words",
    [
        ("lock.front_door unlock", "unlocks"),
        ("cover.garage open_cover", "opens Garage Door"),
        ("cover.garage set_cover_position position=30", "opens"),
        ("cover.driveway_gate open_cover", "gate"),
        ("cover.barn open_cover", "opens Barn Door"),  # no class, but a door by its name
        ("alarm_control_panel.house alarm_disarm", "disarms"),
        ("light.kitchen turn_off; lock.front_door unlock", "unlocks"),
    ],
)
def test_dangerous_actions(text, words):
    v = check_actions(acts(text), HOME)
    assert v.valid and v.risk == Risk.dangerous
    assert any(words in r for r in v.reasons), v.reasons


@pytest.mark.parametrize(
    "text",
    ["cover.garage close_cover", "cover.garage set_cover_position position=0", "cover.kitchen_blinds open_cover",
     "lock.front_door lock", "alarm_control_panel.house alarm_arm_away"],
)
def test_closing_locking_and_arming_are_only_caution(text):
    v = check_actions(acts(text), HOME)
    assert v.valid and v.risk == Risk.caution and v.reasons == []
