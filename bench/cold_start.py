"""Where a cold `nlsh --dry-run` (translation cache off) spends its time, phase by phase, printed as a
markdown table.

    python bench/cold_start.py [--runs 5] [--tree DIR ...] [--request TEXT] [--cached]

Each run is a new process, `python -c DRIVER`, that times the real CLI path: the driver wraps the
functions each phase runs in (Translator.prompt, nlsh.merge's check, llama.cpp's import and model
load, the grammar's compilation, prompt evaluation, ...) and reports each phase's own time, without
the phases inside it; start-up and exit are the
process's wall time before and after what the driver saw.
`--tree` names other checkouts of nlsh (say the commit before a change) to time in the same run,
taking turns with this one, so that a shared machine's load falls on all of them alike. Each tree's
nlsh is copied first and the copy is timed. All runs
share one throw-away HOME, so the machine index, the merged model and bashlex's table are built once
(an untimed run per tree) and found by the timed ones, as on a user's machine after the first day.
Medians over the runs. `--cached` times a repeat instead: the untimed run fills the translation cache.
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

from machine import cpu_name  # bench/machine.py (this folder is on sys.path)

REPO = Path(__file__).resolve().parent.parent
REQUEST = "show free disk space"

# Runs in the timed process. A phase's time excludes the phases that run inside it.
DRIVER = r'''
import sys, time, json
T0, STARTED = time.perf_counter(), time.time()
own, stack = {}, []

def timed(label, fn):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        stack.append(0.0)
        try:
            return fn(*args, **kwargs)
        finally:
            inner = stack.pop()
            spent = time.perf_counter() - start
            own[label] = own.get(label, 0.0) + spent - inner
            if stack:
                stack[-1] += spent
    return wrapper

def wrap(owner, name, label):
    if hasattr(owner, name):
        setattr(owner, name, timed(label, getattr(owner, name)))

def step(label, fn):
    timed(label, fn)()

step("import the CLI (click)", lambda: __import__("nlsh.cli"))
step("import config (pydantic)", lambda: __import__("nlsh.config"))
step("import api (validator, rules)", lambda: __import__("nlsh.api"))
import nlsh.api, nlsh.decoding.runner as runner, nlsh.decoding.decoder as decoder, nlsh.retrieval as retrieval
import nlsh.examples as examples, nlsh.machine.docs as docs, nlsh.merge as merge
T = nlsh.api.Translator
wrap(T, "__init__", "Translator set-up")
wrap(T, "answer_key", "cache key")
wrap(T, "prompt", "prompt (retrieval)")
wrap(retrieval, "load_index", "machine index load")
wrap(examples.BundledExamples, "_load", "nlsh's pairs load")
wrap(T, "grammar", "grammar text")
wrap(merge, "model_files", "merged-file check")
original_load = runner.load_model
def load_model(*args, **kwargs):
    step("import llama_cpp (numpy, jinja2)", lambda: __import__("llama_cpp"))
    return original_load(*args, **kwargs)
runner.load_model = timed("model load", load_model)
wrap(runner.Model, "_grammar_sampler", "grammar compile")
wrap(runner.Model, "_feed", "prompt evaluation")
wrap(runner.Model, "_step", "token steps")
wrap(decoder.Decoding, "run", "decoding (the rest)")
wrap(docs, "_man_page", "man pages read")
wrap(T, "proposal", "validator")
import atexit, nlsh.cli
result = {}
run_main = nlsh.cli.run_main
def finished(args):
    result["code"] = run_main(args)
    result["ended"], own["total seen by the driver"] = time.time(), time.perf_counter() - T0
    return result["code"]
nlsh.cli.run_main = finished
# Registered first, so it runs last of the exit handlers, whether nlsh's main ends in sys.exit or,
# once its answer is out, in os._exit after the handlers: the exit is everything after run_main.
atexit.register(lambda: print(json.dumps({"own": own, "started": STARTED, **result}), file=sys.stderr, flush=True))
nlsh.cli.main(sys.argv[1:])
'''

ORDER = ["interpreter start-up", "import the CLI (click)", "import config (pydantic)", "import api (validator, rules)",
         "Translator set-up", "cache key", "prompt (retrieval)", "machine index load", "nlsh's pairs load",
         "grammar text", "merged-file check", "import llama_cpp (numpy, jinja2)", "model load", "grammar compile",
         "prompt evaluation", "token steps", "decoding (the rest)", "man pages read", "validator", "the rest",
         "interpreter exit"]


def snapshot(tree: Path, into: Path) -> Path:
    """A copy of a checkout's nlsh package (its grammars folder inside, where an installed nlsh
    has it) to time: others editing the checkout meanwhile would change the translation cache's
    source stamp, and turn the runs that should be answered from the cache into misses."""
    import shutil

    target = into / "nlsh"
    shutil.copytree(tree / "nlsh", target, ignore=shutil.ignore_patterns("__pycache__"))
    if (tree / "grammars").is_dir() and not (target / "grammars").exists():
        shutil.copytree(tree / "grammars", target / "grammars", ignore=shutil.ignore_patterns("__pycache__"))
    return into


def isolated_env(home: Path, tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NLSH_CONFIG", "HISTFILE", "PYTHONDONTWRITEBYTECODE")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_DATA_HOME=str(home / ".local" / "share"), PYTHONPATH=str(tree),
               # compiled once, as an installed nlsh is, into a folder of the run's own: a checkout
               # whose bytecode is stale (or PYTHONDONTWRITEBYTECODE) would otherwise compile every time
               PYTHONPYCACHEPREFIX=str(tree / "pycache"))
    return env


def one_run(env: dict[str, str], cwd: Path, args: list[str]) -> tuple[float, dict[str, float], int]:
    start, launched = time.perf_counter(), time.time()
    proc = subprocess.run([sys.executable, "-c", DRIVER, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=900)
    wall, done = time.perf_counter() - start, time.time()
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    own = report["own"]
    seen = own.pop("total seen by the driver")
    own["the rest"] = seen - sum(own.values())
    own["interpreter start-up"] = report["started"] - launched
    own["interpreter exit"] = done - report["ended"]
    return wall, own, report["code"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", action="append", default=[], help="another checkout of nlsh to time alike")
    parser.add_argument("--request", default=REQUEST)
    parser.add_argument("--cached", action="store_true", help="time a repeat, answered from the cache, instead")
    args = parser.parse_args(argv)
    trees = {"this tree": REPO, **{Path(t).name: Path(t).resolve() for t in args.tree}}
    cli_args = ["--dry-run", *([] if args.cached else ["--no-cache"]), args.request]
    load = os.getloadavg()
    walls: dict[str, list[float]] = {name: [] for name in trees}
    phases: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    codes: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="nlsh-cold-") as tmp:
        home = Path(tmp)
        envs = {name: isolated_env(home, snapshot(tree, home / "trees" / f"tree-{i}"))
                for i, (name, tree) in enumerate(trees.items())}
        for name in trees:  # builds the index, the merged model, bashlex's table: not counted
            one_run(envs[name], home, cli_args)
        for r in range(args.runs):
            for name in (list(trees) if r % 2 == 0 else list(reversed(trees))):
                wall, own, code = one_run(envs[name], home, cli_args)
                walls[name].append(wall)
                codes.add(code)
                for label, seconds in own.items():
                    phases[name].setdefault(label, []).append(seconds)
    print(f"Date: {datetime.date.today().isoformat()}; {cpu_name()}, {len(os.sched_getaffinity(0))} cores; load "
          f"average at start {load[0]:.2f}; `nlsh {' '.join(cli_args[:-1])} \"{args.request}\"`, median of {args.runs} "
          f"runs per tree, taking turns; exit codes {sorted(codes)}.")
    print()
    names = list(trees)
    print("| phase | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label in ORDER:
        cells = [statistics.median(phases[n][label]) * 1000 if label in phases[n] else None for n in names]
        if all(c is None for c in cells):
            continue
        print(f"| {label} | " + " | ".join("–" if c is None else "<1 ms" if c < 0.5 else f"{c:.0f} ms" for c in cells)
              + " |")
    print("| **wall, median** | " + " | ".join(f"**{statistics.median(walls[n]):.2f} s**" for n in names) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
