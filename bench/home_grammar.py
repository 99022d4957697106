"""What the per-home grammar costs per generated token, for homes of 10, 100 and 500 devices.

    python bench/home_grammar.py [--sizes 10 100 500] [--threads 1] [--model FILE.gguf]

For each home it builds the grammar (nlsh.home.grammar.home_grammar), parses it into a llama.cpp
grammar sampler, and then walks a fixed answer token by token the way llama-cpp-python samples:
the grammar is applied to the full vocabulary before each token is picked, then the token is
accepted. That isolates the grammar's own cost from the model's forward pass, which is measured
separately on the same machine for scale, and is what a load on a busy machine disturbs least.
"""

from __future__ import annotations

import argparse
import ctypes
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import llama_cpp  # noqa: E402
from llama_cpp import Llama  # noqa: E402

from nlsh.home.grammar import home_answer_rules, home_grammar  # noqa: E402
from nlsh.decoding.runner import load_llama  # noqa: E402
from nlsh.home.registry import Registry, registry_from_data, render_listing  # noqa: E402

AREAS = [
    "kitchen", "living room", "bedroom", "office", "garage", "hallway", "bathroom", "dining room",
    "basement", "attic", "porch", "garden", "nursery", "guest room", "laundry", "study", "patio",
    "den", "pantry", "loft",
]
KINDS = [
    ("light", "light", {"features": ["brightness", "color"]}),
    ("light", "lamp", {"features": ["brightness"]}),
    ("switch", "plug", {}),
    ("fan", "fan", {}),
    ("climate", "thermostat", {}),
    ("cover", "blinds", {"device_class": "blind"}),
    ("media_player", "speaker", {}),
    ("lock", "door", {}),
    ("vacuum", "robot", {}),
    ("light", "ceiling", {}),
]


