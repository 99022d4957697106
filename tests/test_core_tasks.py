"""The core task generator (finetune/core_tasks): wordings, draws on the judge's tree, verified pairs,
and the held-out benchmark files it wrote. Commands run in the real judge's sandbox, on a sample."""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from finetune.core_tasks.drawing import draw_tasks, wordings
from finetune.core_tasks.generate import CoreConfig, bench_groups, generate
from finetune.core_tasks.model import UNVERIFIABLE_FAMILIES
from finetune.core_tasks.phrases import expand, fill, sample
from finetune.core_tasks.registry import TEMPLATES, group_id, held_out
from finetune.core_tasks.tree_view import load_view
from finetune.core_tasks.verify import Verifier
from finetune.exec_bench import BENCH_DIR
from nlsh.validator import command_utilities

BENCH_FILES = [BENCH_DIR / "compositional.jsonl", BENCH_DIR / "flag.jsonl"]


@pytest.fixture(scope="module")
def view():
    return load_view(0)


def _one_per_family(pick=lambda t: True) -> list:
    seen: dict[str, object] = {}
    for t in TEMPLATES:
        if t.family not in seen and not held_out(t) and pick(t):
            seen[t.family] = t
    return list(seen.values())


@pytest.mark.parametrize("pattern, wordings_", [
    ("(find|list) [all] pngs", ["find all pngs", "find pngs", "list all pngs", "list pngs"]),
    ("how many (the )?x (are there )?in y?", ["how many the x are there in y?", "how many the x in y?",
                                             "how many x are there in y?", "how many x in y?"]),
    ("[a|b] c", ["a c", "b c", "c"]),
])
def test_patterns_stand_for_every_wording_and_no_other(pattern, wordings_):
    assert expand(pattern) == wordings_
    rng = random.Random(0)
    assert {sample(pattern, rng) for _ in range(200)} == set(wordings_)


def test_a_slot_with_several_spellings_takes_one_of_them():
    rng = random.Random(1)
    got = {fill("pngs {in_dir}", {"in_dir": ["in photos", "under photos"]}, rng) for _ in range(50)}
    assert got == {"pngs in photos", "pngs under photos"}


@pytest.mark.parametrize("bad", ["(a|b", "a]", "[a|b) c"])
def test_an_unbalanced_pattern_is_refused(bad):
    with pytest.raises(ValueError):
        expand(bad)


def test_every_template_draws_a_command_and_words_it(view):
    """A slot a wording or a command names but no draw gives shows up as a template with nothing."""
    empty = []
    for t in TEMPLATES:
        rng = random.Random(t.group)
        tasks = draw_tasks(t, view, rng, 3)
        if not tasks or not all(wordings(t, task, rng, 2) for task in tasks):
            empty.append(t.group)
        for task in tasks:
            assert "{" not in " ".join(wordings(t, task, rng, 3)).replace("{\"", ""), t.group
    assert not empty


def test_drawing_and_wording_are_deterministic(view):
    def run(seed):
        out = []
        for t in TEMPLATES[::7]:
            rng = random.Random(f"{seed}:{t.group}")
            for task in draw_tasks(t, view, rng, 3):
                out.append((task.command, tuple(wordings(t, task, rng, 3))))
        return out

    assert run(0) == run(0)
    assert run(0) != run(1)


def test_the_templates_cover_at_least_80_utilities(view):
    utilities: Counter = Counter()
    for t in TEMPLATES:
        for task in draw_tasks(t, view, random.Random(t.group), 2):
            utilities.update(set(command_utilities(task.command) or []))
    assert len(utilities) >= 80, sorted(utilities)


def test_the_benchmark_holds_out_shapes_not_utilities():
    """Every utility of a held-out group still trains in other groups, no group that is a utility's
    whole everyday use (all `sed -i` edits) is held out, and no shape nlsh's everyday pairs teach
    (`chmod +x F`) is."""
    from finetune.core_tasks.registry import MAX_HELD_TEMPLATES, MIN_TRAINED_GROUPS, _clusters, _everyday_keys

    _, utilities, keys = _clusters()
    taught = _everyday_keys()
    held = {group_id(t) for t in TEMPLATES if held_out(t)}
    trained = Counter(u for g in {group_id(t) for t in TEMPLATES} - held for u in utilities[g])
    members = Counter(group_id(t) for t in TEMPLATES)
    assert len(held) > 50
    for g in held:
        assert members[g] <= MAX_HELD_TEMPLATES, g
        assert not keys[g] & taught, (g, keys[g] & taught)
        assert all(trained[u] >= MIN_TRAINED_GROUPS for u in utilities[g]), (g, utilities[g])


