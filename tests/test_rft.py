"""Rejection-sampling fine-tuning data (finetune.rft) with the real bundled model and the real judge:
answers drawn at a temperature through nlsh's own decoding, kept only where the judge accepts them."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from finetune.judge import judge
from finetune.records import read_records

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="the judge needs bubblewrap")


@pytest.fixture(scope="module")
def pipeline():
    from finetune.evaluate import system_translator

    p = system_translator("tuned", "")
    yield p
    p.close()


@pytest.mark.slow
def test_sampling_near_zero_temperature_is_the_greedy_answer_and_a_high_one_varies(pipeline):
    from finetune.rft import sample
    from nlsh.prompt import as_read

    rng = random.Random(0)
    for request in ("show disk usage of this folder", "count the lines in notes.txt"):
        read = as_read(request)
        greedy = pipeline.model.generate(pipeline.prompt(read), pipeline.grammar(read), guide=pipeline.guide(read)).text
        assert sample(pipeline, request, 2, 1e-4, rng) == [greedy, greedy]
    hot = sample(pipeline, "find the biggest files in downloads", 6, 1.5, rng)
    assert len(set(hot)) >= 2, hot


@pytest.mark.slow
def test_rft_keeps_exactly_the_sampled_answers_the_judge_accepts(tmp_path):
    from finetune.__main__ import main

    tasks = tmp_path / "tasks.jsonl"
    rows = [
        # An everyday pair naming a file the judge's tree lacks: its reference fails, so no task.
        {"instruction": "first lines of reports/q3-summary.txt", "answer": "head reports/q3-summary.txt", "group": "t:missing"},
        # A reference that fails and changes nothing: the greedy `date` is wrong whatever the model,
        # so this task is always sampled, and any drawn answer that fails without writing is right.
        {"request": "show the current date", "command": "false", "group": "t:fails", "expect": "changes", "verified": True},
        {"request": "list the files in docs sorted by time", "command": "ls -t docs", "group": "t:ls", "expect": "output"},
    ]
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "rft"
    assert main(["rft", "--tasks", str(tasks), "--n-tasks", "3", "--samples", "3", "--temperature", "1.2",
                 "--out", str(out)]) == 0
    counts = json.loads((out / "counts.json").read_text())
    assert counts["tasks"] == 3 and counts["reference_fails"] == 1
    assert counts["undecided"] + counts["right_greedily"] + counts["wrong_greedily"] == 2
    assert counts["wrong_greedily"] >= 1 and counts["samples"] >= 1
    tried = [json.loads(line) for line in (out / "tried.jsonl").read_text().splitlines()]
    references = {r["request"]: r for r in tried}
    right_samples = 0
    for row in tried:
        assert ("samples" in row) == (row["greedy_right"] is False)
        for s in row.get("samples", []):  # each verdict as the judge gives it now
            assert s["right"] == judge(s["command"], [row["reference"]], row["expect"]).right, s
            right_samples += s["right"] is True
    records = read_records(out / "accepted.jsonl")
    assert len(records) == counts["accepted"] == right_samples
    for r in records:
        task = references[r.instruction]
        assert r.source == "rft" and r.group == task["group"] and r.answer != task["greedy"]
        assert judge(r.answer, [task["reference"]], task["expect"]).right is True
        assert r.context.os_family  # the prompt context nlsh gave the model, for training on the same prompt


def test_bad_rft_input_gets_one_sentence_and_exit_code_2(tmp_path, capsys):
    from finetune.__main__ import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "list files", "reply": "ls"}\n')
    for argv, says in ((["rft", "--tasks", str(bad)], "neither a core pair"),
                       (["rft", "--tasks", str(tmp_path / "none.jsonl")], "no such file"),
                       (["rft", "--tasks", str(bad), "--temperature", "0"], "--temperature must be above 0")):
        assert main(argv + ["--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
