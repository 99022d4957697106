"""Prompt hints from what the user's own machine holds, for a shell request.

- tool hints: programs whose man page or tldr summary matches the request ("how much disk space
  is free" -> `df - report file system space usage`), kept only when the program is on $PATH, and
  the `--help` usage line of a program the request names that has no man page (nlsh.machine);
- examples: the user's learned pairs (nlsh.learned), nlsh's own everyday pairs when one asks the
  same thing in other words (nlsh.examples), and the user's tldr pages.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from nlsh.bm25 import BM25
from nlsh.cache import file_stamp
from nlsh.config import cache_dir as default_cache_dir
from nlsh.config import learned_path as default_learned_path
from nlsh.errors import UsageError
from nlsh.examples import BundledExamples
from nlsh.learned import LearnedPair, load as load_learned
from nlsh.machine.index import INDEX_FILE, MachineIndex, index_key, load_index, write_atomic
from nlsh.machine.programs import executables_on_path, usage_line
from nlsh.machine.shell_history import history_files, shell_history_counts
from nlsh.prompt import Example, ToolHint
from nlsh.words import TOKEN, named_tools, query_terms, terms

# A program typed this often gets the whole bonus for being typed: min(1.5, 0.5 * log1p(20)) is 1.5.
USAGE_CAP = 20
USAGE_MEMO = "history-counts.json"


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

    def stamps(self, instruction: str) -> list:
        """What the hints for `instruction` would be read from, in a form that is cheap to know (the
        translation cache's key, nlsh.cache): settings, file stamps, and the cache key the machine
        index is checked against. Equal stamps give equal hints, without reading any of it."""
        named = sorted(named_tools(instruction)) if self.k_tools > 0 else []
        bundled = self.bundled
        return [
            self.k_tools, self.k_examples, self.use_tldr,
            file_stamp(self.learned_path),
            [file_stamp(bundled.path), bundled.threshold, sorted(bundled.exclude_groups)] if bundled else None,
            self._index_stamp(),
            self._usage_stamp() if self.k_tools > 0 else None,
            # a program the request names gets its --help line as a hint
            [[name, file_stamp(shutil.which(name, path=self.path_env))] for name in named],
        ]

    def _index_stamp(self) -> list | str:
        if self._given_index is not None:
            return hashlib.sha256(self._given_index.model_dump_json().encode()).hexdigest()
        # The file as it is, and what load_index compares it with: a changed $PATH, man database
        # or tldr cache means the index is rebuilt and the file rewritten.
        return [file_stamp(self.cache / INDEX_FILE), index_key(self.path_env, self.use_tldr)]

    def _usage_stamp(self) -> str:
        """The shell histories' counts as the ranking reads them (capped where they stop mattering).
        Counting costs ~20 ms for a 512 KB history, and a history grows with every command typed
        while the counts that matter rarely change, so the digest is kept in the cache per stamp
        of the history files."""
        files = [file_stamp(path) for path in history_files()]
        if not files:
            return ""
        memo = self.cache / USAGE_MEMO
        try:
            kept = json.loads(memo.read_text(encoding="utf-8"))
            if kept["files"] == files:
                return kept["digest"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        counts = sorted((name, min(n, USAGE_CAP)) for name, n in self._usage().items())
        digest = hashlib.sha256(json.dumps(counts).encode()).hexdigest()
        write_atomic(memo, json.dumps({"files": files, "digest": digest}).encode())
        return digest

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
            scores[i] += 2.0 / len(name) + min(1.5, 0.5 * math.log1p(min(usage.get(name, 0), USAGE_CAP)))
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
        out: list[Example] = self._taught(query)
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

    def taught(self, instruction: str) -> list[Example]:
        """The pairs the user taught (nlsh.learned) for requests like this one, as the prompt shows
        them: most alike first."""
        if self.k_examples <= 0:
            return []
        return self._taught(query_terms(instruction))

    def _taught(self, query: dict[str, float]) -> list[Example]:
        learned, scorer = self._learned_index()
        if scorer is None:
            return []
        # A user's handful of pairs is too small a collection for BM25's idf to mean much;
        # a pair counts when most of its words are in the request.
        matches = [i for i, overlap in self._learned_matches(query, scorer) if overlap >= 0.5]
        return [learned[i] for i in matches[: self.k_examples]]

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