def synthetic_registry(n: int, seed: int = 0) -> Registry:
    """n devices spread over areas, always including the ones the fixed answer uses."""
    rng = random.Random(seed)
    devices = [
        {"id": "light.kitchen", "name": "Kitchen Light", "area": "kitchen", "features": ["brightness", "color"]},
        {"id": "climate.living_room", "name": "Living Room Thermostat", "area": "living room"},
        {"id": "media_player.office_speaker", "name": "Office Speaker", "area": "office"},
    ]
    seen = {d["id"] for d in devices}
    i = 0
    while len(devices) < n:
        area = AREAS[i % len(AREAS)] if i < len(AREAS) * len(KINDS) else rng.choice(AREAS)
        domain, noun, extra = KINDS[(i // len(AREAS)) % len(KINDS)]
        i += 1
        obj = f"{area.replace(' ', '_')}_{noun}"
        k = 2
        while f"{domain}.{obj}" in seen:
            obj = f"{area.replace(' ', '_')}_{noun}_{k}"
            k += 1
        seen.add(f"{domain}.{obj}")
        devices.append({"id": f"{domain}.{obj}", "name": f"{area.title()} {noun.title()}", "area": area, **extra})
    return registry_from_data({"devices": devices}, f"synthetic-{n}")


ANSWER = (
    "light.kitchen turn_on brightness_pct=40 color_name=red; "
    "climate.living_room set_temperature temperature=21.5; "
    "media_player.office_speaker volume_set volume_level=0.35"
)


class GrammarWalk:
    def __init__(self, llm: Llama):
        self.llm = llm
        self.vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self.n_vocab = llm.n_vocab()
        self.data = (llama_cpp.llama_token_data * self.n_vocab)()

    def init(self, grammar: str):
        t = time.perf_counter()
        smpl = llama_cpp.llama_sampler_init_grammar(self.vocab, grammar.encode(), b"root")
        dt = time.perf_counter() - t
        if not smpl:
            raise SystemExit("llama.cpp rejected the grammar")
        return smpl, dt

    def walk(self, grammar: str, tokens: list[int]) -> tuple[float, float, float, float]:
        """Seconds: grammar parse, median full-vocabulary application per token, the same at the
        first token (where the device ids branch), and checking only the picked token."""
        smpl, init_s = self.init(grammar)
        full, single = [], []
        one = (llama_cpp.llama_token_data * 1)()
        for tok in tokens:
            for j in range(self.n_vocab):
                self.data[j].id, self.data[j].logit, self.data[j].p = j, 0.0, 0.0
            arr = llama_cpp.llama_token_data_array(self.data, self.n_vocab, -1, False)
            t = time.perf_counter()
            llama_cpp.llama_sampler_apply(smpl, ctypes.byref(arr))
            full.append(time.perf_counter() - t)
            if self.data[tok].logit == float("-inf"):
                raise SystemExit(f"the grammar rejects token {tok} of the fixed answer")
            # The cheaper path a sampler can take when the model already agrees with the grammar:
            # check only the token it picked (llama.cpp's common sampler does this first).
            one[0].id, one[0].logit, one[0].p = tok, 0.0, 0.0
            arr1 = llama_cpp.llama_token_data_array(one, 1, -1, False)
            t = time.perf_counter()
            llama_cpp.llama_sampler_apply(smpl, ctypes.byref(arr1))
            single.append(time.perf_counter() - t)
            llama_cpp.llama_sampler_accept(smpl, tok)
        llama_cpp.llama_sampler_free(smpl)
        return init_s, statistics.median(full), full[0], statistics.median(single)


def forward_ms(llm: Llama, prompt_tokens: list[int], n: int = 16) -> float:
    """Median time of one decode step of the model itself, for scale."""
    llm.reset()
    llm.eval(prompt_tokens)
    times = []
    tok = prompt_tokens[-1]
    for _ in range(n):
        t = time.perf_counter()
        llm.eval([tok])
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model", default=None, help="GGUF file (default: the bundled SmolLM2)")
    ap.add_argument("--repeat", type=int, default=3, help="walks per size; the fastest is reported")
    args = ap.parse_args(argv)
    if args.model is None:
        from nlsh.bundled import smollm2_path

        args.model = str(smollm2_path())
    llm = load_llama(args.model, n_ctx=8192, n_threads=args.threads, verbose=False)
    walker = GrammarWalk(llm)
    tokens = llm.tokenize(ANSWER.encode(), add_bos=False, special=False)
    fwd = forward_ms(llm, llm.tokenize(b"<|im_start|>user\nturn on the kitchen light<|im_end|>\n<|im_start|>assistant\n"))
    print(f"model {Path(args.model).name}, {args.threads} thread(s), vocabulary {walker.n_vocab}, "
          f"answer {len(tokens)} tokens, model decode step {fwd:.1f} ms/token")
    print()
    print("| devices | grammar chars | listing tokens | grammar parse (ms) | full-vocab mask, median (ms/token) "
          "| full-vocab mask, first token (ms) | picked-token check (ms/token) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    rows = [("any text (baseline)", 0, 'root ::= [^\\n]+')]
    for n in args.sizes:
        reg = synthetic_registry(n)
        rows.append((str(n), n, home_grammar(reg)))
    biggest = synthetic_registry(max(args.sizes))
    rows.append((f"{max(args.sizes)}, flat id list", max(args.sizes), "root ::= home-answer\n" + home_answer_rules(biggest, tree=False)))
    for label, n, g in rows:
        listing = render_listing(synthetic_registry(n)) if n else ""
        listing_tokens = len(llm.tokenize(listing.encode(), add_bos=False)) if n else 0
        runs = [walker.walk(g, tokens) for _ in range(args.repeat)]
        init_s, full, first, single = (min(r[i] for r in runs) for i in range(4))
        print(f"| {label} | {len(g)} | {listing_tokens} | {init_s * 1000:.1f} | {full * 1000:.2f} | {first * 1000:.2f} "
              f"| {single * 1000:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
