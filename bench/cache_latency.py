"""A repeat against a cold start, each next to the floor it is judged by, printed as markdown tables.

    python bench/cache_latency.py [--runs 7] [--tree DIR ...] [--instruction TEXT ...] [--in-process]

In one run, each a new process and all taking turns so that a shared machine's load falls on all
alike, per instruction:
- `python -c pass`, and `python -c "import nlsh.cli"`: the interpreter with the CLI imported, the
  baseline a cached answer is held to;
- `nlsh --dry-run` answered from the translation cache;
- `nlsh --check COMMAND` on the command that answer holds: config and validator alone, the floor of
  any cached answer (a cached answer still goes through the validator);
- `nlsh --dry-run --no-cache`: cold, the model loaded and run.
`--tree DIR` times other checkouts of nlsh too (say the commit before a change), in the same turns;
each tree's nlsh is copied first and the copy is timed (bench/cold_start.py's snapshot).
All share one throw-away HOME whose machine index, merged model, bashlex table and cache entries are
made by an untimed run first. Medians over the runs; the date, CPU, cores and load average are
printed with them. `--in-process` adds Translator.translate with the model loaded, cache off and on.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cold_start import isolated_env, snapshot  # bench/cold_start.py (this folder is on sys.path)
from machine import cpu_name  # bench/machine.py

INSTRUCTIONS = ["show free disk space", "print working directory"]
REPO = Path(__file__).resolve().parent.parent


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL, timeout=900)
    return time.perf_counter() - start, proc


def nlsh(*args: str) -> list[str]:
    return [sys.executable, "-m", "nlsh", *args]


def subprocess_figures(trees: dict[str, Path], instructions: list[str], runs: int) -> tuple[dict, set]:
    """{(tree, instruction, what): [seconds]}; the exit codes seen."""
    times: dict[tuple[str, str, str], list[float]] = {}
    codes: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="nlsh-bench-") as tmp:
        home = Path(tmp)
        envs = {name: isolated_env(home, snapshot(tree, home / "trees" / f"tree-{i}"))
                for i, (name, tree) in enumerate(trees.items())}
        commands: dict[tuple[str, str], str] = {}
        for name in trees:
            for instruction in instructions:
                timed(nlsh("--dry-run", instruction), envs[name], home)  # index, merge, table: not counted
                _, proc = timed(nlsh("--dry-run", "--json", instruction), envs[name], home)
                commands[name, instruction] = json.loads(proc.stdout).get("command", "true")
        for r in range(runs):
            for name in (list(trees) if r % 2 == 0 else list(reversed(trees))):
                env = envs[name]
                for instruction in instructions:
                    cases = {
                        "python -c pass": [sys.executable, "-c", "pass"],
                        "python + import nlsh.cli": [sys.executable, "-c", "import nlsh.cli"],
                        "cached --dry-run": nlsh("--dry-run", instruction),
                        "--check (validator alone)": nlsh("--check", commands[name, instruction]),
                        "cold --dry-run": nlsh("--dry-run", "--no-cache", instruction),
                    }
                    for what, argv in cases.items():
                        seconds, proc = timed(argv, env, home)
                        times.setdefault((name, instruction, what), []).append(seconds)
                        if what.endswith("--dry-run"):
                            codes.add(proc.returncode)
    return {k: statistics.median(v) for k, v in times.items()}, codes


def in_process_figures(instructions: list[str], runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="nlsh-bench-") as tmp:
        os.environ.update({k: v for k, v in isolated_env(Path(tmp), REPO).items() if k.startswith(("HOME", "XDG_"))})
        from nlsh.api import Translator
        from nlsh.config import Config
        from nlsh.errors import NlshError

        translator = Translator(Config(), use_cache=True)
        cache = translator.cache
        _ = translator.model  # loaded before timing: load time is not what is measured here

        def run(use_cache: bool, instruction: str) -> float:
            translator.cache = cache if use_cache else None
            start = time.perf_counter()
            try:
                translator.translate(instruction)
            except NlshError:
                pass  # an unsure or invalid answer costs the same time and is cached the same way
            return time.perf_counter() - start

        uncached, cached = [], []
        for instruction in instructions:
            run(False, instruction)  # warm-up: the first evaluation sets up llama.cpp's buffers
            run(True, instruction)  # fills the cache
            for _ in range(runs):
                uncached.append(run(False, instruction))
                cached.append(run(True, instruction))
        translator.cache = cache
        translator.close()
        return {"uncached": statistics.median(uncached), "cached": statistics.median(cached)}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tree", action="append", default=[], help="another checkout of nlsh to time alike")
    parser.add_argument("--instruction", action="append", dest="instructions")
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args(argv)
    instructions = args.instructions or INSTRUCTIONS
    trees = {"this tree": REPO, **{Path(t).name: Path(t).resolve() for t in args.tree}}

    load = os.getloadavg()
    figures, codes = subprocess_figures(trees, instructions, args.runs)
    print(f"Date: {datetime.date.today().isoformat()}; {cpu_name()}, {len(os.sched_getaffinity(0))} cores; load "
          f"average at start {load[0]:.2f}, at the end {os.getloadavg()[0]:.2f}; median of {args.runs} runs, "
          f"each a new process, all taking turns; --dry-run exit codes {sorted(codes)}.")
    for instruction in instructions:
        print()
        print(f"`{instruction}`:")
        print()
        print("| tree | python -c pass | + import nlsh.cli (baseline) | cached --dry-run | --check (validator) "
              "| cold --dry-run | cached / baseline | cached / --check | cold / cached |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in trees:
            f = {what: figures[name, instruction, what] for (n, i, what) in figures if n == name and i == instruction}
            base, cached, check, cold = (f["python + import nlsh.cli"], f["cached --dry-run"],
                                         f["--check (validator alone)"], f["cold --dry-run"])
            print(f"| {name} | {ms(f['python -c pass'])} | {ms(base)} | {ms(cached)} | {ms(check)} | {ms(cold)} "
                  f"| {cached / base:.2f}x | {cached / check:.2f}x | {cold / cached:.1f}x |")
    if args.in_process:
        p = in_process_figures(instructions, args.runs)
        print()
        print(f"In one process, model loaded: Translator.translate {ms(p['uncached'])} with the cache off, "
              f"{p['cached'] * 1000:.1f} ms answered from it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
