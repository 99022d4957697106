"""How far re-ranking the model's own answers could take the shell dev score.

    python bench/alternatives_ceiling.py [--data-dir runs/data7] [--n-shell 400] [--adapter FILE]

For each dev item the shipped path's `alternatives` (the greedy answer, then the most probable
answers that leave it) gives up to four answers. Printed: same-utilities accuracy of the greedy
answer (what nlsh answers), of the most probable finished answer (sequence log-probability, whole
and per token), and of an oracle that picks a right one whenever any of the first two or four is
right. The oracle bounds every re-ranker that only chooses among these answers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
from collections import Counter
from pathlib import Path

from machine import cpu_name  # bench/machine.py (this folder is on sys.path)


def answers(data_dir: str, n_shell: int, seed: int, adapter: str) -> list[dict]:
    from finetune.evaluate import EvalConfig, hold_out_bundled, system_translator, dev_sample, same_utilities, shell_kind
    from nlsh.api import clean_instruction

    shell, _ = dev_sample(EvalConfig(data_dir=data_dir, n_shell=n_shell, n_home=0, seed=seed))
    pipe = system_translator("tuned", adapter)
    hold_out_bundled(pipe, shell)
    out = []
    for r in shell:
        request = clean_instruction(r.instruction)
        alts = pipe.model.alternatives(pipe.prompt(request), pipe.grammar(request), 4, guide=pipe.guide(request))
        out.append({"kind": shell_kind(r), "reference": r.answer,
                    "alts": [{"text": g.text, "logprob": g.logprob, "n": g.n_tokens, "finished": g.finished,
                              "same": same_utilities(g.text, r.answer)} for g in alts]})
    pipe.close()
    return out


def _finished(item: dict) -> list[dict]:
    return [a for a in item["alts"] if a["finished"]] or item["alts"]


CHOICES = {
    "greedy (nlsh's answer)": lambda it: it["alts"][0],
    "most probable": lambda it: max(_finished(it), key=lambda a: a["logprob"]),
    "most probable per token": lambda it: max(_finished(it), key=lambda a: a["logprob"] / max(1, a["n"])),
    "oracle over the first 2": lambda it: next((a for a in it["alts"][:2] if a["same"]), it["alts"][0]),
    "oracle over all 4": lambda it: next((a for a in it["alts"] if a["same"]), it["alts"][0]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="runs/data7")
    ap.add_argument("--n-shell", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0, help="which sample of the dev items (default: 0)")
    ap.add_argument("--adapter", default="", help="default: the shipped adapter")
    ap.add_argument("--out", default="runs/alternatives.json", help="every answer, as JSON")
    args = ap.parse_args()
    items = answers(args.data_dir, args.n_shell, args.seed, args.adapter)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(items, indent=1))

    kinds = sorted({it["kind"] for it in items})
    print(f"## Re-ranking ceiling — {datetime.date.today().isoformat()}, {cpu_name()}, {os.cpu_count()} cores; "
          f"{len(items)} dev items of {args.data_dir}, sample {args.seed}")
    print()
    print("| choice | same-utilities | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for name, choose in CHOICES.items():
        right = Counter(it["kind"] for it in items if choose(it)["same"])
        total = Counter(it["kind"] for it in items)
        print(f"| {name} | {sum(right.values()) / len(items):.1%} | "
              + " | ".join(f"{right[k]} of {total[k]}" for k in kinds) + " |")


if __name__ == "__main__":
    main()