def test_unverifiable_families_stay_a_minority():
    unverifiable = [t for t in TEMPLATES if not t.verifiable]
    assert {t.family for t in unverifiable} <= UNVERIFIABLE_FAMILIES
    assert 0 < len(unverifiable) < len(TEMPLATES) / 4


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """generate() over a sample: one training template of every family, two held-out ones."""
    templates = _one_per_family() + [t for t in TEMPLATES if held_out(t)][:2]
    out = tmp_path_factory.mktemp("core")
    # No benchmark files: the held-out groups must stay out by themselves.
    cfg = CoreConfig(out=out, commands_per_template=2, pairs_per_template=6, unverified_pairs_per_template=4,
                     bench_dir=tmp_path_factory.mktemp("no-bench"))
    counts = generate(cfg, templates=templates, verifier=Verifier(0))
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    return templates, counts, pairs, out


def test_each_family_yields_pairs_and_the_counts_say_so(sample_run):
    templates, counts, pairs, _ = sample_run
    families = {t.family for t in templates}
    assert {p["family"] for p in pairs} == families
    assert counts["pairs"] == len(pairs)
    assert set(counts["per_family"]) == families
    assert {p["verified"] for p in pairs if p["family"] in UNVERIFIABLE_FAMILIES} == {False}
    assert {p["verified"] for p in pairs if p["family"] not in UNVERIFIABLE_FAMILIES} == {True}
    assert 0 < counts["verified_share"] < 1


def test_held_out_groups_never_reach_the_pairs(sample_run):
    templates, counts, pairs, _ = sample_run
    held = {group_id(t) for t in templates if held_out(t)}
    assert held and not held & {p["group"] for p in pairs}
    assert counts["held_out_groups"] == len(held)


def test_pairs_that_would_leak_a_benchmark_task_are_dropped_and_counted(tmp_path):
    """A flag or compositional task whose reference has a template's shape once values are masked
    (the data builder's leak filter) keeps that template's pairs out, whatever the task's group; an
    everyday task holds out its wording, so the shape still trains in other words."""
    md5 = next(t for t in TEMPLATES if t.family == "checksum" and t.verifiable and not held_out(t))
    reference = draw_tasks(md5, load_view(0), random.Random(0), 1)[0].command
    (tmp_path / "bench").mkdir()
    task = {"id": "flag:x:1", "request": "checksum of the users file", "references": [reference],
            "expect": "output", "source": "flag", "family": "checksum", "group": "flag:md5"}
    (tmp_path / "bench" / "flag.jsonl").write_text(json.dumps(task) + "\n")
    cfg = CoreConfig(out=tmp_path / "out", commands_per_template=2, pairs_per_template=4, bench_dir=tmp_path / "bench")
    counts = generate(cfg, templates=[md5], verifier=Verifier(0))
    assert counts["pairs"] == 0 and counts["leaking_benchmark_dropped"][md5.group] > 0
    (tmp_path / "bench" / "flag.jsonl").unlink()
    task.update(id="everyday:x:1", source="everyday", group="everyday:md5")
    (tmp_path / "bench" / "everyday.jsonl").write_text(json.dumps(task) + "\n")
    counts = generate(cfg, templates=[md5], verifier=Verifier(0))
    assert counts["pairs"] > 0
    counts = generate(dataclasses.replace(cfg, bench_dir=tmp_path / "none"), templates=[md5], verifier=Verifier(0))
    assert counts["pairs"] > 0


