"""Everyday requests answered by one or more adapters side by side, for judging.

    python bench/everyday.py [--adapter FILE ...] [--without-examples]   (default: the shipped adapter)

Two sets, neither of them trained on word for word (tests/test_finetune.py checks):
- `everyday2.jsonl`: 40 requests written blind to the model's answers, each with acceptable commands
  and a note saying what any acceptable answer must do. An answer equal to an acceptable command is
  counted automatically; the rest are printed with the note, for a person to judge.
- `everyday.txt`: the 30 requests the latency benchmark times, printed for judging by hand.
Many of these tasks are among those `nlsh/data/everyday_pairs.jsonl` teaches in other words; the
pairs' held-out tasks are scored by `python -m finetune eval` instead.
"""

from __future__ import annotations

import argparse
import datetime

from machine import blind_requests, cpu_name, everyday_requests, same_command  # bench/machine.py (on sys.path)


def answers(adapter: str | None, requests: list[str], bundled: bool = True) -> list[str]:
    from nlsh.config import Config, RetrievalConfig
    from nlsh.api import Translator

    translator = Translator(Config(retrieval=RetrievalConfig(bundled=bundled)), lora=adapter, use_cache=False)
    try:
        return [translator.generate(r).text for r in requests]
    finally:
        translator.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", action="append", default=[],
                        help="an adapter GGUF to compare (repeatable; default: the shipped one)")
    parser.add_argument("--without-examples", action="store_true",
                        help="also answer each without nlsh's bundled everyday examples in the prompt")
    args = parser.parse_args()
    adapters = args.adapter or [None]
    rows = blind_requests()
    timed = everyday_requests()
    requests = [r["request"] for r in rows] + timed
    by_adapter = {}
    for a in adapters:
        by_adapter[a or "shipped"] = answers(a, requests)
        if args.without_examples:
            by_adapter[f"{a or 'shipped'}, no bundled examples"] = answers(a, requests, bundled=False)

    print(f"# everyday requests, {datetime.date.today()}, {cpu_name()}\n")
    print("## everyday2.jsonl (= an acceptable command; ? for a person to judge against the note)\n")
    for name, got in by_adapter.items():
        accepted = sum(any(same_command(a, ok) for ok in r["acceptable"]) for a, r in zip(got, rows))
        print(f"- {name}: {accepted} of {len(rows)} equal to an acceptable command")
    for i, r in enumerate(rows):
        print(f"\n{r['request']}  ({r['note']})")
        for name, got in by_adapter.items():
            mark = "=" if any(same_command(got[i], ok) for ok in r["acceptable"]) else "?"
            print(f"  {mark} {name}: {got[i]}")
    print("\n## everyday.txt (for a person to judge)\n")
    for i, request in enumerate(timed, start=len(rows)):
        print(request)
        for name, got in by_adapter.items():
            print(f"  {name}: {got[i]}")


if __name__ == "__main__":
    main()
