"""A home-heavy round of training data: fresh home records (mostly in people's words) with a replay of
the shell records the model was trained on, so a short continuation teaches the home phenomena
without the shell answers drifting.

    python -m finetune.home_round --out runs/v3home [--home 1800] [--shell 700] [--seed 3]

Writes OUT/train.jsonl (shuffled) and OUT/dev.jsonl (the base data's dev split, unchanged). Home
records whose group the split holds out are skipped, as in `python -m finetune data`.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

from finetune.dataset import DataConfig, group_is_dev, home_records
from finetune.records import read_records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base", type=Path, default=Path("runs/v2"), help="the data the model was trained on (train.jsonl, dev.jsonl)")
    ap.add_argument("--home", type=int, default=1800, help="fresh home records")
    ap.add_argument("--spoken-share", type=float, default=0.8, help="share of them in people's words")
    ap.add_argument("--shell", type=int, default=700, help="shell records replayed from the base data")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    cfg = DataConfig(home_spoken_share=args.spoken_share)
    home = [r for r in home_records(cfg, args.home * 2, args.seed)
            if not group_is_dev(r.group, cfg.dev_fraction, cfg.split_seed)][: args.home]
    rng = random.Random(args.seed)
    shell = [r for r in read_records(args.base / "train.jsonl") if r.source != "home"]
    records = home + rng.sample(shell, args.shell)
    rng.shuffle(records)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "train.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(r.model_dump_json() + "\n")
    shutil.copy(args.base / "dev.jsonl", args.out / "dev.jsonl")
    spoken = sum(r.group.startswith("home-spoken") for r in home)
    print(f"{len(records)} records: {len(home)} home ({spoken} in people's words), {args.shell} shell replayed")


if __name__ == "__main__":
    main()
