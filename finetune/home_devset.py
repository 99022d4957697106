"""The people's-words dev set (bench/home_words): home requests written by hand, the way people say
them, over four realistic homes of about 30 devices, each with the answers that are right for it.

Scored by bench/home_words.py. Kept apart from training by phrasing: no training request equals one
of these, and none of these has the pattern of a training phrasing once devices, areas and values
are taken out (`request_pattern`; tests/test_home_spoken.py checks both).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from finetune.home_drawing import COLORS
from finetune.home_words import ASKING, CLOSERS, FILLERS, OPENERS, WAKE_WORDS
from finetune.records import Record
from nlsh.home.answer import NO_DEVICE, parse_answer
from nlsh.home.catalog import CSS3_COLORS
from nlsh.home.registry import Registry, load_registry
from nlsh.home.validate import check_actions
from nlsh.prompt import PromptContext
from nlsh.schema import Risk

SET_DIR = Path(__file__).resolve().parents[1] / "bench" / "home_words"


class DevItem(BaseModel):
    home: str  # a registry in SET_DIR/homes/<home>.yaml
    request: str
    answers: list[str]  # every answer that is right; the first is the reference
    tags: list[str]  # what it tests: implied, numbers, capability, group, negation, speech, ambiguous, missing ...


@lru_cache(maxsize=None)
def home(name: str, folder: Path = SET_DIR) -> Registry:
    return load_registry(folder / "homes" / f"{name}.yaml")


def load_items(folder: Path = SET_DIR) -> list[DevItem]:
    with (folder / "requests.jsonl").open(encoding="utf-8") as f:
        return [DevItem.model_validate_json(line) for line in f if line.strip()]


def as_records(items: list[DevItem], folder: Path = SET_DIR) -> list[Record]:
    """Records in the data builder's format (finetune.evaluate scores those)."""
    from nlsh.home.registry import render_listing

    out = []
    for it in items:
        reg = home(it.home, folder)
        out.append(Record(instruction=it.request, answer=it.answers[0], source="home", group=f"home-words:{it.home}",
                          context=PromptContext(devices=render_listing(reg)), registry=reg.model_dump(mode="json")))
    return out


# -- scoring ---------------------------------------------------------------------------------------


def _actions(text: str, registry: Registry) -> list[tuple] | None:
    """The answer's actions as comparable tuples, each as what it does; None when it is no action
    list (no_device, junk)."""
    try:
        return [_as_done(a.device, a.action, tuple(sorted(a.args.items()))) for a in parse_answer(text, registry)]
    except Exception:
        return None


def _as_done(device: str, action: str, args: tuple) -> tuple:
    """One action as the state it leaves: SPEC's fan `turn_on percentage=60` runs the fan at 60% as
    `set_percentage percentage=60` does, and a cover set to position 100 is as open as `open_cover`
    leaves it, so either is right where one is."""
    if device.startswith("fan.") and action == "turn_on" and args:
        return device, "set_percentage", args
    # a cover at position 100 is open, at 0 closed
    if device.startswith("cover.") and action == "set_cover_position" and args in ((("position", 100),), (("position", 0),)):
        return device, "open_cover" if args[0][1] == 100 else "close_cover", ()
    return device, action, args


def judge(answers: list[str], got: str, registry: Registry) -> dict:
    """How one answer compares with the answers that are right for its request:
    exact: the same actions as one of them, in any order (a group's order is the registry's, which
    says nothing about what was understood); a no_device answer matches a no_device one whatever
    words it quotes; in_order: the same and in the same order; devices: the same set of devices."""
    got = " ".join(got.split())
    mine = _actions(got, registry)
    exact = in_order = devices = False
    for ref in answers:
        if ref.startswith(NO_DEVICE):
            if got.startswith(NO_DEVICE):
                exact = in_order = devices = True
            continue
        theirs = _actions(ref, registry)
        if mine is None or theirs is None:
            continue
        exact |= sorted(mine) == sorted(theirs)
        in_order |= mine == theirs
        devices |= {a[0] for a in mine} == {a[0] for a in theirs}
    return {"exact": exact, "in_order": in_order, "devices": devices}


def risk_of(text: str, registry: Registry) -> Risk | None:
    try:
        return check_actions(parse_answer(text, registry), registry).risk
    except Exception:
        return None


