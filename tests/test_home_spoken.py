"""The people's-words generator (finetune/home_spoken.py): every answer is right for its own home, the
devices a request implies are worked out from the registry (one speaker, the colour lights, the
outdoor lights, none or several = no_device), values said in words come back as their numbers, and
the mix teaches every phenomenon.

Reads the home-llm piles from ../shared/data for device names; skipped when absent.
"""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from conftest import PILES, needs_piles
from finetune.home_spoken import INTENTS, Ctx, SpokenGenerator, coverage, phrasings
from finetune.home_words import FRACTIONS, number_words, words_to_number
from nlsh.home.answer import NoSuchDevice, format_answer, parse_answer
from nlsh.home.registry import registry_from_data, render_listing
from nlsh.home.validate import check_actions

N = 2000


@pytest.fixture(scope="module")
def samples():
    gen = SpokenGenerator(PILES, seed=5)
    return [gen.sample() for _ in range(N)]


@needs_piles
def test_every_answer_is_valid_in_its_own_home(samples):
    for rec, reg, tags in samples:
        assert rec.source == "home" and re.fullmatch(r"home-spoken:\d\d", rec.group)
        assert rec.context.devices == render_listing(reg) and 1 <= len(reg.devices) <= 40
        if rec.answer.startswith("no_device"):
            with pytest.raises(NoSuchDevice) as err:
                parse_answer(rec.answer, reg)
            assert err.value.phrase.lower() in rec.instruction.lower(), (rec.instruction, rec.answer)
            assert {"ambiguous", "missing"} & set(tags), tags
            continue
        actions = parse_answer(rec.answer, reg)
        verdict = check_actions(actions, reg)
        assert verdict.valid, (rec.instruction, rec.answer, verdict.reasons)
        assert format_answer(actions) == rec.answer


_PERCENT = re.compile(r"(\d+)(?:%| percent| per cent)|\b([a-z]+(?:[ -][a-z]+)?) (?:percent|per cent)\b")


def _said_level(text: str) -> set[int]:
    """Every level a request says: "70%", "seventy percent", "twenty-five per cent", "half", "a quarter"."""
    out = set()
    for digits, words in _PERCENT.findall(text.lower()):
        if digits:
            out.add(int(digits))
        elif words_to_number(words) is not None:
            out.add(words_to_number(words))
        elif words_to_number(words.split()[-1]) is not None:
            out.add(words_to_number(words.split()[-1]))
    for value, spoken in FRACTIONS.items():
        if any(re.search(rf"\b{re.escape(s)}(?!\w)", text.lower()) for s in spoken if not s[0].isdigit()):
            out.add(value)
    return out


@needs_piles
def test_levels_said_in_words_come_back_as_their_numbers(samples):
    """A single-request record that sets a level says it: the level in the answer is one it said
    (volume as its percent, 0-1)."""
    checked = Counter()
    for rec, reg, tags in samples:
        if "run-on" in tags or rec.answer.startswith("no_device"):
            continue
        for a in parse_answer(rec.answer, reg):
            for key in ("brightness_pct", "percentage", "position", "volume_level"):
                if key not in a.args:
                    continue
                level = round(a.args[key] * 100) if key == "volume_level" else a.args[key]
                said = _said_level(rec.instruction)
                words_full = re.search(r"\b(hundred|full|max|maximum|high|all the way|as (?:bright|loud|fast)|crank)", rec.instruction.lower())
                bare = re.search(rf"\b{level}\b|\b{re.escape(number_words(level))}\b", rec.instruction.lower().replace("-", " "))
                assert level in said or (level == 100 and words_full) or bare, (rec.instruction, rec.answer)
                checked[key] += 1
    assert min(checked.values()) >= 5 and set(checked) == {"brightness_pct", "percentage", "position", "volume_level"}, checked


def test_number_words_read_back():
    rng = random.Random(0)
    for n in range(101):
        for _ in range(3):
            assert words_to_number(number_words(n, rng)) == n


HOME = {
    "devices": [
        {"id": "light.kitchen", "name": "Kitchen Light", "area": "kitchen", "features": ["brightness"]},
        {"id": "light.lamp", "name": "Floor Lamp", "area": "living room", "features": ["brightness", "color"]},
        {"id": "light.ceiling", "name": "Living Room Ceiling", "area": "living room", "features": []},
        {"id": "light.porch", "name": "Porch Light", "area": "porch", "features": []},
        {"id": "light.garden", "name": "Garden Lights", "area": "garden", "features": ["brightness", "color"]},
        {"id": "switch.coffee", "name": "Coffee Maker", "area": "kitchen"},
        {"id": "media_player.tv", "name": "Living Room TV", "area": "living room"},
        {"id": "media_player.speaker", "name": "Kitchen Speaker", "area": "kitchen"},
        {"id": "fan.one", "name": "Bedroom Fan", "area": "bedroom"},
        {"id": "lock.front", "name": "Front Door"},
        {"id": "lock.back", "name": "Back Door"},
    ]
}


