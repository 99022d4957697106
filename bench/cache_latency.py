"""Cold vs cached latency of a translation, printed as a markdown table.

    python bench/cache_latency.py [--repeats 5] [--instruction TEXT ...] [--model FILE --lora FILE|none]

Two measurements, on the same instructions:
- `nlsh --dry-run INSTRUCTION` as a new process (what a shell key binding pays), in a throw-away
  HOME: once with an empty translation cache (model load + generation) and then again (answered
  from the cache, no model load). The machine index (man pages) is built once beforehand, so the
  cold figure is the model's and not `whatis`'s.
- in one process with the model already loaded: Translator.translate with the cache off (generation
  only) against the same call answered from the cache.
Medians over the repeats. The machine's load is printed too: next to a training run these numbers
are slower than on an idle machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_name  # bench/machine.py (this folder is on sys.path)

INSTRUCTIONS = ["print working directory", "show free disk space"]
REPO = Path(__file__).resolve().parent.parent


def isolated_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NLSH_CONFIG",)}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_DATA_HOME=str(home / ".local" / "share"))
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def timed_dry_run(env: dict[str, str], cwd: Path, instruction: str, extra: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "nlsh", "--dry-run", *extra, instruction], check=False, env=env, cwd=cwd,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
    return time.perf_counter() - start, proc.returncode


def subprocess_figures(instruction: str, repeats: int, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="nlsh-bench-") as tmp:
        home = Path(tmp)
        env = isolated_env(home)
        cache = home / ".cache" / "nlsh" / "translations.sqlite3"
        timed_dry_run(env, home, instruction, extra)  # builds the machine index; not counted
        cold, cached, codes = [], [], set()
        for _ in range(repeats):
            cache.unlink(missing_ok=True)
            t, code = timed_dry_run(env, home, instruction, extra)
            cold.append(t)
            codes.add(code)
            t, code = timed_dry_run(env, home, instruction, extra)
            cached.append(t)
            codes.add(code)
    return {"cold": statistics.median(cold), "cached": statistics.median(cached), "codes": sorted(codes)}


def in_process_figures(instructions: list[str], repeats: int, model: str | None, lora: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="nlsh-bench-") as tmp:
        os.environ.update({k: v for k, v in isolated_env(Path(tmp)).items() if k.startswith(("HOME", "XDG_"))})
        from nlsh.config import Config
        from nlsh.errors import NlshError
        from nlsh.api import Translator

        # One translator, one model in memory; the cache is switched off and on around each call.
        translator = Translator(Config(), model_path=model, lora=lora, use_cache=True)
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

        uncached_times, cached_times = [], []
        for instruction in instructions:
            run(False, instruction)  # warm-up: the first evaluation sets up llama.cpp's buffers
            run(True, instruction)  # fills the cache
            for _ in range(repeats):
                uncached_times.append(run(False, instruction))
                cached_times.append(run(True, instruction))
        names = (Path(translator.model_path).name, Path(translator.lora_path).name if translator.lora_path else "none")
        translator.cache = cache
        translator.close()
        return {"uncached": statistics.median(uncached_times), "cached": statistics.median(cached_times),
                "model": names}


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--instruction", action="append", dest="instructions")
    parser.add_argument("--model")
    parser.add_argument("--lora")
    args = parser.parse_args(argv)
    instructions = args.instructions or INSTRUCTIONS
    extra = (["--model", args.model] if args.model else []) + (["--lora", args.lora] if args.lora else [])

    load = os.getloadavg()
    rows = []
    for instruction in instructions:
        f = subprocess_figures(instruction, args.repeats, extra)
        rows.append((f"`nlsh --dry-run \"{instruction}\"` (new process)", f["cold"], f["cached"],
                     "exit " + ",".join(map(str, f["codes"]))))
    p = in_process_figures(instructions, args.repeats, args.model, args.lora)
    rows.append(("Translator.translate, model loaded (in process)", p["uncached"], p["cached"], ""))

    print(f"Date: {datetime.date.today().isoformat()}; {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
          f"{cpu_name()}; load average at start {load[0]:.2f}; model {p['model'][0]}, adapter {p['model'][1]}; "
          f"median of {args.repeats} repeats.")
    print()
    print("| what | cold (no cache) | cached | speed-up | note |")
    print("|---|---:|---:|---:|---|")
    for what, cold, warm, note in rows:
        print(f"| {what} | {fmt(cold)} | {fmt(warm)} | {cold / warm:.0f}x | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
