"""The same everyday requests phrased the ways people type them: how often the answer is still right.

    python bench/phrasing.py [--adapter FILE]   (default: the shipped adapter)

Each of `everyday2.jsonl`'s 40 requests is asked plain and in six other phrasings (capitalised
with a full stop, "please ...", "can you ...?", "how do i ...?", "i want to ...", "...!"). An answer
counts when it equals one of the request's acceptable commands word for word; the table also says how
many answers are the plain phrasing's answer. Every request is decoded from a fresh context, as
`nlsh --dry-run` decodes it, so near-tied answers do not turn on what the previous request left in
the cache.
"""

from __future__ import annotations

import argparse
import datetime

from machine import blind_requests, cpu_name, same_command  # bench/machine.py (this folder is on sys.path)

PHRASINGS = {
    "plain": lambda r: r,
    "Capitalised.": lambda r: r[0].upper() + r[1:] + ".",
    "please ...": lambda r: "please " + r,
    "can you ...?": lambda r: "can you " + r + "?",
    "how do i ...?": lambda r: "how do i " + r + "?",
    "i want to ...": lambda r: "i want to " + r,
    "...!": lambda r: r + "!",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", default=None, help="an adapter GGUF (default: the shipped one)")
    args = parser.parse_args()
    from nlsh.config import Config
    from nlsh.api import Translator

    rows = blind_requests()
    translator = Translator(Config(), lora=args.adapter, use_cache=False)
    answers: dict[str, list[str]] = {name: [] for name in PHRASINGS}
    try:
        for row in rows:
            request = row["request"].rstrip("?")
            for name, phrase in PHRASINGS.items():
                translator.model.llm.reset()
                answers[name].append(translator.generate(phrase(request)).text)
    finally:
        translator.close()
    print(f"# phrasings of everyday2.jsonl, {datetime.date.today()}, {cpu_name()}\n")
    print("| phrasing | acceptable | same answer as plain |")
    print("|---|---|---|")
    for name, got in answers.items():
        right = sum(any(same_command(a, ok) for ok in row["acceptable"]) for a, row in zip(got, rows))
        same = sum(same_command(a, p) for a, p in zip(got, answers["plain"]))
        print(f"| {name} | {right} of {len(rows)} | {same} of {len(rows)} |")
    print()
    for i, row in enumerate(rows):
        print(f"{row['request']}: " + " | ".join(f"{name} `{got[i]}`" for name, got in answers.items()))


if __name__ == "__main__":
    main()
