"""What an answer costs on each base model, at the same answer length, for the accuracy-per-ms choice.

    python bench/base_latency.py [--tokens 7] [--rounds 2]

The default model is the base that wins on accuracy per millisecond. An untuned base writes prose
of any length, so comparing its answers' latency with a tuned model's says little; here every base
writes exactly `--tokens` tokens (the shipped model's median answer) under the format grammar, for
the same requests, with nlsh's own prompt and retrieval. The bases take turns request by request,
so load on a shared machine falls on both alike. From the ratio follows the accuracy another base
would need to win: the default's accuracy times the ratio.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import time

from machine import cpu_name, everyday_requests  # bench/machine.py (this folder is on sys.path)

# name: (model alias, adapter: None = the shipped one where it fits, "none" = none)
SYSTEMS = {
    "SmolLM2-135M + shipped adapter": ("smollm2", None),
    "SmolLM2-135M, no adapter": ("smollm2", "none"),
    "Gemma 3 270M, no adapter": ("gemma3", "none"),
}


def pipelines() -> dict:
    from nlsh import bundled
    from nlsh.config import Config
    from nlsh.api import Translator

    out = {}
    for name, (alias, lora) in SYSTEMS.items():
        path = bundled.resolve_model(alias)
        adapter = bundled.resolve_adapter(lora, path, False)
        out[name] = Translator(Config(), model_path=path, lora=str(adapter) if adapter else "none", use_cache=False)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=7, help="answer length every base writes (default: 7)")
    ap.add_argument("--rounds", type=int, default=2, help="passes over the requests (default: 2)")
    args = ap.parse_args()
    requests = everyday_requests()
    load = os.getloadavg()[0]
    pipes = pipelines()
    for pipe in pipes.values():  # page the weights in before anything is timed
        pipe.model.generate(pipe.prompt("warm up"), None, max_tokens=2)

    seconds: dict[str, list[float]] = {name: [] for name in pipes}
    per_token: dict[str, list[float]] = {name: [] for name in pipes}
    for _ in range(args.rounds):
        for request in requests:
            for name, pipe in pipes.items():
                prompt, grammar = pipe.prompt(request), pipe.grammar(request)
                start = time.perf_counter()
                gen = pipe.model.generate(prompt, grammar, max_tokens=args.tokens)
                elapsed = time.perf_counter() - start
                # An answer that ended early is scaled to the common length: the per-token cost is what differs.
                per_token[name].append(elapsed / max(1, gen.n_tokens))
                seconds[name].append(elapsed * args.tokens / max(1, gen.n_tokens))

    default = next(iter(pipes))
    base_p50 = statistics.median(seconds[default])
    print(f"## Cost of an answer of {args.tokens} tokens per base — {datetime.date.today().isoformat()}")
    print()
    print(f"- machine: {cpu_name()}, {os.cpu_count()} cores, llama.cpp threads: {pipes[default].model.n_threads}, "
          f"load average at start: {load:.2f}; {len(requests)} requests x {args.rounds} rounds, format grammar")
    print()
    print("| base | p50 per answer (s) | ms / token (median) | ratio to the first row |")
    print("|---|---|---|---|")
    for name in pipes:
        p50 = statistics.median(seconds[name])
        print(f"| {name} | {p50:.3f} | {statistics.median(per_token[name]) * 1000:.1f} | {p50 / base_p50:.2f}x |")
    for pipe in pipes.values():
        pipe.close()


if __name__ == "__main__":
    main()
