"""The judge's verify for the core tasks, once per distinct command: the pairs (generate) and the
benchmark (bench) both keep only the commands that pass it, and share one Verifier so a command
drawn for both runs once."""

from __future__ import annotations

import re
from collections import Counter


class Verifier:
    """The judge's verify, once per distinct command, with counts of why commands failed."""

    def __init__(self, tree_seed: int):
        from finetune import judge

        self.judge = judge
        self.tree_seed = tree_seed
        self.cache: dict[tuple[str, str], bool] = {}
        self.why: Counter = Counter()

    def __call__(self, command: str, expect: str) -> bool:
        key = (command, expect)
        if key not in self.cache:
            verdict = self.judge.verify(command, self.judge.Expect(expect), seed=self.tree_seed)
            ok = verdict.right is True
            self.cache[key] = ok
            if not ok:
                self.why[re.sub(r"\d+", "N", verdict.why.split(":")[0])[:60]] += 1
        return self.cache[key]
