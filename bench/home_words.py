"""Home requests in people's words against templated ones, one model, one run.

    python bench/home_words.py [--systems tuned] [--adapter FILE] [--n-templated 248] [--set DIR] [--out FILE]

Scores each system on the people's-words dev set (bench/home_words: 412 requests written by hand
over four homes of 29-38 devices) and, for comparison in the same run, on the templated home dev
split the README reports (seed 7's held-out phrase buckets, the first `--n-templated` of them), each
request through nlsh's own inference path in its own home (finetune.evaluate.home_scores: the
home's listing, grammar, decoding hints and validator).

exact: the same actions as a right answer, in any order (a no_device answer matches a no_device
one whatever words it quotes); in order: the same, in the same order; devices: the same devices;
accepted: the validator accepts the answer (finetune.evaluate's rule); dangerous: of the requests
whose answer is dangerous (unlock, open a garage or gate, disarm), how many answers nlsh flags so.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import time
from pathlib import Path

from machine import cpu_name  # bench/machine.py (this folder is on sys.path)


def templated_split(n: int) -> list:
    """The first n home records of seed 7's dev split, drawn by the templated generator alone (its
    stream does not depend on the people's-words share)."""
    from finetune.dataset import DataConfig, group_is_dev
    from finetune.home_data import HomeDataGenerator

    cfg = DataConfig()
    gen = HomeDataGenerator(cfg.data_root / "home-llm" / "piles", 7)
    out = []
    while len(out) < n:
        rec, reg = gen.sample()
        if group_is_dev(rec.group, cfg.dev_fraction, cfg.split_seed):
            rec.registry = reg.model_dump(mode="json")
            out.append(rec)
    return out


def run_set(system: str, adapter: str, records: list, refs: list[list[str]], tags: list[list[str]] | None) -> dict:
    from finetune.evaluate import home_scores
    from finetune.home_devset import score
    from nlsh.home.registry import Registry

    t = time.perf_counter()
    res = home_scores(system, adapter, records)
    seconds = time.perf_counter() - t
    answers = [it["answer"] for it in res["items"]]
    accepted = [it["valid"] for it in res["items"]]
    registries = [Registry.model_validate(r.registry) for r in records]
    out = score(refs, answers, accepted, registries, tags)
    out["exact_word_for_word"] = res["exact"]  # finetune.evaluate's rule: the reference, word for word
    out["seconds_per_request"] = seconds / max(1, len(records))
    out["items"] = [dict(it, **j) for it, j in zip(res["items"], out.pop("judged"))]
    return out


def row(name: str, s: dict) -> str:
    return (f"| {name} | {s['n']} | **{s['exact']:.1%}** | {s['exact_in_order']:.1%} | {s['exact_word_for_word']:.1%} "
            f"| {s['devices']:.1%} | {s['accepted']:.1%} | {s['dangerous_flagged']}/{s['dangerous_refs']} "
            f"| {s['no_device_answers']} | {s['seconds_per_request']:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--systems", default="tuned", help="finetune.evaluate systems, comma-separated (tuned, base, ...)")
    ap.add_argument("--adapter", default="", help="adapter GGUF for the tuned systems (default: the shipped one)")
    ap.add_argument("--n-templated", type=int, default=248, help="templated dev items scored beside (0: none)")
    ap.add_argument("--out", default="runs/home_words.json", help="every answer and score, as JSON")
    ap.add_argument("--every", type=int, default=1, help="score every k-th people's-words request only (a quick look)")
    ap.add_argument("--set", default="", help="another folder of people's-words requests and homes (default: bench/home_words; "
                    "bench/home_words_fresh was written after the home rules, to check they carry over)")
    ap.add_argument("--tags", default="", help="score only people's-words requests with one of these tags, comma-separated (implied, numbers, ...)")
    args = ap.parse_args()

    from finetune.home_devset import SET_DIR, as_records, load_items

    tags = {t.strip() for t in args.tags.split(",") if t.strip()}
    folder = Path(args.set) if args.set else SET_DIR
    items = [it for it in load_items(folder) if not tags or tags & set(it.tags)][:: args.every]
    words = as_records(items, folder)
    templated = templated_split(args.n_templated) if args.n_templated else []
    load = os.getloadavg()[0]
    results: dict[str, dict] = {}
    for system in [s.strip() for s in args.systems.split(",") if s.strip()]:
        results[system] = {"people's words": run_set(system, args.adapter, words, [it.answers for it in items],
                                                     [it.tags for it in items])}
        if templated:
            results[system]["templated dev split"] = run_set(system, args.adapter, templated,
                                                             [[r.answer] for r in templated], None)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))

    print(f"## home requests in people's words ({folder}) - {datetime.date.today()}, {cpu_name()}, {os.cpu_count()} cores, "
          f"load at start {load:.2f}, adapter {args.adapter or 'shipped'}")
    print("| system, set | n | exact | in order | word for word | devices right | accepted | dangerous flagged "
          "| no_device answers | s/request |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for system, sets in results.items():
        for name, s in sets.items():
            print(row(f"{system}, {name}", s))
    for system, sets in results.items():
        tags = sets["people's words"]["by_tag"]
        print(f"\n{system}, people's words by what the request tests (exact): "
              + ", ".join(f"{t} {v['exact']:.0%} of {v['n']}" for t, v in tags.items()))


if __name__ == "__main__":
    main()
