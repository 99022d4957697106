"""Training throughput on this machine: three recipes, each in fp32 and in bf16 autocast.

    python bench/train_speed.py [--data runs/data/train.jsonl] [--steps 3] [--rounds 2] [--wide-rank 64] [--compile]

The recipes the next model is chosen between, at equal CPU-minutes:
  - LoRA r=16 on layers 10-29 (the shipped adapter's recipe);
  - LoRA on all 30 layers at a higher rank (--wide-rank);
  - full fine-tuning of layers 10-29 (every weight of their linear projections).
All six (recipe, dtype) pairs train in one process, taking turns step block by step block for
--rounds rounds on the same batches, so they share the machine's load; the first step of each is
warm-up and not timed. A training step is what `python -m finetune train` does: forward with the
loss and output layer on answer tokens only, backward, AdamW. bf16 is autocast: master weights and
optimizer state stay fp32. The load average is printed at the start and the end: the machine is shared.

With --compile, the first recipe is then compiled (torch.compile) and timed in both dtypes, after
the interleaved rounds (compiling takes minutes on 2 cores).

Padding is counted, not timed: the share of pad tokens in random batches, in the length-bucketed
batches training uses, and in packed rows (what packing could still save is the bucketed share).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from finetune.config import LORA_TARGETS  # noqa: E402
from finetune.lora import load_base  # noqa: E402
from finetune.records import read_records  # noqa: E402
from finetune.train import answer_loss, autocast, batches, collate, compile_in_place, encode  # noqa: E402
from machine import cpu_name  # noqa: E402  (bench/machine.py)
from nlsh.prompt import chat_format_for  # noqa: E402

DTYPES = ("fp32", "bf16")
FIRST_LAYER = 10  # the shipped recipe's first trained layer


def pad_share(encoded, groups) -> float:
    real = sum(len(encoded[j][0]) for g in groups for j in g)
    padded = sum(max(len(encoded[j][0]) for j in g) * len(g) for g in groups)
    return 1 - real / padded


def random_batches(encoded, per_batch: int, rng: random.Random):
    order = list(range(len(encoded)))
    rng.shuffle(order)
    return [order[i : i + per_batch] for i in range(0, len(order), per_batch)]


def packed_pad_share(encoded, row_tokens: int) -> float:
    """First-fit packing of whole examples into rows of row_tokens (block-diagonal attention)."""
    rows: list[int] = []
    for ids, _ in sorted(encoded, key=lambda e: -len(e[0])):
        n = len(ids)
        for i, used in enumerate(rows):
            if used + n <= row_tokens:
                rows[i] += n
                break
        else:
            rows.append(n)
    return 1 - sum(rows) / (len(rows) * row_tokens)


def shared_model(base, wide_rank: int):
    """One model holds every recipe, so the bench needs one model's memory (the machine is shared):
    two LoRA adapters, `r16` on layers 10-29 and `wide` on all layers, and the base weights, which
    full fine-tuning trains with the adapters switched off."""
    from peft import LoraConfig, get_peft_model

    n_layers = base.config.num_hidden_layers

    def config(rank: int, first: int):
        return LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.05, target_modules=LORA_TARGETS,
                          task_type="CAUSAL_LM", layers_to_transform=list(range(first, n_layers)))

    model = get_peft_model(base, config(16, FIRST_LAYER), adapter_name="r16")
    model.add_adapter("wide", config(wide_rank, 0))
    return model


def full_weights(name: str) -> bool:
    """A weight full fine-tuning trains: a linear projection of layer 10 or above (as freeze_for_full
    picks them; under peft the projection's own weight is its base_layer's)."""
    parts = name.split(".")
    return (name.endswith(".base_layer.weight") and parts[-3] in LORA_TARGETS
            and int(parts[parts.index("layers") + 1]) >= FIRST_LAYER)


class Recipe:
    """What one recipe trains in the shared model (its adapter, or the base weights), and its optimizer.
    Its fp32 and bf16 runs share them: autocast only changes how a step computes, and a step's
    speed does not depend on the weights' values."""

    def __init__(self, name: str, model, adapter: str | None):
        self.name, self.model, self.adapter = name, model, adapter
        if adapter is None:
            self.params = [p for n, p in model.named_parameters() if full_weights(n)]
        else:
            self.params = [p for n, p in model.named_parameters() if f".lora_A.{adapter}." in n or f".lora_B.{adapter}." in n]
        self.opt = torch.optim.AdamW(self.params, lr=1e-5)

    def activate(self) -> None:
        """Only this recipe's weights take gradients, and only its adapter (or none) computes."""
        mine = {id(p) for p in self.params}
        for p in self.model.parameters():
            p.requires_grad = id(p) in mine
        if self.adapter is not None:
            self.model.set_adapter(self.adapter)
            for p in self.params:  # set_adapter may reset the flags of the adapter it activates
                p.requires_grad = True

    def step(self, encoded, idx, pad_id, dtype: str) -> int:
        ids, mask, labels = collate(encoded, idx, pad_id, torch.device("cpu"))
        adapters_off = self.model.disable_adapter() if self.adapter is None else contextlib.nullcontext()
        with adapters_off, autocast(torch.device("cpu"), dtype):
            loss, _ = answer_loss(self.model, ids, mask, labels)
        loss.backward()
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        return int(mask.sum())


