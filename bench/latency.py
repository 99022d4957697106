"""Latency of nlsh on this machine, printed as a markdown table.

    python bench/latency.py [--cold-runs 3] [--instructions FILE] [--model FILE --lora FILE|none]

Measures, in one run and on the same instructions:
- per-instruction latency in batch mode (model loaded once, KV prefix reused), p50 and p95, for
  no grammar, the format grammar and the PATH-restricted grammar; also per generated token, since
  without a grammar the model writes answers of a different length;
- cold `nlsh --dry-run` wall time (a new process each time, translation cache off), per mode.
The grammar overhead is reported as the ratio to the no-grammar run.

Without a grammar, generation stops at the first newline (the fairest way to get one line
without one). The machine load at the start is printed: these numbers mean little next to a
training run.
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

# Typical requests; no expected answers, only timings.
INSTRUCTIONS = everyday_requests()

MODES = ("none", "format", "path")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def batch_timings(instructions: list[str], model_path, lora) -> dict[str, dict]:
    from nlsh.config import Config
    from nlsh.api import Translator

    results: dict[str, dict] = {}
    base = Translator(Config(), model_path=model_path, lora=lora, use_cache=False)
    model = base.model
    # One untimed call so that page-in of the weights is not billed to the first mode.
    model.generate(base.prompt("warm up"), None, max_tokens=4)
    for mode in MODES:
        pipe = Translator(Config(grammar="format" if mode == "none" else mode), model_path=model_path, lora=lora,
                        use_cache=False)
        latencies, per_token, tokens = [], [], []
        for instruction in instructions:
            prompt = pipe.prompt(instruction)  # retrieval included, as in real use
            start = time.perf_counter()
            # Timed: in path mode the grammar holds the request's own words, so each request has its own.
            grammar = None if mode == "none" else pipe.grammar(instruction)
            gen = model.generate(prompt, grammar, stop_at_newline=(mode == "none"))
            elapsed = time.perf_counter() - start
            latencies.append(elapsed)
            per_token.append(elapsed / max(1, gen.n_tokens))
            tokens.append(gen.n_tokens)
        results[mode] = {"lat": latencies, "tok": per_token, "n": tokens}
    results["threads"] = model.n_threads
    return results


def cold_timings(instruction: str, runs: int, model_args: list[str]) -> dict[str, list[float]]:
    exe = shutil.which("nlsh", path=str(Path(sys.executable).parent)) or None
    argv = [exe] if exe else [sys.executable, "-m", "nlsh"]
    out: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": os.path.join(tmp, "cache"), "XDG_CONFIG_HOME": os.path.join(tmp, "config")}
        # Build the machine index and the metadata memo once: they are per-machine, not per-call.
        subprocess.run(argv + model_args + ["--dry-run", "--no-cache", "warm up"], env=env, capture_output=True)
        for mode in MODES:
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run(argv + model_args + ["--dry-run", "--no-cache", "--grammar", mode, instruction],
                               env=env, capture_output=True)
                times.append(time.perf_counter() - start)
            out[mode] = times
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instructions", help="file with one instruction per line (default: a built-in list of 20)")
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--model")
    ap.add_argument("--lora")
    args = ap.parse_args()
    instructions = INSTRUCTIONS
    if args.instructions:
        instructions = [ln.strip() for ln in Path(args.instructions).read_text().splitlines() if ln.strip()]

    from nlsh import bundled

    model_path = bundled.resolve_model(args.model)
    lora = bundled.resolve_adapter(args.lora, model_path, args.model is not None)
    model_args = (["--model", args.model] if args.model else []) + (["--lora", args.lora] if args.lora else [])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    batch = batch_timings(instructions, model_path, str(lora) if lora else "none")
    cold = cold_timings("show the 10 biggest files in this directory", args.cold_runs, model_args)

    none_p50 = percentile(batch["none"]["lat"], 0.5)
    none_tok = statistics.median(batch["none"]["tok"])
    none_cold = statistics.median(cold["none"])
    print(f"## nlsh latency — {datetime.date.today().isoformat()}")
    print()
    print(f"- machine: {cpu_name()}, {os.cpu_count()} cores, llama.cpp threads: {batch['threads']}, "
          f"load average at start: {load:.2f}")
    print(f"- model: {model_path.name}, adapter: {lora.name if lora else 'none'}; "
          f"{len(instructions)} instructions; cold runs: {args.cold_runs} per mode")
    print()
    print("| grammar | batch p50 (s) | batch p95 (s) | ms / token (median) | tokens (median) | cold --dry-run (s, median) | p50 ratio | per-token ratio | cold ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for mode in MODES:
        r = batch[mode]
        p50, p95 = percentile(r["lat"], 0.5), percentile(r["lat"], 0.95)
        tok = statistics.median(r["tok"])
        c = statistics.median(cold[mode])
        label = {"none": "none (stop at newline)", "format": "format (default)", "path": "first word on $PATH"}[mode]
        print(f"| {label} | {p50:.3f} | {p95:.3f} | {tok * 1000:.1f} | {statistics.median(r['n']):.0f} | {c:.2f} "
              f"| {p50 / none_p50:.2f}× | {tok / none_tok:.2f}× | {c / none_cold:.2f}× |")


if __name__ == "__main__":
    main()
