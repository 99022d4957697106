"""How a home request is read against the registry beyond its device names (nlsh.home.naming): the
kind a noun says, the devices it spares, the devices it names outright, the actions its words say,
the lights a colour goes to; and the rules that steer by them (spared-devices, named-end,
said-actions), alone and through the model. The requests here were written apart from
bench/home_words."""

from __future__ import annotations

from nlsh.decoding.registry import RuleSet
from nlsh.decoding.rule import Asked
from nlsh.decoding.rules import named_end, said_actions, spared_devices
from nlsh.decoding.rules.devices import reading
from nlsh.home.naming import colour_lights, coverage, named_devices, named_groups, said_actions as said, spared, stems
from nlsh.home.registry import registry_from_data

FLAT = registry_from_data({"devices": [
    {"id": "light.hall", "name": "Hall Light", "area": "hall", "features": []},
    {"id": "light.lounge_ceiling", "name": "Lounge Ceiling", "area": "lounge", "features": ["brightness"]},
    {"id": "light.lounge_lamp", "name": "Corner Lamp", "area": "lounge", "features": ["brightness", "color"]},
    {"id": "light.study", "name": "Study Lamp", "area": "study", "features": ["brightness", "color"]},
    {"id": "light.terrace", "name": "Terrace Lights", "area": "terrace", "features": []},
    {"id": "media_player.den_tv", "name": "Den TV", "area": "den"},
    {"id": "media_player.kitchen_radio", "name": "Kitchen Radio", "area": "kitchen"},
    {"id": "lock.front_door", "name": "Front Door", "area": "hall"},
    {"id": "lock.side_door", "name": "Side Door", "area": "utility"},
    {"id": "cover.garage_door", "name": "Garage Door", "area": "garage", "device_class": "garage"},
    {"id": "cover.yard_gate", "name": "Yard Gate", "area": "yard", "device_class": "gate"},
    {"id": "switch.kettle", "name": "Kettle", "area": "kitchen"},
    {"id": "fan.study", "name": "Study Fan", "area": "study", "features": ["speed"]},
]}, "flat")
LIGHTS = [d.id for d in FLAT.devices if d.domain == "light"]


def test_a_noun_of_a_kind_names_that_kind_only():
    assert [d.id for d in FLAT.resolve("the tvs")] == ["media_player.den_tv"]
    assert [d.id for d in FLAT.resolve("speakers")] == ["media_player.kitchen_radio"]
    said = stems("tv volume at 30")
    assert coverage(FLAT.get("media_player.den_tv"), said) > coverage(FLAT.get("media_player.kitchen_radio"), said) == 0.0
    # a cover noun fits its class: "the gate" is not the garage door
    assert coverage(FLAT.get("cover.garage_door"), stems("open the gate for the van")) < 0.5
    assert named_devices(FLAT, "open the gate for the van") == {"cover.yard_gate"}


def test_sparing_words_name_the_devices_left_as_they_are():
    assert spared(FLAT, "every light off except the hall light") == ["light.hall"]
    assert spared(FLAT, "lock the front door but leave the side one") == ["lock.side_door"]
    assert spared(FLAT, "lights off apart from the lounge") == ["light.lounge_ceiling", "light.lounge_lamp"]
    assert spared(FLAT, "kill the study lamp, keep the hall light on") == ["light.hall"]
    assert spared(FLAT, "the corner lamp stays, the rest of the lounge off") == ["light.lounge_lamp"]
    assert spared(FLAT, "hall light off") == []
    assert spared(FLAT, "keep the study fan at 40") == []  # a setting, not sparing
    # a spared device leaves the group it is in
    group = [i for i in LIGHTS if i != "light.hall"]
    assert named_groups(FLAT, "every light off except the hall light") == ([group], [])


def test_the_devices_named_outright():
    # "kitchen" in "the kitchen radio" does not name the kettle, nor "switch" a switch
    assert named_devices(FLAT, "turn the kitchen radio down") == {"media_player.kitchen_radio"}
    assert named_devices(FLAT, "switch off the study lamp and the hall light") == {"light.study", "light.hall"}
    assert named_devices(FLAT, "all the lounge lights on") == {"light.lounge_ceiling", "light.lounge_lamp"}
    assert named_devices(FLAT, "put the kettle on") == {"switch.kettle"}
    assert named_devices(FLAT, "is it going to rain") == set()
    # a quantifier before an unknown word says which: not every lamp
    assert named_groups(FLAT, "both reading lamps on") == ([], [])


