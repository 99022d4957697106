"""The people's-words dev set (bench/home_words, finetune/home_devset.py) and the fresh check set
written after the home rules (bench/home_words_fresh): their answers are right in their homes, the
dev set covers what it claims to, both are kept apart from training by phrasing, and they are scored
the way bench/home_words.py says."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import PILES, needs_piles
from finetune.home_devset import SET_DIR, home, item_patterns, judge, load_items, request_pattern, score
from nlsh.home.answer import NoSuchDevice, format_answer, parse_answer
from nlsh.home.validate import check_actions
from nlsh.schema import Risk

ITEMS = load_items()
FRESH = SET_DIR.parent / "home_words_fresh"
SETS = {SET_DIR: ITEMS, FRESH: load_items(FRESH)}
SEEN = "training-phrasing"


@pytest.mark.parametrize("folder", SETS, ids=lambda f: f.name)
def test_every_answer_is_valid_in_its_home(folder):
    for it in SETS[folder]:
        reg = home(it.home, folder)
        for answer in it.answers:
            if answer.startswith("no_device"):
                with pytest.raises(NoSuchDevice):
                    parse_answer(answer, reg)
                continue
            actions = parse_answer(answer, reg)
            verdict = check_actions(actions, reg)
            assert verdict.valid and format_answer(actions) == answer, (it.request, answer, verdict.reasons)


def test_the_set_is_big_varied_and_over_realistic_homes():
    assert len(ITEMS) >= 400
    assert len({(it.home, it.request) for it in ITEMS}) == len(ITEMS)
    homes = Counter(it.home for it in ITEMS)
    assert len(homes) == 4 and min(homes.values()) >= 90
    assert all(25 <= len(home(h).devices) <= 40 for h in homes)
    tags = Counter(t for it in ITEMS for t in it.tags)
    for tag, least in {"implied": 80, "numbers": 80, "capability": 25, "group": 50, "negation": 40, "speech": 40,
                       "ambiguous": 8, "missing": 10, "named": 30}.items():
        assert tags[tag] >= least, (tag, tags)
    dangerous = [it for it in ITEMS if check_actions_risk(it) is Risk.dangerous]
    assert len(dangerous) >= 15


def check_actions_risk(it) -> Risk | None:
    if it.answers[0].startswith("no_device"):
        return None
    reg = home(it.home)
    return check_actions(parse_answer(it.answers[0], reg), reg).risk


@needs_piles
def test_no_dev_request_has_the_pattern_of_a_training_phrasing():
    from finetune.home_piles import load_piles
    from finetune.home_spoken import phrasings
    from finetune.home_templates import own_templates

    training = {request_pattern(p.text) for p in phrasings()}
    training |= {request_pattern(t.phrase) for t in load_piles(PILES).templates + own_templates()}
    for folder, items in SETS.items():
        # the fresh set was written without looking at training: the requests that came out with a
        # training phrasing's pattern say so (tag training-phrasing), and are scored apart
        clashes = {it.request for it in items if item_patterns(it, folder) & training}
        assert clashes <= {it.request for it in items if SEEN in it.tags}, folder


@needs_piles
def test_no_training_request_equals_a_dev_request():
    from finetune.home_data import build_home_records

    dev = {" ".join(it.request.lower().rstrip(".!?").split()) for items in SETS.values() for it in items
           if SEEN not in it.tags}
    trained = {" ".join(r.instruction.lower().rstrip(".!?").split()) for r in build_home_records(PILES, 6000, seed=0)}
    assert not dev & trained


def test_patterns_take_out_devices_values_and_speech():
    names, areas = ["Kitchen Light", "office fan"], ["kitchen", "office"]
    assert request_pattern("alexa, um, kitchen light to seventy percent please", names, areas) == "<d> to <v>"
    assert request_pattern("{d} to {pct}") == "<d> to <v>"
    assert request_pattern("Set <device_name> to <brightness>%") == "set <d> to <v>"
    assert request_pattern("make it twenty one and a half in the office", names, areas) == "make it <v> in <a>"
    assert request_pattern("the lights light blue", names, areas) == "lights <v>"



@pytest.mark.parametrize(
    "refs,got,expected",
    [
        (["light.office turn_off; light.desk_lamp turn_off"], "light.desk_lamp turn_off; light.office turn_off",
         {"exact": True, "in_order": False, "devices": True}),
        (["light.office turn_off"], "light.office turn_on", {"exact": False, "in_order": False, "devices": True}),
        (["light.office turn_on brightness_pct=70"], "light.office turn_on brightness_pct=7",
         {"exact": False, "in_order": False, "devices": True}),
        (['no_device "fan"'], 'no_device "the fan"', {"exact": True, "in_order": True, "devices": True}),
        (['no_device "fan"'], "fan.office turn_on", {"exact": False, "in_order": False, "devices": False}),
        (["media_player.kitchen_speaker media_stop", "media_player.kitchen_speaker turn_off"],
         "media_player.kitchen_speaker turn_off", {"exact": True, "in_order": True, "devices": True}),
        (["light.office turn_off"], "ls -la", {"exact": False, "in_order": False, "devices": False}),
        # judged by what it does: a fan turned on at 40% is a fan set to 40%, a blind at 100 is open
        (["fan.office set_percentage percentage=40"], "fan.office turn_on percentage=40",
         {"exact": True, "in_order": True, "devices": True}),
        (["cover.living_room_blinds open_cover"], "cover.living_room_blinds set_cover_position position=100",
         {"exact": True, "in_order": True, "devices": True}),
        (["cover.living_room_blinds open_cover"], "cover.living_room_blinds set_cover_position position=90",
         {"exact": False, "in_order": False, "devices": True}),
    ],
)
def test_judging_an_answer(refs, got, expected):
    assert judge(refs, got, home("family_house")) == expected


def test_scores_count_dangerous_references_and_their_flags():
    reg = home("family_house")
    refs = [["lock.front_door unlock"], ["cover.garage_door open_cover"], ["light.office turn_off"]]
    got = ["lock.front_door unlock", "cover.garage_door close_cover", "light.office turn_off"]
    s = score(refs, got, [True, True, True], [reg] * 3, [["dangerous"], ["dangerous"], ["named"]])
    assert (s["dangerous_refs"], s["dangerous_flagged"]) == (2, 1)
    assert s["exact"] == pytest.approx(2 / 3) and s["by_tag"]["dangerous"]["exact"] == 0.5
