"""nlsh's own (request, command) pairs (nlsh/data/everyday_pairs.jsonl), one shown as an example
when it asks what the request asks."""

from __future__ import annotations

import json
from pathlib import Path

from nlsh.bundled import EXAMPLES_FILE, data_file
from nlsh.prompt import Example
from nlsh.words import query_terms, task_terms


class BundledExamples:
    """nlsh's own (request, command) pairs; one is shown when it asks what the request asks.

    A match is scored as the F1 of the two requests' task words: the pair's words found in the
    request (synonyms count half) against the request's words found in the pair. A pair that only
    shares a file name or a word like "list" stays below the threshold, since a wrong example is
    worse than none: the model follows the examples it is shown.
    """

    def __init__(self, path: Path | None = None, threshold: float = 0.6, exclude_groups: frozenset[str] = frozenset()):
        """exclude_groups: tasks to leave out, such as those an evaluation holds out as dev."""
        self.path = path if path is not None else data_file(EXAMPLES_FILE)
        self.threshold = threshold
        self.exclude_groups = exclude_groups
        self._pairs: list[tuple[Example, dict[str, float]]] | None = None

    def _load(self) -> list[tuple[Example, dict[str, float]]]:
        if self._pairs is None:
            self._pairs = []
            try:
                lines = self.path.read_text(encoding="utf-8").splitlines()
            except OSError:
                lines = []  # a build without the file simply has no bundled examples
            for line in filter(str.strip, lines):
                pair = json.loads(line)
                if pair.get("group") not in self.exclude_groups:
                    ex = Example(instruction=pair["instruction"], answer=pair["answer"])
                    self._pairs.append((ex, task_terms(ex.instruction)))
        return self._pairs

    def matches(self, instruction: str, k: int) -> list[Example]:
        query, asked = query_terms(instruction), task_terms(instruction)
        asked_total = sum(asked.values())
        scored = []
        for i, (ex, words) in enumerate(self._load()):
            total = sum(words.values())
            if not total or not asked_total:
                continue
            precision = sum(w * min(1.0, query.get(t, 0.0)) for t, w in words.items()) / total
            recall = sum(w for t, w in asked.items() if t in words) / asked_total
            if precision + recall:
                scored.append((2 * precision * recall / (precision + recall), i, ex))
        scored.sort(key=lambda s: (-s[0], s[1]))
        out: list[Example] = []
        for score, _, ex in scored:
            if score < self.threshold or len(out) >= k:
                break
            if all(ex.answer != kept.answer for kept in out):
                out.append(ex)
        return out