def score(refs: list[list[str]], answers: list[str], accepted: list[bool], registries: list[Registry],
          tags: list[list[str]] | None = None) -> dict:
    """One system's figures on a set: refs[i] are the answers right for request i, answers[i] the
    system's, accepted[i] whether nlsh's validator accepts it (finetune.evaluate's rule, the same for
    every set), registries[i] its home; `tags` break exact down by what each request tests."""
    n = max(1, len(refs))
    judged = [judge(r, a, reg) for r, a, reg in zip(refs, answers, registries)]
    dangerous_refs = dangerous_flagged = 0
    for r, a, reg in zip(refs, answers, registries):
        if risk_of(r[0], reg) is Risk.dangerous:
            dangerous_refs += 1
            dangerous_flagged += risk_of(a, reg) is Risk.dangerous
    by_tag: dict[str, list[bool]] = {}
    for ts, j in zip(tags or [], judged):
        for t in ts:
            by_tag.setdefault(t, []).append(j["exact"])
    return {
        "n": len(refs),
        "exact": sum(j["exact"] for j in judged) / n,
        "exact_in_order": sum(j["in_order"] for j in judged) / n,
        "devices": sum(j["devices"] for j in judged) / n,
        "accepted": sum(accepted) / n,
        "dangerous_refs": dangerous_refs,
        "dangerous_flagged": dangerous_flagged,
        "no_device_answers": sum(a.startswith(NO_DEVICE) for a in answers),
        "by_tag": {t: {"n": len(v), "exact": sum(v) / len(v)} for t, v in sorted(by_tag.items())},
        "judged": judged,
    }


# -- kept apart from training by phrasing ------------------------------------------------------------

_SPOKEN_COLOURS = sorted({c for c in CSS3_COLORS} | {s for s, _ in COLORS}, key=len, reverse=True)
_FRACTION = r"(?:three quarters?|a quarter|quarter|half way|halfway|half)"
_NUMBER_WORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
                r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)")


def _strip_speech(text: str) -> str:
    heads = sorted({w.strip(",").lower() for w in (*WAKE_WORDS, *OPENERS, *ASKING)} | {"please"}, key=len, reverse=True)
    tails = sorted({w.strip(" ,").lower() for w in CLOSERS} | {"please", "thanks", "thank you"}, key=len, reverse=True)
    changed = True
    while changed:
        before = text
        for h in heads:
            if text.startswith(h + " "):
                text = text[len(h) + 1:]
        for t in tails:
            if text.endswith(" " + t):
                text = text[: -len(t) - 1]
        changed = text != before
    return text


def request_pattern(text: str, names: list[str] = (), areas: list[str] = (), areas_first: bool = False) -> str:
    """A request with what varies from home to home taken out: the devices it names (<d>), areas
    (<a>), values (<v>: numbers and number words, fractions, colours), articles, punctuation and
    the words speech wraps a request in. Two requests with one pattern are one phrasing."""
    t = text.lower().replace("’", "'")
    t = re.sub(r"\{(?:d|d2|device_name\d?)\}|<device_name\d?>", " xxdevice ", t)
    t = re.sub(r"\{area\}|<area>", " xxarea ", t)
    t = re.sub(r"\{(?:pct|num|temp|color)\}|<(?:brightness|color|temp|hvac_mode|percentage|position|volume|code)>", " xxvalue ", t)
    t = t.replace("[", "").replace("]", "")
    t = re.sub(r"[^a-z0-9'%. ]+", " ", t)
    t = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", t)
    t = " ".join(w for w in t.split() if w not in FILLERS)
    t = _strip_speech(t)
    steps = [(names, " xxdevice "), (areas, " xxarea ")]
    for words, slot in reversed(steps) if areas_first else steps:
        for w in sorted({x.lower() for x in words}, key=len, reverse=True):
            t = re.sub(rf"\b{re.escape(w)}\b", slot, t)
    for c in _SPOKEN_COLOURS:
        t = re.sub(rf"\b{re.escape(c)}\b", " xxvalue ", t)
    t = re.sub(rf"\b{_NUMBER_WORD}(?:[ -]{_NUMBER_WORD})*(?: and a half)?\b", " xxvalue ", t)
    t = re.sub(rf"\b{_FRACTION}\b", " xxvalue ", t)
    t = re.sub(r"\b\d+(?:\.\d+)?\s*%?", " xxvalue ", t)
    t = re.sub(r"\bxxvalue\s*(?:%|percent\b|per\s+cent\b)", "xxvalue", t)
    words = [w for w in t.split() if w not in ("the", "a", "an", "my", "our")]
    out: list[str] = []
    for w in words:
        if not (out and w == out[-1] and w.startswith("xx")):
            out.append(w)
    return " ".join(out).replace("xxdevice", "<d>").replace("xxarea", "<a>").replace("xxvalue", "<v>")


def item_patterns(item: DevItem, folder: Path = SET_DIR) -> set[str]:
    """The request's patterns in its home, reading a word that is both an area and a device's name
    ("kitchen", light.kitchen) either way."""
    reg = home(item.home, folder)
    names = [n for d in reg.devices for n in (d.name, *d.aliases, d.object_id.replace("_", " "))]
    return {request_pattern(item.request, names, reg.areas, areas_first) for areas_first in (False, True)}


def tag_counts(items: list[DevItem]) -> Counter:
    return Counter(t for it in items for t in it.tags)
