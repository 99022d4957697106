"""The compositional and flag tasks of the execution-checked dev benchmark (bench/exec_dev/), from the
held-out templates: whole command shapes training never sees, each drawn a few times with other
values and worded once per task.

Every reference is run by the judge and kept only if it is right against itself (not undecided,
the same outcome twice); a task keeps its template's command first, then the other spellings that
pass.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from finetune.core_tasks.drawing import draw_tasks, render, wordings
from finetune.core_tasks.model import Template
from finetune.core_tasks.registry import TEMPLATES, group_id, held_out
from finetune.core_tasks.tree_view import load_view
from finetune.core_tasks.verify import Verifier
from finetune.exec_bench import BenchTask

KINDS = ("compositional", "flag")
TASKS_PER_GROUP = 9  # distinct commands drawn per held-out group (fewer where the tree has fewer)
WORDINGS_OF_ONE = 2  # tasks of a group whose command takes no value (`uname -r`): other wordings


def bench_tasks(templates: list[Template] = TEMPLATES, *, seed: int = 0, tree_seed: int = 0,
                per_group: int = TASKS_PER_GROUP, verifier: Verifier | None = None) -> dict[str, list[BenchTask]]:
    """kind -> the tasks of the held-out groups of that kind, references checked by the judge."""
    from finetune import judge

    view = load_view(tree_seed)
    verify = verifier or Verifier(tree_seed)
    out: dict[str, list[BenchTask]] = {k: [] for k in KINDS}
    by_group: dict[str, list[Template]] = {}
    for t in templates:
        if held_out(t) and t.verifiable and t.benchable:
            by_group.setdefault(group_id(t), []).append(t)
    for group, members in sorted(by_group.items()):
        rng = random.Random(f"bench:{seed}:{group}")
        made: list[BenchTask] = []
        for t in members:
            want = max(1, per_group // len(members))
            tasks = draw_tasks(t, view, rng, want)
            tasks = [task for task in tasks if verify(task.command, t.expect)]
            worded = [(task, w) for task in tasks for w in wordings(t, task, rng, 1 if len(tasks) > 1 else WORDINGS_OF_ONE)]
            for task, request in worded:
                refs = [task.command] + [r for a in t.alternatives if (r := _render(a, task.values))]
                refs = [r for r in dict.fromkeys(refs) if judge.judge(r, [r], t.expect, seed=tree_seed).right is True]
                if not refs or refs[0] != task.command:
                    continue
                made.append(BenchTask(id=f"{t.kind}:{t.group}:{len(made) + 1}", request=request, references=refs,
                                      expect=t.expect, source=t.kind, family=t.family, group=group))
        for task in made:  # a group whose templates differ in kind is split between the files
            out[task.source] += [task]
    return out


def _render(template: str, values: dict) -> str | None:
    try:
        return render(template, values)
    except KeyError:
        return None


def write_bench(bench_dir: Path, tasks: dict[str, list[BenchTask]]) -> dict[str, int]:
    """bench_dir/compositional.jsonl and flag.jsonl; returns the number of tasks of each."""
    bench_dir.mkdir(parents=True, exist_ok=True)
    for kind, rows in tasks.items():
        tmp = bench_dir / f"{kind}.jsonl.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            for task in rows:
                f.write(json.dumps(task.model_dump(mode="json", exclude={"alt"}), ensure_ascii=False) + "\n")
        tmp.replace(bench_dir / f"{kind}.jsonl")
    return {kind: len(rows) for kind, rows in tasks.items()}
