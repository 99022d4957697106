"""nlsh's everyday pairs (nlsh/data/everyday_pairs.jsonl) and the everyday tasks of the execution
benchmark (bench/exec_dev/everyday.jsonl): their format and size, every answer a command the
validator accepts, the benchmark held out of the pairs by task and by request, and a sample of the
benchmark's tasks judged on the real tree (finetune.everyday_check runs them all)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "nlsh" / "data" / "everyday_pairs.jsonl"
BENCH = ROOT / "bench"

# The everyday requests these pairs were written to answer: they must be answered right without
# being trained word for word (other phrasings of the same tasks are fine, people ask them every day).
UNTRAINED = [
    "list large files in home",
    "show the 5 most recently modified files here",
    "kill the process listening on port 8080",
    "show disk usage of each folder here sorted by size",
    "delete all .pyc files under this folder",
    "extract archive.tar.gz into /tmp/out",
    "make a backup copy of notes.txt",
    "count lines in all python files here",
]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def pairs() -> list[dict]:
    return _rows(PAIRS)


@pytest.fixture(scope="module")
def tasks():
    from finetune.everyday_check import everyday_tasks

    return everyday_tasks(BENCH / "exec_dev")


def test_pairs_have_the_format_and_size_asked_for(pairs):
    assert all(set(p) == {"instruction", "answer", "group"} for p in pairs)
    assert all(p["group"].startswith("everyday:") and p["instruction"].strip() and p["answer"].strip() for p in pairs)
    assert all(p["instruction"] == p["instruction"].strip() and "\n" not in p["answer"] for p in pairs)
    assert len(pairs) >= 2000
    groups = Counter(p["group"] for p in pairs)
    assert len(groups) >= 400
    # A task is taught in several phrasings, each request once.
    assert sum(n >= 2 for n in groups.values()) >= 0.95 * len(groups)
    requests = Counter(p["instruction"].lower() for p in pairs)
    assert not [r for r, n in requests.items() if n > 1]


def test_every_answer_parses_and_the_validator_accepts_it(pairs):
    """(tests/test_finetune.py checks their options against this machine's documentation, slowly.)"""
    from nlsh.validator import is_command

    assert [a for a in sorted({p["answer"] for p in pairs}) if not is_command(a)] == []


def test_the_requests_the_pairs_answer_are_not_trained_word_for_word(pairs):
    instructions = {p["instruction"].lower() for p in pairs}
    assert not set(UNTRAINED) & instructions
    # ...while the tasks themselves are taught in other words.
    answers = {p["answer"] for p in pairs}
    assert {"find ~ -type f -size +100M", "kill $(lsof -t -i:8080)", "find . -name '*.pyc' -delete",
            "du -sh * | sort -h", "find . -name '*.py' | xargs wc -l"} <= answers


def test_no_benchmark_request_or_task_is_in_the_pairs(pairs, tasks):
    from finetune.exec_bench import read_bench

    instructions = {p["instruction"].lower() for p in pairs}
    benchmark = {json.loads(line)["request"].lower() for line in (BENCH / "everyday2.jsonl").read_text().splitlines()}
    benchmark |= set((BENCH / "everyday.txt").read_text().lower().splitlines())
    benchmark |= {t.request.lower() for t in read_bench(BENCH / "exec_dev")}
    assert not benchmark & instructions
    # Held out by task: no group of the execution benchmark (any source) is a group of the pairs.
    assert not {t.group for t in read_bench(BENCH / "exec_dev")} & {p["group"] for p in pairs}


def test_benchmark_tasks_have_the_format_and_size_asked_for(tasks):
    from finetune.judge import Expect

    assert len(tasks) >= 280
    assert len({t.id for t in tasks}) == len(tasks)
    groups = Counter(t.group for t in tasks)
    assert len(groups) >= 140 and max(groups.values()) <= 4
    assert all(t.group.startswith("everyday:") and t.references for t in tasks)
    assert {t.expect for t in tasks} == set(Expect)


def test_benchmark_references_are_commands_the_validator_accepts(tasks):
    from nlsh.validator import is_command

    assert [r for t in tasks for r in t.references if not is_command(r)] == []


def test_a_sample_of_benchmark_tasks_is_judged_on_the_tree(tasks):
    """One task of each expect mode: each reference runs, is judged right against itself and is not
    undecided, and a no-op is judged wrong (python -m finetune.everyday_check runs every task)."""
    from finetune.everyday_check import check_bench

    sample = list({t.expect: t for t in tasks}.values())
    results = check_bench(sample)
    assert len(results) == sum(len(t.references) for t in sample)
    assert [r for r in results if r.right is not True] == []