def test_the_actions_a_request_says():
    assert said("stop the den tv and carry on with the radio")["media_player"] == {"media_stop", "media_play"}
    assert said("the radio is much too loud")["media_player"] == {"volume_down"}
    assert said("put the show on pause")["media_player"] == {"media_pause"}  # the longer saying
    assert said("turn off the hall light and then the study fan")["fan"] == {"turn_off"}
    # a number or a value adds the actions that set one
    assert {"volume_down", "volume_set"} <= said("radio volume down to 20 percent")["media_player"]
    assert "vacuum" not in said("study lamp on")


def test_a_colour_goes_to_the_lights_that_take_one():
    assert colour_lights(FLAT, "can the lights go red", set()) == ["light.lounge_lamp", "light.study"]
    assert colour_lights(FLAT, "the lounge in blue", set()) == ["light.lounge_lamp"]
    assert colour_lights(FLAT, "corner lamp green", {"light.lounge_lamp"}) == []  # it names one
    assert colour_lights(FLAT, "study lamp green", {"light.study"}) == ["light.study"]  # the place names it
    assert colour_lights(FLAT, "lounge lights on", set()) == []  # no colour
    read = reading(Asked(request="turn the lounge lights purple", kinds=("home",), registry=FLAT))
    assert read.plural_groups == [["light.lounge_lamp"]] and read.named == {"light.lounge_lamp"}


def _guide(request: str, rule):
    rules = RuleSet(())
    return rule.guide(Asked(request=request, kinds=("home",), on=rules.on, registry=FLAT))


def test_a_spared_device_is_lowered():
    guide = _guide("lock the front door but leave the side one", spared_devices.RULE)
    offset = guide.prior("lock.front_door lock; ")
    assert offset("lock.side") == -spared_devices.WEIGHT and offset("lock.front") == 0.0
    assert _guide("lock the front door", spared_devices.RULE) is None


def test_going_on_is_lowered_once_every_named_device_is_written():
    guide = _guide("kitchen radio off", named_end.RULE)
    assert guide.prior("media_player.kitchen_radio turn_off")(";") == -named_end.WEIGHT
    assert guide.prior("media_player.kitchen_radio turn_off")("") == 0.0
    two = _guide("kitchen radio off and the hall light too", named_end.RULE)
    assert two.prior("media_player.kitchen_radio turn_off") is None  # the hall light is still to come
    # a named group fixes what is named: beginning elsewhere is lowered
    group = _guide("the lounge lights off", named_end.RULE)
    assert group.prior("light.")("hall") == -named_end.WEIGHT and group.prior("light.")("lounge_lamp") == 0.0
    assert _guide("is it going to rain", named_end.RULE) is None


def test_a_said_action_is_favoured_and_offered():
    guide = _guide("the radio is much too loud", said_actions.RULE)
    offset = guide.prior("media_player.kitchen_radio volume_")
    assert offset("down") == 0.0 and offset("up") == -said_actions.WEIGHT
    assert guide.prior("media_player.kitchen_radio volume_down")(";") == 0.0  # the action is whole
    assert guide.wanted("media_player.kitchen_radio") == [" volume_down"]
    assert guide.wanted("media_player.kitchen_radio vol") == ["ume_down"]
    # a domain the request says nothing for is the model's
    assert guide.prior("light.hall turn_")("on") == 0.0


# Requests whose answer a reading rule fixes, with the answer meant (written apart from bench/home_words).
READ = [
    ("every light off except the hall light", "; ".join(f"{i} turn_off" for i in LIGHTS if i != "light.hall")),
    ("lock the front door but leave the side one", "lock.front_door lock"),
    ("turn off the study lamp and then the study fan", "light.study turn_off; fan.study turn_off"),
    ("the radio is much too loud", "media_player.kitchen_radio volume_down"),
    ("carry on with the den tv", "media_player.den_tv media_play"),
    ("kettle off, thanks", "switch.kettle turn_off"),
    ("can the lights go red", "light.lounge_lamp turn_on color_name=red; light.study turn_on color_name=red"),
    ("the terrace lights on", "light.terrace turn_on"),
]


def test_the_reading_rules_through_the_model(model_paths):
    """Measured when written: 8 of 8 right with the rules, 3 with spared-devices, named-end and
    said-actions off. A floor, not a target."""
    from tests.test_home_rules import _pipeline

    right = {}
    for off in ((), ("spared-devices", "named-end", "said-actions")):
        pipeline = _pipeline(model_paths, FLAT, mode="home", use_cache=False, rules_off=off)
        right[off] = [(request, got) for request, answer in READ if (got := pipeline.generate(request).text) == answer]
        pipeline.close()
    on, off = right.values()
    assert len(on) >= 5 and len(off) < len(on), right
