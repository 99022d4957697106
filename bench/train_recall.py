"""Does an adapter fit what it was trained on? NL2Bash training records against their dev neighbours.

For every NL2Bash dev item whose nearest training record (BM25 over a run's NL2Bash training records,
as the baseline of `finetune eval` looks it up) uses the reference's utilities, each adapter answers
the training record and the dev item through nlsh's own path. Training records answered far better
than dev items: the model learnt them but does not carry them over to new wording. Both about
equal and well short of all: it underfits, and more passes or capacity, not more data, is what it
needs. Needs a data split built by `python -m finetune data` (it reads ../shared/data).

    python bench/train_recall.py --train runs/data16/train.jsonl --dev runs/data7/dev.jsonl A.gguf [B.gguf ...]
"""

import argparse
from pathlib import Path

from finetune.evaluate import BM25Baseline, same_utilities
from finetune.records import Record, read_records
from nlsh.config import Config
from nlsh.api import Translator


def nl2bash(path: str) -> list[Record]:
    return [r for r in read_records(Path(path)) if r.source == "nl2bash"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True, help="train.jsonl the adapters were trained on")
    ap.add_argument("--dev", required=True, help="dev.jsonl of the evaluation split")
    ap.add_argument("adapters", nargs="+", help="LoRA GGUF files to compare")
    args = ap.parse_args()

    train = nl2bash(args.train)
    lookup = BM25Baseline(train)
    by_answer = {r.answer: r for r in train}
    pairs = []
    for item in nl2bash(args.dev):
        neighbour = by_answer.get(lookup.answer(item.instruction))
        if neighbour and same_utilities(neighbour.answer, item.answer):
            pairs.append((neighbour, item))
    print(f"{len(pairs)} dev NL2Bash items whose nearest training record uses the reference's utilities")
    print("| adapter | training records right | dev items right |\n|---|---|---|")
    for adapter in args.adapters:
        translator = Translator(Config(), use_cache=False, lora=adapter)
        seen = sum(same_utilities(translator.generate(t.instruction).text, t.answer) for t, _ in pairs)
        new = sum(same_utilities(translator.generate(d.instruction).text, d.answer) for _, d in pairs)
        translator.close()
        print(f"| {adapter} | {seen} of {len(pairs)} | {new} of {len(pairs)} |")


if __name__ == "__main__":
    main()
