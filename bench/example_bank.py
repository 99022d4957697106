"""Does a bank of the verified core pairs, shown as examples at run time, pay for its size?

    python bench/example_bank.py [--pairs runs/core/pairs.jsonl] [--n-exec 300] [--adapter FILE]

nlsh shows the nearest of its own everyday pairs (nlsh/data/everyday_pairs.jsonl) as examples in the
prompt. The verified pairs `python -m finetune core` writes are ours too, so they could ship beside
them. One model answers the execution-checked benchmark twice, taking turns request by request:
with the shipped bank, and with the shipped bank plus every verified core pair. The benchmark's
held-out groups are left out of both banks (the core generator never writes them; the everyday
ones are excluded as `finetune eval` does). Prints the execution table, each bank's size on disk
and the answers that changed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import tempfile
from pathlib import Path

from machine import cpu_name  # bench/machine.py (this folder is on sys.path)


def write_bank(pairs: Path, out: Path) -> int:
    """The shipped everyday pairs plus the verified core pairs, in the shipped file's format."""
    from nlsh.bundled import EXAMPLES_FILE, data_file

    lines = data_file(EXAMPLES_FILE).read_text(encoding="utf-8").splitlines()
    for line in pairs.read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        if p.get("verified"):
            lines.append(json.dumps({"instruction": p["request"], "answer": p["command"], "group": p["group"]}))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", default="runs/core/pairs.jsonl", help="the pairs `python -m finetune core` wrote")
    ap.add_argument("--n-exec", type=int, default=300, help="benchmark tasks (a seeded sample; 0 = all)")
    ap.add_argument("--adapter", default="", help="adapter GGUF (default: the shipped one)")
    ap.add_argument("--out", default="runs/example_bank.json", help="every answer and verdict, as JSON")
    args = ap.parse_args()

    from finetune.evaluate import (EvalConfig, shell_answers, exec_sample, exec_table, hold_out_bundled,
                                   score_exec, system_translator)
    from nlsh.bundled import EXAMPLES_FILE, data_file
    from nlsh.examples import BundledExamples

    cfg = EvalConfig(n_exec=args.n_exec, n_shell=0, n_home=0)
    tasks = exec_sample(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        bank = Path(tmp) / "bank.jsonl"
        n_pairs = write_bank(Path(args.pairs), bank)
        banks = {"shipped everyday pairs": data_file(EXAMPLES_FILE), "with the verified core pairs": bank}
        sizes = {name: path.stat().st_size for name, path in banks.items()}
        pipelines = {}
        for name, path in banks.items():
            pipelines[name] = system_translator("tuned", args.adapter)
            hold_out_bundled(pipelines[name], [], tasks)
            held = pipelines[name].retriever.bundled.exclude_groups
            pipelines[name].retriever.bundled = BundledExamples(path=path, exclude_groups=held)
        answers = shell_answers(pipelines, [t.request for t in tasks])
        for p in pipelines.values():
            p.close()
    results = score_exec(tasks, answers, cfg)
    print(f"# {datetime.date.today()}, {cpu_name()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"{len(tasks)} tasks, adapter {args.adapter or 'shipped'}\n")
    print(exec_table(results))
    print()
    for name in banks:
        print(f"- {name}: {sizes[name] / 1e6:.2f} MB" + (f", {n_pairs} pairs" if name != "shipped everyday pairs" else ""))
    a, b = (answers[name][0] for name in banks)
    print(f"- answers that differ: {sum(x != y for x, y in zip(a, b))} of {len(tasks)}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
