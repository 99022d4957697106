"""`python -m finetune core`: (request, command) pairs for the core utilities, each command run by the judge.

Per template: draw distinct commands from the tree's facts, have the judge run each once (`verify`:
it runs, prints where output is asked for, changes the tree where a change is asked for), then word
every command that passed several ways. Identical commands are verified once; wordings are never
verified, only commands. Templates of families the sandbox cannot run (network, processes,
packages, services) are kept with verified=false and counted apart.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from finetune.core_tasks.drawing import draw_tasks, wordings
from finetune.core_tasks.model import CorePair, Template, construction
from finetune.core_tasks.registry import TEMPLATES, group_id, held_out
from finetune.core_tasks.tree_view import load_view
from finetune.core_tasks.verify import Verifier
from finetune.exec_bench import BENCH_DIR, LeakFilter, read_bench


@dataclass
class CoreConfig:
    out: Path = Path("runs/core")  # pairs.jsonl and counts.json go here
    seed: int = 0  # draws and wordings
    tree_seed: int = 0  # the judge's tree the commands run in
    commands_per_template: int = 14  # distinct commands drawn per template (each verified once)
    # Wordings per template, spread over its verified commands: a template with one command
    # (`df -h`) gets them all as wordings of that command.
    pairs_per_template: int = 130
    unverified_pairs_per_template: int = 40  # the same for families the sandbox cannot judge
    # Leave out the benchmark's groups: those of bench/exec_dev/*.jsonl and the held-out ones.
    bench_dir: Path = BENCH_DIR
    # Also (re)write the benchmark's compositional.jsonl and flag.jsonl in bench_dir from the
    # held-out templates, every reference checked by the judge.
    write_bench: bool = False


def bench_groups(bench_dir: Path) -> set[str]:
    """Every group the committed benchmark holds: training never sees one."""
    return {t.group for t in read_bench(bench_dir)} if Path(bench_dir).is_dir() else set()


def generate(cfg: CoreConfig, templates: list[Template] = TEMPLATES, verifier: Verifier | None = None) -> dict:
    """Write pairs.jsonl and counts.json under cfg.out; return the counts."""
    from nlsh.validator import command_utilities

    started = time.monotonic()
    view = load_view(cfg.tree_seed)
    verify = verifier or Verifier(cfg.tree_seed)
    bench = read_bench(cfg.bench_dir) if Path(cfg.bench_dir).is_dir() else []
    skip = {t.group for t in bench} | {group_id(t) for t in templates if held_out(t)}
    # A pair of another template whose command or request, values masked, is a benchmark task's
    # (the data builder drops such leaks from every source; none should come from here).
    leak = LeakFilter(bench)
    leaked: Counter = Counter()
    pairs: list[CorePair] = []
    dropped: Counter = Counter()
    drawn: Counter = Counter()
    for t in templates:
        if group_id(t) in skip:
            continue
        rng = random.Random(f"{cfg.seed}:{t.group}:{t.command}")
        tasks = draw_tasks(t, view, rng, cfg.commands_per_template)
        drawn[t.group] += len(tasks)
        if t.verifiable:
            kept = [task for task in tasks if verify(task.command, t.expect)]
            dropped[t.group] += len(tasks) - len(kept)
            budget = cfg.pairs_per_template
        else:
            kept = [task for task in tasks if command_utilities(task.command)]
            budget = cfg.unverified_pairs_per_template
        if not kept:
            continue
        per_task = math.ceil(budget / len(kept))
        for task in kept:
            utilities = command_utilities(task.command) or []
            for request in wordings(t, task, rng, per_task):
                if leak.leaks(request, task.command):
                    leaked[t.group] += 1
                    continue
                pairs.append(CorePair(request=request, command=task.command, family=t.family,
                                      utility=utilities[0] if utilities else "", utilities=utilities,
                                      construction=construction(task.command, utilities), group=group_id(t),
                                      verified=t.verifiable))
    cfg.out.mkdir(parents=True, exist_ok=True)
    tmp = cfg.out / "pairs.jsonl.tmp"
    with tmp.open("w", encoding="utf-8") as f:
        for p in pairs:
            f.write(p.model_dump_json() + "\n")
    tmp.replace(cfg.out / "pairs.jsonl")
    counts = pair_counts(pairs)
    counts.update(
        templates=len(templates), held_out_groups=len({group_id(t) for t in templates} & skip),
        commands_drawn=sum(drawn.values()), commands_failed_verify=sum(dropped.values()),
        failed_by_template={g: n for g, n in sorted(dropped.items()) if n},
        failed_why=dict(verify.why.most_common()), leaking_benchmark_dropped=dict(leaked.most_common()),
        seconds=round(time.monotonic() - started, 1),
    )
    (cfg.out / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
    return counts


def run_core(cfg: CoreConfig) -> dict:
    """What `python -m finetune core` does: the benchmark files first when asked (the pairs then
    leave out what they hold), then the pairs."""
    started = time.monotonic()
    verifier = Verifier(cfg.tree_seed)
    bench_counts = None
    if cfg.write_bench:
        from finetune.core_tasks.bench import bench_tasks, write_bench

        bench_counts = write_bench(cfg.bench_dir, bench_tasks(seed=cfg.seed, tree_seed=cfg.tree_seed, verifier=verifier))
    counts = generate(cfg, verifier=verifier)
    if bench_counts is not None:
        counts.update(bench=bench_counts, seconds_with_bench=round(time.monotonic() - started, 1))
        (cfg.out / "counts.json").write_text(json.dumps(counts, indent=2) + "\n")
    return counts


def pair_counts(pairs: list[CorePair]) -> dict:
    verified = sum(p.verified for p in pairs)
    per_utility: Counter = Counter(u for p in pairs for u in set(p.utilities))
    return {
        "pairs": len(pairs),
        "verified": verified,
        "verified_share": round(verified / len(pairs), 3) if pairs else 0.0,
        "distinct_commands": len({p.command for p in pairs}),
        "utilities": len(per_utility),
        "per_family": dict(Counter(p.family for p in pairs).most_common()),
        "per_family_unverified": dict(Counter(p.family for p in pairs if not p.verified).most_common()),
        "per_construction": dict(Counter(p.construction for p in pairs).most_common()),
        "per_utility": dict(per_utility.most_common()),
    }
