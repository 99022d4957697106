"""Local model vs the same model behind llama-cpp-python's server (`nlsh --server`), p50 per request.

    python bench/server_latency.py [--requests N] [--threads 1]

In one run, on one machine, with the same GGUF (the default model merged with nlsh's adapter, the
file the local path runs): the server is started on loopback, then every request is translated
three ways, interleaved so that the machine's load falls on all alike:
- local: the pipeline as `nlsh --dry-run` runs it, with every decoding rule;
- local, server's rules: the pipeline with the rules that need the logits at each step off, which
  is all a server can do (docs/servers.md);
- server: the pipeline with `--server`, the HTTP path.
Each request is answered once per way after one untimed warm-up; the translation cache is off.
Two more rows take the server's time apart: the same completion the server runs (prompt, grammar,
log-probabilities) run by llama-cpp-python in this process, without HTTP, and the server's
completion without log-probabilities, which llama-cpp-python computes in Python (a sort of the whole
vocabulary at each token) and nlsh needs for its confidence.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from machine import cpu_name, everyday_requests  # bench/machine.py (this folder is on sys.path)


def serve(model: Path, threads: int, log: Path) -> tuple[subprocess.Popen, str]:
    """llama-cpp-python's server on a free loopback port, once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", "4096", "--n_threads", str(threads), "--n_threads_batch", str(threads)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        if proc.poll() is not None:
            sys.exit(f"the server ended: {log.read_text()[-1000:]}")
        try:
            urllib.request.urlopen(url + "/v1/models", timeout=5).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                sys.exit("the server did not start within 300 s")
            time.sleep(0.5)


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=30, help="how many of bench/everyday.txt (default: all 30)")
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads, the same for both sides")
    args = ap.parse_args()

    from nlsh import bundled
    from nlsh.config import Config, cache_dir
    from nlsh.merge import model_files
    from nlsh.api import Translator
    from nlsh.decoding.registry import needing_logits
    from nlsh.server import ServerModel

    requests = everyday_requests()[: args.requests]
    path = bundled.default_model_path()
    adapter = bundled.resolve_adapter(None, path, explicit_model=False)
    merged, _ = model_files(path, adapter, cache_dir(), True)
    load = os.getloadavg()[0]
    log = Path(tempfile.mkdtemp(prefix="nlsh-server-bench-")) / "server.log"
    proc, url = serve(merged, args.threads, log)
    try:
        config = Config(threads=args.threads, min_confidence=0.0)
        ways = {
            "local": Translator(config, use_cache=False),
            "local, server's rules": Translator(config, use_cache=False, rules_off=needing_logits()),
            "server": Translator(config, model=ServerModel(url)),
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        times["llama-cpp-python in-process, same completion (no HTTP)"] = []
        times["server, no log-probabilities"] = []
        from llama_cpp import LlamaGrammar

        from nlsh.decoding.runner import load_llama

        in_process = load_llama(merged, n_ctx=4096, n_threads=args.threads, n_threads_batch=args.threads,
                                logits_all=True, verbose=False)
        same = 0
        for name, pipe in ways.items():  # warm-up: model load, page-in, the server's first request
            pipe.translate("list files")
        for request in requests:
            answers = {}
            for name, pipe in ways.items():
                start = time.perf_counter()
                try:
                    answers[name] = pipe.translate(request).model_dump().get("command")
                except Exception as exc:  # noqa: BLE001 - a refused answer still took its time
                    answers[name] = f"error: {exc}"
                times[name].append(time.perf_counter() - start)
            same += answers["server"] == answers["local, server's rules"]
            server = ways["server"]
            prompt, grammar = server.prompt(request), server.grammar(request)
            body = {"prompt": prompt, "max_tokens": 160, "temperature": 0.0, "repeat_penalty": 1.0, "grammar": grammar}
            start = time.perf_counter()
            in_process.create_completion(prompt, max_tokens=160, temperature=0.0, repeat_penalty=1.0, logprobs=1,
                                         grammar=LlamaGrammar.from_string(grammar, verbose=False))
            times["llama-cpp-python in-process, same completion (no HTTP)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            urllib.request.urlopen(urllib.request.Request(url + "/v1/completions", data=json.dumps(body).encode(),
                                                          headers={"Content-Type": "application/json"}), timeout=120).read()
            times["server, no log-probabilities"].append(time.perf_counter() - start)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    base = p50(times["local"])
    print(f"## nlsh --server vs local — {datetime.date.today().isoformat()}")
    print()
    print(f"- machine: {cpu_name()}, {os.cpu_count()} cores, llama.cpp threads: {args.threads} (both sides), "
          f"load average at start: {load:.2f}")
    print(f"- model: {merged.name} (served by llama-cpp-python's server on loopback)")
    print(f"- {len(requests)} requests of bench/everyday.txt, each once per way, interleaved; translation cache off")
    print(f"- same command from the server as from the local pipeline with the server's rules: {same} of {len(requests)}")
    print()
    print("| way | p50 per request | ratio to local |")
    print("|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {p50(values) * 1000:.0f} ms | {p50(values) / base:.2f}x |")
    rules = p50(times["local, server's rules"])
    print()
    print(f"server / local with the server's rules: {p50(times['server']) / rules:.2f}x")
    inner = p50(times["llama-cpp-python in-process, same completion (no HTTP)"])
    print(f"server / the same completion in-process (the HTTP path): {p50(times['server']) / inner:.2f}x")


if __name__ == "__main__":
    main()
