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

    def __call__(self, command: str, expect: str, exit_ok: list[int] = (0,)) -> bool:
        key = (command, expect)
        if key not in self.cache:
            verdict = self.judge.verify(command, self.judge.Expect(expect), seed=self.tree_seed)
            ok = verdict.right is True
            if not ok and verdict.why.startswith("exit ") and set(exit_ok) - {0}:
                ok = self._runs_with(command, expect, exit_ok)
            self.cache[key] = ok
            if not ok:
                self.why[re.sub(r"\d+", "N", verdict.why.split(":")[0])[:60]] += 1
        return self.cache[key]

    def _runs_with(self, command: str, expect: str, exit_ok: list[int]) -> bool:
        """verify's test for a command whose success has another exit status (diff: 1 = the files
        differ, which is the answer asked for)."""
        o = self.judge.run(command, seed=self.tree_seed)
        return (o.undecided is None and o.exit_code in exit_ok and not o.truncated
                and (expect == "changes" or bool(o.stdout.strip())) and (not expect.endswith("changes") or bool(o.changes)))
