"""The home training-data generator (finetune/home_data.py): every record is consistent with its own
home, the mix has what the model must learn, and generation is fast and deterministic.

Reads the home-llm piles from ../shared/data (beside the clone in CI); skipped when absent.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import PILES, needs_piles
from nlsh.home.answer import NoSuchDevice, format_answer, format_value, parse_answer
from nlsh.home.catalog import ARGS, CSS3_COLORS, DOMAINS
from nlsh.home.registry import render_listing
from nlsh.home.validate import check_actions
from nlsh.prompt import render_prompt

pytestmark = needs_piles

N = 3000


@pytest.fixture(scope="module")
def samples():
    from finetune.home_data import HomeDataGenerator

    gen = HomeDataGenerator(PILES, seed=7)
    return [gen.sample() for _ in range(N)]


def test_every_answer_parses_and_passes_the_validator_against_its_own_home(samples):
    for rec, reg in samples:
        assert rec.source == "home" and re.fullmatch(r"home:\d\d", rec.group)
        assert rec.context.devices == render_listing(reg)
        assert 5 <= len(reg.devices) <= 30 or rec.answer.startswith("no_device")
        if rec.answer.startswith("no_device"):
            with pytest.raises(NoSuchDevice) as err:
                parse_answer(rec.answer, reg)
            phrase = err.value.phrase
            assert phrase in rec.instruction, (rec.instruction, rec.answer)
            assert reg.resolve(phrase) == [], f"{phrase!r} names a device of the home"
            continue
        actions = parse_answer(rec.answer, reg)
        verdict = check_actions(actions, reg)
        assert verdict.valid, (rec.instruction, rec.answer, verdict.reasons)
        assert format_answer(actions) == rec.answer  # the one canonical way of writing it
        for a in actions:
            assert a.action in DOMAINS[reg.get(a.device).domain].actions


_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
# Colour words of a request, longest first so "light blue" is not also read as "blue".
_SPOKEN = sorted({c for c in CSS3_COLORS} | {"light blue", "dark blue", "dark red", "hot pink", "sky blue",
                                              "forest green", "deep pink", "light green", "royal blue",
                                              "sea green", "orange red", "deep sky blue"}, key=len, reverse=True)


def _numbers_in_args(actions) -> set[str]:
    out = set()
    for a in actions:
        for k, v in a.args.items():
            if k == "volume_level":
                out.add(str(round(v * 100)))
            elif k == "code" or ARGS[k].kind in ("int", "number"):
                out.add(format_value(v))
    return out


def _colours_said(text: str, listing: str) -> set[str]:
    text = text.lower()
    said = set()
    for spoken in _SPOKEN:
        pattern = rf"(?<![\w-]){re.escape(spoken)}(?![\w-])"
        if re.search(pattern, text) and not re.search(pattern, listing.lower()):
            said.add(spoken.replace(" ", ""))
        text = re.sub(pattern, " ", text)
    return said


def test_every_value_said_is_an_argument_and_every_argument_was_said(samples):
    checked = 0
    for rec, reg in samples:
        if rec.answer.startswith("no_device"):
            continue
        actions = parse_answer(rec.answer, reg)
        said = set(_NUMBER.findall(rec.instruction))
        assert said == _numbers_in_args(actions), (rec.instruction, rec.answer)
        colours = {a.args["color_name"] for a in actions if "color_name" in a.args}
        assert _colours_said(rec.instruction, rec.context.devices) == colours, (rec.instruction, rec.answer)
        for a in actions:
            if "hvac_mode" in a.args:
                words = a.args["hvac_mode"].replace("_", " ").replace("heat cool", "heat").split()
                assert all(w in rec.instruction.lower() for w in words), (rec.instruction, rec.answer)
        checked += 1
    assert checked > N * 0.8


def test_the_action_agrees_with_the_verb(samples):
    """Some pile rows carry another service than their phrase says ("turn off the pet fountain" as
    toggle); none of those may reach the data."""
    toggles = direct = 0
    for rec, _ in samples:
        if rec.answer.startswith("no_device") or ";" in rec.answer:
            continue
        action, said = rec.answer.split()[1], rec.instruction.lower()
        if re.search(r"\b(toggle|flip)", said):
            assert action not in ("turn_on", "turn_off"), (rec.instruction, rec.answer)
            toggles += 1
        elif re.search(r"\b(turn|switch|shut) off\b", said):
            assert action != "toggle", (rec.instruction, rec.answer)
            direct += 1
    assert toggles and direct


def test_the_mix_covers_what_the_model_must_learn(samples):
    answers = [rec.answer for rec, _ in samples]
    multi = sum(";" in a for a in answers) / N
    no_device = sum(a.startswith("no_device") for a in answers) / N
    assert multi >= 0.30, multi
    assert 0.05 <= no_device <= 0.2, no_device
    args = Counter(k for a in answers for k in re.findall(r" (\w+)=", a))
    assert set(ARGS) <= set(args), f"argument types never used: {set(ARGS) - set(args)}"
    assert min(args[k] for k in ARGS if k != "code") >= N * 0.005, args
    domains = Counter(a.split(".")[0] for ans in answers if not ans.startswith("no_device") for a in ans.split("; "))
    assert set(domains) == set(DOMAINS)
    # area-wide: "the kitchen lights" expands to every light there
    area_wide = [rec for rec, reg in samples if re.search(r"\b(lights|blinds|fans)\b", rec.instruction)
                 and len({a.split()[1] for a in rec.answer.split("; ")}) == 1 and rec.answer.count(";") >= 1]
    assert len(area_wide) >= N * 0.02
    # aliases: the request names a device by an alias of its home
    by_alias = sum(
        any(alias.lower() in rec.instruction.lower() for d in reg.devices for alias in d.aliases
            if d.id in rec.answer)
        for rec, reg in samples
    )
    assert by_alias >= N * 0.03, by_alias
    terse = sum(rec.instruction == rec.instruction.lower() and not rec.instruction.endswith((".", "?", "!"))
                for rec, _ in samples)
    assert terse >= N * 0.2
    assert len({rec.group for rec, _ in samples}) == 64


def test_prompts_render_through_the_one_template(samples):
    rec, _ = samples[0]
    prompt = render_prompt(rec.instruction, rec.context)
    assert "Devices:\n" + rec.context.devices in prompt and rec.instruction in prompt


def test_deterministic_per_seed():
    from finetune.home_data import build_home_records

    a = build_home_records(PILES, 2000, seed=3)
    b = build_home_records(PILES, 200, seed=3)
    c = build_home_records(PILES, 200, seed=4)
    assert [r.model_dump() for r in a[:200]] == [r.model_dump() for r in b]
    assert [r.instruction for r in b] != [r.instruction for r in c]


def test_listing_helper_for_shell_records():
    from finetune.home_data import random_home_listing

    listing = random_home_listing(PILES, seed=1)
    assert 5 <= len(listing.splitlines()) <= 30 and listing == random_home_listing(PILES, seed=1)