def test_a_sample_of_verified_pairs_does_what_it_was_verified_for(sample_run):
    """Run again in a fresh sandbox (not the verdict cache): it exits 0 (or 1 as its answer: diff)
    and prints or changes."""
    from finetune import judge

    templates, _, pairs, _ = sample_run
    expect = {group_id(t): t.expect for t in templates}
    commands = sorted({(p["command"], p["group"]) for p in pairs if p["verified"]})
    assert len(commands) >= 8
    for command, group in random.Random(0).sample(commands, 8):
        o = judge.run(command)
        assert o.undecided is None and (o.exit_code == 0 or o.answered), (command, o.stderr)
        if expect[group] != "changes":
            assert o.stdout.strip(), command
        if expect[group].endswith("changes"):
            assert o.changes, command


def test_core_pairs_join_training_as_their_own_source(sample_run):
    from finetune.dataset import DataConfig, core_records

    _, _, pairs, out = sample_run
    cfg = DataConfig(core_pairs=out / "pairs.jsonl", core_count=5)
    records, stats = core_records(cfg, random.Random(0))
    assert len(records) == 5 and {r.source for r in records} == {"core"}
    assert {(r.instruction, r.answer) for r in records} <= {(p["request"], p["command"]) for p in pairs}
    assert [r.answer for r in records] == [r.answer for r in core_records(cfg, random.Random(0))[0]]
    assert stats["pairs_in_file"] == len(pairs)


def test_a_verifier_turns_down_a_command_that_does_nothing():
    verify = Verifier(0)
    assert verify("find . -name '*.nosuchext'", "output_unordered") is False
    assert verify("find . -name '*.csv'", "output_unordered") is True
    assert verify("cp data/users.csv data/users.csv.bak", "changes") is True
    assert verify("cp data/users.csv /nonexistent/", "changes") is False


# The committed benchmark files (bench/exec_dev/compositional.jsonl, flag.jsonl)


@pytest.fixture(scope="module")
def bench():
    rows = [json.loads(line) for path in BENCH_FILES for line in path.read_text().splitlines() if line.strip()]
    assert rows
    return rows


def test_the_benchmark_files_hold_500_or_so_well_formed_tasks(bench):
    assert 450 <= len(bench) <= 650
    assert len({r["id"] for r in bench}) == len(bench)
    assert Counter(r["source"] for r in bench).keys() == {"compositional", "flag"}
    for r in bench:
        assert r["request"] and r["references"] and r["expect"] in ("output", "output_unordered", "changes", "output_and_changes")
        assert r["family"] not in UNVERIFIABLE_FAMILIES


def test_every_benchmark_group_is_a_held_out_template_and_trains_nowhere(bench):
    held = {group_id(t) for t in TEMPLATES if held_out(t)}
    trained = {group_id(t) for t in TEMPLATES if not held_out(t)}
    groups = {r["group"] for r in bench}
    assert groups <= held
    assert not groups & trained
    assert groups <= bench_groups(BENCH_DIR)  # generate() skips these whatever the hash says


def test_a_sample_of_benchmark_references_is_right_against_itself(bench):
    from finetune import judge

    for r in random.Random(1).sample(bench, 6):
        for ref in r["references"][:2]:
            assert judge.judge(ref, [ref], r["expect"]).right is True, (r["id"], ref)


def test_python_m_finetune_core_documents_every_flag(capsys):
    from finetune.__main__ import field_docs, main

    docs = field_docs(CoreConfig)
    assert all(docs.get(f.name) for f in dataclasses.fields(CoreConfig))
    with pytest.raises(SystemExit):
        main(["core", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--write-bench" in out and "distinct commands drawn per template" in out


def test_an_everyday_task_holds_out_its_wording_not_its_command_shape():
    """"make deploy.sh executable" is asked every day: other wordings of `chmod +x F` still train;
    the task's own wording with other values, or its shape with most of its words, does not."""
    from finetune.exec_bench import BenchTask, LeakFilter

    task = BenchTask(id="t", request="let me run build.sh", references=["chmod +x build.sh"], expect="changes",
                     source="everyday", family="perms", group="everyday:exec")
    leak = LeakFilter([task])
    assert not leak.leaks("make deploy.sh executable", "chmod +x deploy.sh")
    assert leak.leaks("let me run deploy.sh", "chmod +x deploy.sh")
    assert leak.leaks("please let me run deploy.sh now", "chmod +x deploy.sh")
    assert leak.leaks("let me run deploy.sh", "bash deploy.sh")  # the task's own wording, whatever the command
