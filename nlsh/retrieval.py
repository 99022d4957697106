"""Prompt hints from what the user's own machine holds, for a shell request.

- tool hints: programs whose man page or tldr summary matches the request ("how much disk space
  is free" -> `df - report file system space usage`), kept only when the program is on $PATH, and
  the `--help` usage line of a program the request names that has no man page (nlsh.machine);
- examples: the user's learned pairs (nlsh.learned), nlsh's own everyday pairs when one asks the
  same thing in other words (nlsh.examples), and the user's tldr pages.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from nlsh.bm25 import BM25
from nlsh.config import cache_dir as default_cache_dir
from nlsh.config import learned_path as default_learned_path
from nlsh.errors import UsageError
from nlsh.examples import BundledExamples
from nlsh.learned import LearnedPair, load as load_learned
from nlsh.machine.index import MachineIndex, load_index
from nlsh.machine.programs import executables_on_path, usage_line
from nlsh.machine.shell_history import shell_history_counts
from nlsh.prompt import Example, ToolHint
from nlsh.words import TOKEN, query_terms, terms

_NAMING = re.compile(
    r"(?:\b(?:use|using|with|run|via|call|invoke|through)\s+|[`'\"])([A-Za-z0-9][A-Za-z0-9_.+-]*)"
)


def named_tools(instruction: str) -> set[str]:
    """Words the request presents as a program: after "use"/"with"/"run", or quoted."""
    return {m.group(1).lower() for m in _NAMING.finditer(instruction)}


class Retrieved(BaseModel):
    tools: list[ToolHint] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)


class Retriever:
    """Up to `tools` tool hints and `examples` examples for an instruction.

    Built once per process; the machine index is loaded lazily on the first call.
    """

    def __init__(
        self,
        tools: int = 3,
        examples: int = 2,
        use_tldr: bool = True,
        learned: Path | None = None,
        cache: Path | None = None,
        path_env: str | None = None,
        index: MachineIndex | None = None,
        bundled: bool = True,
    ):
        """index: the machine's man page summaries and tldr pages; by default this machine's,
        read from the cache or built on first use. bundled: show nlsh's own everyday pairs."""
        self.k_tools = tools
        self.k_examples = examples
        self.use_tldr = use_tldr
        self.learned_path = learned if learned is not None else default_learned_path()
        self.cache = cache if cache is not None else default_cache_dir()
        self.path_env = path_env if path_env is not None else os.environ.get("PATH", "")
        self._index: MachineIndex | None = None
        self._given_index = index
        self._tool_scorer: BM25 | None = None
        self._tldr_scorer: BM25 | None = None
        self._by_name: dict[str, int] = {}
        self._learned_stamp: tuple | None = None
        self._learned: list[Example] = []
        self._learned_scorer: BM25 | None = None
        self._help_cache: dict[str, str | None] = {}
        self._usage_counts: Counter | None = None
        self.bundled = BundledExamples() if bundled else None

    @property
    def index(self) -> MachineIndex:
        if self._index is None:
            self._index = self._given_index or load_index(self.cache, self.path_env, self.use_tldr)
            self._tool_scorer = BM25([terms(t.summary) for t in self._index.tools])
            self._tldr_scorer = BM25([terms(e.instruction) for e in self._index.tldr_examples])
            self._by_name = {t.name: i for i, t in enumerate(self._index.tools)}
        return self._index

    def retrieve(self, instruction: str) -> Retrieved:
        if self.k_tools <= 0 and self.k_examples <= 0:
            return Retrieved()
        return Retrieved(tools=self.tool_hints(instruction), examples=self.examples(instruction))

    def tool_hints(self, instruction: str) -> list[ToolHint]:
        if self.k_tools <= 0:
            return []
        index = self.index
        words = set(TOKEN.findall(instruction.lower()))
        query = query_terms(instruction)
        scores = self._tool_scorer.scores(query) if self._tool_scorer else {}
        by_name = self._by_name
        # A utility the user names outright ("use rsync to ...") is the strongest hint there is; a
        # name that is also an everyday word ("free", "find") only counts a little on its own.
        named = named_tools(instruction)
        for w in words:
            if w in by_name:
                scores[by_name[w]] = scores.get(by_name[w], 0.0) + (10.0 if w in named else 2.0)
        # Among matches, prefer the everyday utilities: the classic ones have short names (df, du,
        # ps, find), and the ones this user already types are likelier still.
        usage = self._usage()
        for i in scores:
            name = index.tools[i].name
            scores[i] += 2.0 / len(name) + min(1.5, 0.5 * math.log1p(usage.get(name, 0)))
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], index.tools[kv[0]].name))
        hints = [index.tools[i] for i, s in ranked[: self.k_tools] if s >= 1.0]
        extra = []
        for w in sorted(named - by_name.keys()):
            synopsis = self._help(w)
            if synopsis:
                extra.append(ToolHint(name=w, summary=synopsis))
        hints = extra + hints
        return hints[: self.k_tools]

    def _usage(self) -> Counter:
        if self._usage_counts is None:
            self._usage_counts = shell_history_counts()
        return self._usage_counts

    def _help(self, name: str) -> str | None:
        if name not in self._help_cache:
            self._help_cache[name] = usage_line(name) if name in executables_on_path(self.path_env) else None
        return self._help_cache[name]

    def examples(self, instruction: str) -> list[Example]:
        if self.k_examples <= 0:
            return []
        query = query_terms(instruction)
        out: list[Example] = []
        learned, scorer = self._learned_index()
        if scorer is not None:
            # A user's handful of pairs is too small a collection for BM25's idf to mean much;
            # a pair counts when most of its words are in the request.
            for i, overlap in self._learned_matches(query, scorer):
                if overlap < 0.5 or len(out) >= self.k_examples:
                    break
                out.append(learned[i])
        if len(out) < self.k_examples and self.bundled is not None:
            for ex in self.bundled.matches(instruction, self.k_examples):
                if len(out) < self.k_examples and all(ex.answer != kept.answer for kept in out):
                    out.append(ex)
        if len(out) < self.k_examples and self.use_tldr:
            index = self.index
            if self._tldr_scorer is not None and index.tldr_examples:
                for i, s in sorted(self._tldr_scorer.scores(query).items(), key=lambda kv: -kv[1]):
                    if s < 2.0 or len(out) >= self.k_examples:
                        break
                    out.append(index.tldr_examples[i])
        return out

    @staticmethod
    def _learned_matches(query: dict[str, float], scorer: BM25) -> list[tuple[int, float]]:
        bm25 = scorer.scores(query)
        ranked = []
        for i in bm25:
            words = set(scorer.tf[i])
            overlap = sum(query.get(t, 0.0) for t in words) / len(words) if words else 0.0
            ranked.append((i, overlap, bm25[i]))
        ranked.sort(key=lambda r: (-r[1], -r[2], r[0]))
        return [(i, overlap) for i, overlap, _ in ranked]

    def _learned_index(self) -> tuple[list[Example], BM25 | None]:
        # Re-read when the file changes: a pair learned a moment ago must help the very next request.
        try:
            st = self.learned_path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp != self._learned_stamp:
            self._learned_stamp = stamp
            pairs = self._read_learned() if stamp else []
            self._learned = [Example(instruction=p.instruction, answer=p.command) for p in pairs]
            # Later pairs win: the user's most recent correction is what they want now.
            self._learned.reverse()
            self._learned_scorer = BM25([terms(e.instruction) for e in self._learned]) if self._learned else None
        return self._learned, self._learned_scorer

    def _read_learned(self) -> list[LearnedPair]:
        try:
            return load_learned(self.learned_path)
        except UsageError:  # an unreadable file costs the hints it holds, not the request
            return []
