"""Training throughput on this machine: eager vs `torch.compile`, and what padding costs.

    python bench/train_speed.py [--data runs/data/train.jsonl] [--steps 6] [--compile]

Times the same LoRA training steps (the shipped recipe: r=16 on layers 10-29, loss and output layer
on answer tokens only) in one process, eager first, then compiled, so the two share the machine's
state; prints tokens/s for each and their ratio. The first steps of each mode are warm-up (and, for
compile, the compilation itself) and are reported apart.

Padding is counted, not timed: the share of pad tokens in random batches, in the length-bucketed
batches training uses, and in packed rows (what packing could still save is the bucketed share).
"""

from __future__ import annotations

import argparse
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
from finetune.train import answer_loss, batches, collate, compile_in_place, encode  # noqa: E402
from finetune.records import read_records  # noqa: E402
from machine import cpu_name  # noqa: E402  (bench/machine.py)
from nlsh.prompt import chat_format_for  # noqa: E402


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


def time_steps(model, params, opt, encoded, groups, pad_id, steps: int, warmup: int) -> tuple[float, float]:
    """(warm-up seconds, tokens/s over the timed steps)."""
    t_warm = time.perf_counter()
    timed_tokens, t0 = 0, 0.0
    for k, idx in enumerate(groups[: warmup + steps]):
        if k == warmup:
            t_warm = time.perf_counter() - t_warm
            t0 = time.perf_counter()
        ids, mask, labels = collate(encoded, idx, pad_id, torch.device("cpu"))
        loss, _ = answer_loss(model, ids, mask, labels)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if k >= warmup:
            timed_tokens += int(mask.sum())
    return t_warm, timed_tokens / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="runs/data/train.jsonl")
    ap.add_argument("--base", default="")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--batch-tokens", type=int, default=1536)
    ap.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args()

    from peft import LoraConfig, get_peft_model

    if not args.base:
        from nlsh.bundled import default_model_path

        args.base = str(default_model_path())
    model, tok = load_base(args.base, torch.float32)
    fmt = chat_format_for(model.config.model_type, getattr(tok, "chat_template", None))
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules=LORA_TARGETS,
                                             task_type="CAUSAL_LM", layers_to_transform=list(range(10, 30))))
    records = read_records(Path(args.data))[:600]
    encoded = encode(records, tok, fmt, 384)
    rng = random.Random(0)
    bucketed = batches(encoded, args.batch_tokens, rng)
    per_batch = max(1, round(sum(len(g) for g in bucketed) / len(bucketed)))
    print(f"# Training speed, {datetime.date.today()}, {cpu_name()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, load {os.getloadavg()[0]:.2f}\n")
    print("| batching | pad tokens |\n|---|---|")
    print(f"| random, {per_batch} per batch | {pad_share(encoded, random_batches(encoded, per_batch, rng)):.1%} |")
    print(f"| length-bucketed (training) | {pad_share(encoded, bucketed):.1%} |")
    print(f"| packed rows of {args.batch_tokens} | {packed_pad_share(encoded, args.batch_tokens):.1%} |\n")

    # Same batches, same order, for both modes; the model's state after eager steps does not change speed.
    timed = sorted(bucketed, key=lambda g: -len(g))[len(bucketed) // 4 :][: args.warmup + args.steps]
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-5)
    model.train()
    rows = [("eager", *time_steps(model, params, opt, encoded, timed, pad_id, args.steps, args.warmup))]
    if args.compile:
        compile_in_place(model)
        rows.append(("torch.compile", *time_steps(model, params, opt, encoded, timed, pad_id, args.steps, args.warmup)))
    print("| mode | warm-up s | tokens/s | vs eager |\n|---|---|---|---|")
    for name, warm, rate in rows:
        print(f"| {name} | {warm:.0f} | {rate:.0f} | {rate / rows[0][2]:.2f}x |")


if __name__ == "__main__":
    main()
