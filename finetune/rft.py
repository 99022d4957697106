"""`python -m finetune rft`: rejection-sampling fine-tuning data, judged by execution.

For training tasks the model answers wrong greedily (nlsh's own path: prompt, retrieval, grammar,
decoding rules), draw several answers at a temperature, run each in the judge's sandbox
(finetune.judge) against the task's reference command, and keep the ones that do what it does as
training records. `python -m finetune train --init ADAPTER --extra OUT/accepted.jsonl` then trains
on them: the model learns from answers it can already give, only more often.

Tasks come from the core generator's pairs (`python -m finetune core`: request, command, group) and
from nlsh's everyday pairs (instruction, answer, group). Sampling is two cores' worth: the
greedy answer for every task, K samples only for the wrong ones.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from finetune.judge import Expect
from finetune.records import Record

ROOT = Path(__file__).resolve().parents[1]
CORE_PAIRS = ROOT / "runs" / "core" / "pairs.jsonl"
EVERYDAY_PAIRS = ROOT / "nlsh" / "data" / "everyday_pairs.jsonl"


@dataclass
class RftConfig:
    adapter: str = ""  # the adapter GGUF that answers (default: the shipped one)
    # JSONL files of training tasks: the core generator's pairs ({"request", "command", "group"}) or
    # everyday pairs ({"instruction", "answer", "group"}); default: runs/core/pairs.jsonl (when
    # built) and nlsh/data/everyday_pairs.jsonl.
    tasks: list[str] = field(default_factory=list)
    n_tasks: int = 50  # tasks answered greedily: a seeded sample of the files' distinct requests
    samples: int = 8  # answers drawn for each task answered wrong greedily
    # Sampling temperature, over the 16 grammar-allowed tokens the model ranks highest at each step
    # (the candidates a decoding prior re-ranks; the rules' priors still apply). With the shipped
    # adapter, 0.6 fixed 4 of 20 tasks answered wrong greedily (8 samples each); at 1.0 the draws
    # were mostly invented words and fixed none of 9 (6 samples each).
    temperature: float = 0.6
    seed: int = 0  # which tasks, and the draws
    judge_seed: int = 0  # the judge's file tree the commands run in
    out: str = "runs/rft"  # accepted.jsonl (training records), tried.jsonl (every answer judged), counts.json


class RftTask(BaseModel):
    request: str
    reference: str
    expect: Expect
    group: str
    source: str  # core | everyday


def read_tasks(path: Path) -> list[RftTask]:
    """The tasks of one pairs file (either format); a core pair the sandbox cannot judge
    (verified=false: processes, network, packages) is no task here."""
    tasks = []
    with Path(path).open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if "request" in row and "command" in row:
                if row.get("verified", True):
                    expect = row.get("expect") or core_expect(row["group"])
                    tasks.append(RftTask(request=row["request"], reference=row["command"], expect=expect,
                                         group=row["group"], source="core"))
            elif "instruction" in row and "answer" in row:
                from finetune.everyday_check import writes

                expect = Expect.changes if writes(row["answer"]) else Expect.output
                tasks.append(RftTask(request=row["instruction"], reference=row["answer"], expect=expect,
                                     group=row.get("group", ""), source="everyday"))
            else:
                raise ValueError(f"{path}:{number} is neither a core pair (request, command) "
                                 "nor an everyday pair (instruction, answer)")
    return tasks


def core_expect(group: str) -> str:
    """What a core pair's commands are judged by: its template's (its group's templates' when they
    agree, else both output and changes)."""
    from finetune.core_tasks.registry import TEMPLATES, group_id

    kinds = {t.expect for t in TEMPLATES if group_id(t) == group}
    return kinds.pop() if len(kinds) == 1 else Expect.output_and_changes.value


def as_judged(task: RftTask, command: str) -> str:
    """A command as the judge runs it for this task: an everyday git command inside the tree's
    repository (finetune.everyday_check's convention; core pairs name the repository themselves)."""
    if task.source != "everyday":
        return command
    from finetune.everyday_check import as_run

    return as_run(command)


def reference_works(task: RftTask, seed: int) -> bool:
    """Core pairs were verified when generated; an everyday pair's command is run here (it may name a
    file the judge's tree lacks, and then a failing answer would match a failing reference)."""
    if task.source == "core":
        return True
    from finetune.judge import verify

    return verify(as_judged(task, task.reference), task.expect, seed=seed).right is True


def sampling_guide(guide, temperature: float, rng: random.Random):
    """The guide with Gumbel noise times the temperature added to its prior. Taking the best of
    logit + prior + T * Gumbel draws a token from softmax((logit + prior) / T) (the Gumbel-max
    trick), over the candidates a prior re-ranks; the decoding loop needs no change."""

    def noise(_piece: str) -> float:
        return -temperature * math.log(-math.log(rng.random() or 1e-300))

    own = guide.prior if guide is not None else None

    def prior(text: str):
        offset = own(text) if own is not None else None
        return noise if offset is None else (lambda piece: offset(piece) + noise(piece))

    if guide is None:
        from nlsh.decoding.guide import Guide

        return Guide(prior=prior)
    return dataclasses.replace(guide, prior=prior)


def sample(pipeline, request: str, n: int, temperature: float, rng: random.Random) -> list[str]:
    """n answers drawn at `temperature` through the pipeline's prompt, grammar and guide; answers
    that did not finish (token limit, loop) are left out."""
    from nlsh.prompt import as_read

    read = as_read(request)
    prompt, grammar, guide = pipeline.prompt(read), pipeline.grammar(read), pipeline.guide(read)
    out = []
    for _ in range(n):
        gen = pipeline.model.generate(prompt, grammar, guide=sampling_guide(guide, temperature, rng))
        if gen.finished and gen.text:
            out.append(gen.text)
    return out


def pick(tasks: list[RftTask], n: int, seed: int) -> list[RftTask]:
    """n tasks with distinct requests, drawn with the seed."""
    distinct = list({t.request: t for t in tasks}.values())
    random.Random(seed).shuffle(distinct)
    return distinct[:n]


def rft(cfg: RftConfig) -> dict:
    from finetune.evaluate import system_translator
    from finetune.judge import judge_many
    from nlsh.prompt import as_read
    from nlsh.validator import command_utilities

    if cfg.samples < 1 or cfg.n_tasks < 1:
        raise ValueError("--samples and --n-tasks must be at least 1")
    if cfg.temperature <= 0:
        raise ValueError("--temperature must be above 0 (the greedy answer is already tried)")
    files = [Path(p) for p in cfg.tasks] or [p for p in (CORE_PAIRS, EVERYDAY_PAIRS) if p.exists()]
    tasks = pick([t for f in files for t in read_tasks(f)], cfg.n_tasks, cfg.seed)
    pipeline = system_translator("tuned", cfg.adapter)
    rng = random.Random(cfg.seed)
    started = time.monotonic()
    counts = dict(tasks=len(tasks), reference_fails=0, undecided=0, right_greedily=0, wrong_greedily=0,
                  fixed_by_sampling=0, samples=0, distinct_samples=0, accepted=0)
    records: list[Record] = []
    tried: list[dict] = []
    for task in tasks:
        if not reference_works(task, cfg.judge_seed):
            counts["reference_fails"] += 1
            continue
        reference = [as_judged(task, task.reference)]
        greedy = pipeline.generate(task.request).text
        verdict = judge_many([as_judged(task, greedy)], reference, task.expect, seed=cfg.judge_seed)[0]
        row = {**task.model_dump(mode="json"), "greedy": greedy, "greedy_right": verdict.right, "why": verdict.why}
        tried.append(row)
        if verdict.right is None:
            counts["undecided"] += 1
            continue
        if verdict.right:
            counts["right_greedily"] += 1
            continue
        counts["wrong_greedily"] += 1
        drawn = sample(pipeline, task.request, cfg.samples, cfg.temperature, rng)
        distinct = [s for s in dict.fromkeys(drawn) if s != greedy]
        verdicts = judge_many([as_judged(task, s) for s in distinct], reference, task.expect, seed=cfg.judge_seed)
        row["samples"] = [{"command": s, "right": v.right, "why": v.why} for s, v in zip(distinct, verdicts)]
        accepted = [s for s, v in zip(distinct, verdicts) if v.right]
        counts["samples"] += len(drawn)
        counts["distinct_samples"] += len(distinct)
        counts["fixed_by_sampling"] += bool(accepted)
        counts["accepted"] += len(accepted)
        context = pipeline.context(as_read(task.request))
        for command in accepted:
            utilities = command_utilities(command) or [""]
            records.append(Record(instruction=task.request, answer=command, context=context, source="rft",
                                  group=task.group, utility=utilities[0]))
    counts["seconds"] = round(time.monotonic() - started, 1)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "accepted.jsonl", [r.model_dump_json() for r in records])
    _write(out / "tried.jsonl", [json.dumps(r) for r in tried])
    _write(out / "counts.json", [json.dumps(counts, indent=2)])
    return counts


def _write(path: Path, lines: list[str]) -> None:
    """Whole files only: a reader never sees half of one."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(path)
