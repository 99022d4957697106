"""Okapi BM25 over short documents: run-time retrieval, training-time retrieval, and the lookup baseline.

Documents and queries arrive as terms already (nlsh.words.terms stems and drops stop words), so
training and run time rank with the same words.
"""

from __future__ import annotations

import math
from collections import Counter


class BM25:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75, max_df: float = 1.0):
        # Terms in more than max_df of the documents are skipped when scoring: they carry little
        # weight and walking their long posting lists is most of the cost on a large corpus.
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in documents]
        self.lengths = [len(d) for d in documents]
        self.avg = sum(self.lengths) / len(self.lengths) if documents else 1.0
        self.postings: dict[str, list[int]] = {}
        for i, counts in enumerate(self.tf):
            for t in counts:
                self.postings.setdefault(t, []).append(i)
        n = len(documents)
        self.max_postings = max(1, int(max_df * n))
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def scores(self, query: dict[str, float] | list[str]) -> dict[int, float]:
        """Document index -> score; a dict query weighs its terms (synonyms count less)."""
        weights = query if isinstance(query, dict) else dict.fromkeys(query, 1.0)
        out: dict[int, float] = {}
        for t, weight in weights.items():
            idf = self.idf.get(t)
            if idf is None or len(self.postings[t]) > self.max_postings:
                continue
            for i in self.postings[t]:
                tf = self.tf[i][t]
                norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avg or 1)))
                out[i] = out.get(i, 0.0) + weight * idf * norm
        return out

    def top(self, query: dict[str, float] | list[str], k: int, exclude=None) -> list[int]:
        """Indices of the k best documents, best first, skipping those `exclude(i)` rejects."""
        ranked = sorted(self.scores(query).items(), key=lambda kv: -kv[1])
        out = []
        for i, _ in ranked:
            if exclude is not None and exclude(i):
                continue
            out.append(i)
            if len(out) == k:
                break
        return out