class Run:
    """One (recipe, dtype) and the tokens and seconds it has timed."""

    def __init__(self, recipe: Recipe, dtype: str, name: str = ""):
        self.recipe, self.dtype, self.name = recipe, dtype, name or recipe.name
        self.tokens, self.seconds, self.warm = 0, 0.0, False

    def block(self, encoded, groups, pad_id) -> None:
        """One turn: a warm-up step the first time, then the timed steps."""
        self.recipe.activate()
        if not self.warm:
            self.recipe.step(encoded, groups[0], pad_id, self.dtype)
            self.warm = True
        t0 = time.perf_counter()
        self.tokens += sum(self.recipe.step(encoded, idx, pad_id, self.dtype) for idx in groups)
        self.seconds += time.perf_counter() - t0

    @property
    def rate(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="runs/data/train.jsonl")
    ap.add_argument("--base", default="")
    ap.add_argument("--steps", type=int, default=3, help="timed steps per (recipe, dtype) per round")
    ap.add_argument("--rounds", type=int, default=2, help="turns each (recipe, dtype) takes")
    ap.add_argument("--batch-tokens", type=int, default=1536)
    ap.add_argument("--wide-rank", type=int, default=64, help="LoRA rank of the all-layers recipe")
    ap.add_argument("--compile", action=argparse.BooleanOptionalAction, default=False)
    args = ap.parse_args()

    if not args.base:
        from nlsh.bundled import default_model_path

        args.base = str(default_model_path())
    load_start = os.getloadavg()
    base, tok = load_base(args.base, torch.float32)
    fmt = chat_format_for(base.config.model_type, getattr(tok, "chat_template", None))
    records = read_records(Path(args.data))[:600]
    encoded = encode(records, tok, fmt, 384)
    rng = random.Random(0)
    bucketed = batches(encoded, args.batch_tokens, rng)
    per_batch = max(1, round(sum(len(g) for g in bucketed) / len(bucketed)))
    print(f"# Training speed, {datetime.datetime.now():%Y-%m-%d %H:%M}, {cpu_name()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print("| batching | pad tokens |\n|---|---|")
    print(f"| random, {per_batch} per batch | {pad_share(encoded, random_batches(encoded, per_batch, rng)):.1%} |")
    print(f"| length-bucketed (training) | {pad_share(encoded, bucketed):.1%} |")
    print(f"| packed rows of {args.batch_tokens} | {packed_pad_share(encoded, args.batch_tokens):.1%} |\n")

    # The same batches, in the same order, for every run: mid-sized ones (the largest quarter left out).
    timed = sorted(bucketed, key=lambda g: -len(g))[len(bucketed) // 4 :][: args.steps]
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    n_layers = base.config.num_hidden_layers
    model = shared_model(base, args.wide_rank)
    model.train()
    recipes = [Recipe(f"LoRA r16, layers {FIRST_LAYER}-{n_layers - 1}", model, "r16"),
               Recipe(f"LoRA r{args.wide_rank}, all {n_layers} layers", model, "wide"),
               Recipe(f"full, layers {FIRST_LAYER}-{n_layers - 1}", model, None)]
    runs = [Run(recipe, dtype) for recipe in recipes for dtype in DTYPES]
    started = time.perf_counter()
    for k in range(args.rounds):
        for run in runs:
            run.block(encoded, timed, pad_id)
            print(f"round {k + 1}: {run.name}, {run.dtype}: {run.rate:.0f} tokens/s so far", file=sys.stderr, flush=True)
    minutes = (time.perf_counter() - started) / 60
    if args.compile:
        first = runs[0].recipe
        compile_in_place(first.model)
        for dtype in DTYPES:
            runs.append(Run(first, dtype, f"{first.name}, compiled"))
            runs[-1].block(encoded, timed, pad_id)
    load_end = os.getloadavg()

    base_rate = runs[0].rate
    print(f"{args.rounds} rounds of {args.steps} steps each, {minutes:.1f} minutes; load average (1 min) "
          f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end\n")
    print("| recipe | trained parameters | dtype | tokens/s | vs LoRA r16 fp32 |\n|---|---|---|---|---|")
    for run in runs:
        trained = sum(p.numel() for p in run.recipe.params)
        print(f"| {run.name} | {trained / 1e6:.1f} M | {run.dtype} | {run.rate:.0f} | {run.rate / base_rate:.2f}x |")


if __name__ == "__main__":
    main()
