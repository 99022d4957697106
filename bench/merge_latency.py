"""What merging the adapter into the model (nlsh.merge, config `merge`) buys, printed as a markdown table.

    python bench/merge_latency.py [--rounds 2] [--cold-runs 5]

In one run, on the same requests, the two ways of running the default model take turns:
- batch: per-request latency with the model loaded once (prompt with retrieval, format grammar);
- cold: `nlsh --dry-run` in a new process each time (translation cache off), merge on and off
  alternating, after one untimed run each;
- the one-time cost: building the merged file into an empty cache.
Ratios are merged over unmerged, so load on a shared machine falls on both alike.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_name, everyday_requests  # bench/machine.py (this folder is on sys.path)

COLD_REQUEST = "show the 10 biggest files in this directory"


def batch(rounds: int) -> tuple[dict[str, list[float]], int]:
    from nlsh.config import Config
    from nlsh.api import Translator

    pipes = {"merged": Translator(Config(merge=True), use_cache=False),
             "model + adapter": Translator(Config(merge=False), use_cache=False)}
    for pipe in pipes.values():  # page the weights in before anything is timed
        pipe.model.generate(pipe.prompt("warm up"), None, max_tokens=2)
    seconds: dict[str, list[float]] = {name: [] for name in pipes}
    for r in range(rounds):
        for i, request in enumerate(everyday_requests()):
            order = list(pipes) if (i + r) % 2 == 0 else list(reversed(pipes))
            for name in order:
                pipe = pipes[name]
                prompt = pipe.prompt(request)
                start = time.perf_counter()
                pipe.model.generate(prompt, pipe.grammar(request))
                seconds[name].append(time.perf_counter() - start)
    threads = next(iter(pipes.values())).model.n_threads
    for pipe in pipes.values():
        pipe.close()
    return seconds, threads


def cold(runs: int) -> tuple[dict[str, list[float]], float]:
    exe = shutil.which("nlsh", path=str(Path(sys.executable).parent))
    argv = ([exe] if exe else [sys.executable, "-m", "nlsh"]) + ["--dry-run", "--no-cache", COLD_REQUEST]
    times: dict[str, list[float]] = {"merged": [], "model + adapter": []}
    with tempfile.TemporaryDirectory() as tmp:
        envs = {}
        for name, merge in (("merged", "true"), ("model + adapter", "false")):
            config = Path(tmp, name.replace(" ", "-"), "config")
            (config / "nlsh").mkdir(parents=True)
            (config / "nlsh" / "config.toml").write_text(f"merge = {merge}\n")
            envs[name] = {**os.environ, "XDG_CACHE_HOME": os.path.join(tmp, "cache"), "XDG_CONFIG_HOME": str(config)}
        # The first merged run builds the merged file into the empty cache: the one-time cost.
        start = time.perf_counter()
        subprocess.run(argv, env=envs["merged"], capture_output=True)
        first = time.perf_counter() - start
        subprocess.run(argv, env=envs["model + adapter"], capture_output=True)
        for i in range(runs):
            for name in (list(times) if i % 2 == 0 else list(reversed(times))):
                start = time.perf_counter()
                subprocess.run(argv, env=envs[name], capture_output=True)
                times[name].append(time.perf_counter() - start)
    return times, first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2, help="passes over the requests in batch (default: 2)")
    ap.add_argument("--cold-runs", type=int, default=5, help="cold runs of each way (default: 5)")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    seconds, threads = batch(args.rounds)
    cold_times, first = cold(args.cold_runs)
    n = len(everyday_requests())
    print(f"## Merged model against model + adapter — {datetime.date.today().isoformat()}")
    print()
    print(f"- machine: {cpu_name()}, {os.cpu_count()} cores, llama.cpp threads: {threads}, load average at start: "
          f"{load:.2f}; batch: {n} requests x {args.rounds} rounds, format grammar; cold: {args.cold_runs} runs each")
    print(f"- first cold run with an empty cache (builds the merged file): {first:.1f} s")
    print()
    print("| way | batch p50 (s) | batch mean (s) | cold --dry-run median (s) |")
    print("|---|---|---|---|")
    for name in seconds:
        print(f"| {name} | {statistics.median(seconds[name]):.3f} | {statistics.mean(seconds[name]):.3f} "
              f"| {statistics.median(cold_times[name]):.2f} |")
    ratio = statistics.median(seconds["merged"]) / statistics.median(seconds["model + adapter"])
    cold_ratio = statistics.median(cold_times["merged"]) / statistics.median(cold_times["model + adapter"])
    print(f"| ratio merged / model + adapter | {ratio:.2f}x | "
          f"{statistics.mean(seconds['merged']) / statistics.mean(seconds['model + adapter']):.2f}x | {cold_ratio:.2f}x |")


if __name__ == "__main__":
    main()