def _resolve(intent: str, home: dict, text: str | None = None, seed: int = 0):
    reg = registry_from_data(home)
    ph = next(p for p in phrasings() if p.intent == intent and (text is None or p.text == text))
    return INTENTS[intent].resolve(Ctx(reg, random.Random(seed)), ph)


def _answer(fill) -> str:
    return format_answer(fill.actions) if fill.actions else f"no_device {fill.no_device}"


def _without(*ids: str) -> dict:
    return {"devices": [d for d in HOME["devices"] if d["id"] not in ids]}


def _plus(*devices: dict) -> dict:
    return {"devices": HOME["devices"] + list(devices)}


@pytest.mark.parametrize(
    "intent,home,expected",
    [
        # the device a request implies: the one of its kind, or no_device
        ("coffee_on", HOME, "switch.coffee turn_on"),
        ("coffee_on", _without("switch.coffee"), "no_device coffee"),
        ("coffee_on", _plus({"id": "switch.espresso", "name": "Espresso Machine"}), "no_device coffee"),
        ("music_next", HOME, "media_player.speaker media_next_track"),  # a speaker, not the TV
        ("music_next", _without("media_player.speaker"), "media_player.tv media_next_track"),  # the only player
        ("music_next", _plus({"id": "media_player.sonos", "name": "Sonos"}), "no_device track"),
        ("tv_pause", HOME, "media_player.tv media_pause"),
        ("fan_unique_on", HOME, "fan.one turn_on"),
        ("fan_unique_on", _plus({"id": "fan.two", "name": "Desk Fan"}), "no_device fan"),
        # a colour only to the lights with the color feature
        ("colour_home", HOME, "light.lamp turn_on color_name=red; light.garden turn_on color_name=red"),
        # the outdoor lights are the ones in outdoor areas
        ("outdoor_on", HOME, "light.porch turn_on; light.garden turn_on"),
        ("lock_all", HOME, "lock.front lock; lock.back lock"),
    ],
)
def test_the_target_is_worked_out_from_the_home(intent, home, expected):
    fill = _resolve(intent, home)
    got = _answer(fill)
    if "color_name=" in expected:  # the colour is drawn; the devices are the point
        got = re.sub(r"color_name=\w+", "color_name=red", got)
    assert got == expected


def test_a_level_for_an_area_goes_to_the_dimmable_lights_only():
    for seed in range(10):
        fill = _resolve("bright_area", HOME, seed=seed)
        expected = {"kitchen": {"light.kitchen"}, "living room": {"light.lamp"}, "garden": {"light.garden"}}
        assert {a.device for a in fill.actions} == expected[fill.slots["area"]]


def test_all_the_lights_except_one_leaves_that_one_alone():
    for seed in range(10):
        fill = _resolve("except_device_off", HOME, seed=seed)
        named = registry_from_data(HOME).resolve(fill.slots["d"])
        assert len(named) == 1
        lights = {d["id"] for d in HOME["devices"] if d["id"].startswith("light.")}
        assert {a.device for a in fill.actions} == lights - {named[0].id}
        assert {a.action for a in fill.actions} == {"turn_off"}


def test_turn_off_x_and_the_y_turns_both_off():
    fill = _resolve("two_off", HOME, "turn off the {d} and the {d2}")
    reg = registry_from_data(HOME)
    first, second = (reg.resolve(fill.slots[k]) for k in ("d", "d2"))
    assert [(a.device, a.action) for a in fill.actions] == [(first[0].id, "turn_off"), (second[0].id, "turn_off")]


def test_every_intent_has_phrasings_and_every_phrasing_an_intent():
    intents = {p.intent for p in phrasings()}
    assert intents == set(INTENTS)
    assert len(phrasings()) >= 400
    # a no_device answer quotes the bracketed words, so a phrasing has at most one bracket
    assert all(p.text.count("[") <= 1 for p in phrasings())


@needs_piles
def test_the_mix_teaches_every_phenomenon():
    counts = coverage(PILES, 3000, seed=9)
    n = counts["records"]
    for tag in ("implied", "numbers", "capability", "group", "negation", "named"):
        assert counts[tag] >= n * 0.08, (tag, counts)
    for tag in ("wake", "filler", "please", "run-on"):
        assert counts[tag] >= n * 0.08, (tag, counts)
    assert n * 0.015 <= counts["ambiguous"] and n * 0.005 <= counts["missing"], counts
    assert n * 0.02 <= counts["no_device"] <= n * 0.12, counts
    assert counts["several actions"] >= n * 0.25, counts


@needs_piles
def test_build_home_records_adds_the_spoken_share_and_keeps_the_templated_stream():
    from finetune.home_data import build_home_records

    mixed = build_home_records(PILES, 600, seed=3)
    plain = build_home_records(PILES, 600, seed=3, spoken_share=0)
    spoken = [r for r in mixed if r.group.startswith("home-spoken:")]
    templated = [r for r in mixed if not r.group.startswith("home-spoken:")]
    assert 0.3 <= len(spoken) / len(mixed) <= 0.5
    assert [r.model_dump() for r in templated] == [r.model_dump() for r in plain[: len(templated)]]
    assert all(r.registry for r in mixed)
