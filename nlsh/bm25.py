"""A small Okapi BM25 index: retrieval of examples and tool hints, and the lookup baseline."""

from __future__ import annotations

import math
import re
from collections import Counter

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an the of to in on for and or with by from at is are be it its this that all my me i".split())


def tokenize(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOP]


class BM25:
    def __init__(self, documents: list[str], k1: float = 1.2, b: float = 0.75, max_df: float = 1.0):
        # Terms in more than max_df of the documents are skipped when scoring: they carry little
        # weight and walking their long posting lists is most of the cost on a large corpus.
        self.k1, self.b = k1, b
        self.docs = [Counter(tokenize(d)) for d in documents]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.docs else 0.0
        df: Counter = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.max_postings = max(1, int(max_df * n))
        self.postings: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for t in d:
                self.postings.setdefault(t, []).append(i)

    def scores(self, query: str) -> dict[int, float]:
        out: dict[int, float] = {}
        for t in set(tokenize(query)):
            idf = self.idf.get(t)
            if idf is None or len(self.postings[t]) > self.max_postings:
                continue
            for i in self.postings[t]:
                tf = self.docs[i][t]
                norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avg or 1)))
                out[i] = out.get(i, 0.0) + idf * norm
        return out

    def top(self, query: str, k: int, exclude=None) -> list[int]:
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
