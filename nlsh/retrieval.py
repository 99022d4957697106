"""Prompt hints from what the user's own machine holds.

Four sources, all local:
- the man page database (`whatis`/`apropos`): utilities whose one-line summary matches the request
  ("how much disk space is free" -> `df - report file system space usage`), kept only when the
  utility is on $PATH;
- the user's learned pairs (~/.local/share/nlsh/learned.jsonl), as examples;
- nlsh's own everyday pairs (nlsh/data/everyday_pairs.jsonl), as examples when one asks the same
  thing in other words;
- the cache of the user's tldr client, if there is one: summaries and example commands.
A utility named in the request but missing from the man database gets its `--help` usage line.

The man and tldr indexes are built once and kept in ~/.cache/nlsh, rebuilt when the man database,
$PATH or the tldr cache changes, so a cold call costs a JSON load and a few dictionary lookups.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from nlsh.bm25 import BM25
from nlsh.config import cache_dir as default_cache_dir
from nlsh.config import learned_path as default_learned_path
from nlsh.prompt import Example, ToolHint

INDEX_VERSION = 3

# Words that carry no hint about which utility is meant.
_STOP = frozenset(
    """a an the of to in on for and or with by from at as is are be been it its this that these those all
    any my me i you your we our us do does did can could would should will shall please how what which
    who whom when where why there here into onto out up down show tell give get make let want need just
    only also than then so if not no yes current currently using use via one some each every""".split()
)

# A few everyday words that man page summaries spell differently. Kept tiny and generic on purpose.
_SYNONYMS = {
    "folder": ["directory"],
    "folders": ["directory"],
    "dir": ["directory"],
    "disk": ["file", "system", "space"],
    "free": ["space"],
    "delete": ["remove"],
    "erase": ["remove"],
    "rename": ["move"],
    "biggest": ["size"],
    "largest": ["size"],
    "smallest": ["size"],
    "big": ["size"],
    "large": ["size"],
    "zip": ["archive", "compress"],
    "unzip": ["extract", "archive"],
    "compress": ["archive"],
    "download": ["transfer", "url"],
    "internet": ["network"],
    "ip": ["address", "network"],
    "ram": ["memory"],
    "cpu": ["processor"],
    "running": ["process"],
    "program": ["process"],
    "programs": ["process"],
    "kill": ["signal", "process"],
    "permissions": ["mode"],
    "owner": ["ownership"],
    "text": ["pattern"],
    "search": ["pattern", "find"],
    "occurrences": ["pattern", "count"],
    "words": ["word", "count"],
    "lines": ["line", "count"],
    "time": ["date"],
    "today": ["date"],
    "uptime": ["running"],
    "user": ["login"],
    "users": ["login"],
}

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+_-]*")


def stem(word: str) -> str:
    """Strip common English suffixes so "files" meets "file" and "directories" meets "directory"."""
    if len(word) <= 3:
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word  # process, status, analysis
            if suffix == "es" and not word[-3] in "sxz" and not word.endswith(("ches", "shes")):
                return word[:-1]
            return word[: len(word) - len(suffix)] + repl
    return word


def terms(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in _STOP]


def query_terms(text: str) -> dict[str, float]:
    """Stemmed request words with weight 1, plus their synonyms at a lower weight."""
    words = [t for t in _TOKEN.findall(text.lower()) if t not in _STOP]
    out: dict[str, float] = {}
    for w in words:
        for s in _SYNONYMS.get(w, ()):
            out.setdefault(stem(s), 0.5)
    for w in words:
        out[stem(w)] = 1.0
    return out


_NAMING = re.compile(
    r"(?:\b(?:use|using|with|run|via|call|invoke|through)\s+|[`'\"])([A-Za-z0-9][A-Za-z0-9_.+-]*)"
)


def named_tools(instruction: str) -> set[str]:
    """Words the request presents as a program: after "use"/"with"/"run", or quoted."""
    return {m.group(1).lower() for m in _NAMING.finditer(instruction)}


class Retrieved(BaseModel):
    tools: list[ToolHint] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)


class MachineIndex(BaseModel):
    """What gets cached on disk: man page summaries and tldr pages of utilities on $PATH."""

    version: int = INDEX_VERSION
    key: str = ""
    tools: list[ToolHint] = Field(default_factory=list)
    tldr_examples: list[Example] = Field(default_factory=list)


# --- reading the man database ---------------------------------------------------------------------

# man-db: "df (1)               - report file system space usage"
# BSD/macOS: "df(1), foo(1) - report free disk space"
_WHATIS_LINE = re.compile(r"^(?P<names>.+?)\s*\((?P<section>[^)]*)\)\s*(?:,.*?)?\s+-+\s+(?P<summary>.+)$")
_COMMAND_SECTIONS = ("1", "6", "8")


def whatis_entries(executables: frozenset[str]) -> list[ToolHint]:
    """Summaries of the man pages in the user-command sections whose name is an executable here."""
    text = _run_whatis()
    seen: dict[str, ToolHint] = {}
    for line in text.splitlines():
        m = _WHATIS_LINE.match(line.strip())
        if not m or not m["section"].startswith(_COMMAND_SECTIONS):
            continue
        summary = m["summary"].strip()
        if summary.startswith("(unknown subject)"):
            continue
        for name in m["names"].split(","):
            name = re.sub(r"\(.*\)$", "", name.strip())
            if name in executables and name not in seen:
                seen[name] = ToolHint(name=name, summary=summary)
    # One entry per summary: `size` and `x86_64-linux-gnu-size` are the same utility.
    by_summary: dict[str, ToolHint] = {}
    for hint in seen.values():
        kept = by_summary.get(hint.summary)
        if kept is None or len(hint.name) < len(kept.name):
            by_summary[hint.summary] = hint
    return sorted(by_summary.values(), key=lambda h: h.name)


def _run_whatis() -> str:
    # English summaries: the model reads English, and the user's locale may not be.
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "MANPAGER": "cat", "PAGER": "cat"}
    for argv in (["whatis", "-w", "*"], ["apropos", "."]):
        try:
            proc = subprocess.run(
                argv, capture_output=True, text=True, errors="replace", env=env, timeout=10,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if proc.stdout.strip():
            return proc.stdout
    return ""


def _man_db_stamp() -> list:
    """Modification times of the places a man database lives; any change rebuilds the index."""
    candidates = [
        "/var/cache/man/index.db",
        "/var/cache/man",
        "/usr/share/man/whatis",
        "/usr/local/share/man/whatis",
        "/usr/share/man/index.db",
        "/opt/homebrew/share/man/whatis",
    ]
    out = []
    for c in candidates:
        try:
            out.append([c, os.stat(c).st_mtime_ns])
        except OSError:
            continue
    return out


# --- reading a tldr client's cache ----------------------------------------------------------------


def tldr_dirs(env: dict[str, str] | None = None) -> list[Path]:
    """Page directories of the tldr clients people use (python tldr, tealdeer, the node client)."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
    roots = []
    if env.get("TLDR_CACHE_DIR"):
        roots.append(Path(env["TLDR_CACHE_DIR"]))
    if env.get("TEALDEER_CACHE_DIR"):
        roots.append(Path(env["TEALDEER_CACHE_DIR"]) / "tldr-pages")
    roots += [
        cache / "tldr",
        cache / "tealdeer" / "tldr-pages",
        home / "Library" / "Caches" / "tealdeer" / "tldr-pages",
        home / ".tldr" / "cache",
    ]
    platforms = ["common", {"darwin": "osx"}.get(sys.platform, "linux" if sys.platform.startswith("linux") else sys.platform)]
    out = []
    for root in roots:
        # English pages only: "pages", not "pages.de".
        for plat in platforms:
            d = root / "pages" / plat
            if d.is_dir():
                out.append(d)
    return out


_TLDR_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")


def parse_tldr_page(text: str) -> tuple[str, str, list[Example]]:
    """(command name, summary, examples) of one tldr markdown page."""
    name, summary, examples = "", "", []
    pending: str | None = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("# ") and not name:
            name = line[2:].strip()
        elif line.startswith("> ") and not summary:
            summary = line[2:].strip().rstrip(".")
        elif line.startswith("- "):
            pending = line[2:].strip().rstrip(":")
        elif line.startswith("`") and line.endswith("`") and pending:
            cmd = _TLDR_PLACEHOLDER.sub(lambda m: m.group(1), line.strip("`"))
            examples.append(Example(instruction=pending, answer=cmd))
            pending = None
    return name, summary, examples


def tldr_entries(executables: frozenset[str]) -> tuple[list[ToolHint], list[Example]]:
    tools: dict[str, ToolHint] = {}
    examples: list[Example] = []
    for d in tldr_dirs():
        for page in sorted(d.glob("*.md")):
            try:
                name, summary, exs = parse_tldr_page(page.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            exe = (name or page.stem).split()[0] if (name or page.stem) else ""
            if exe not in executables:
                continue
            if summary and exe not in tools:
                tools[exe] = ToolHint(name=exe, summary=summary)
            examples.extend(exs)
    return list(tools.values()), examples


def _tldr_stamp() -> list:
    return [[str(d), d.stat().st_mtime_ns] for d in tldr_dirs()]


# --- the index ------------------------------------------------------------------------------------


def _index_key(path_env: str, use_tldr: bool) -> str:
    return json.dumps([INDEX_VERSION, path_env, _man_db_stamp(), _tldr_stamp() if use_tldr else None, sys.platform])


def build_index(path_env: str, use_tldr: bool = True) -> MachineIndex:
    from nlsh.grammar import executables_on_path

    exes = executables_on_path(path_env)
    tools = whatis_entries(exes)
    tldr_examples: list[Example] = []
    if use_tldr:
        tldr_tools, tldr_examples = tldr_entries(exes)
        known = {t.name for t in tools}
        tools += [t for t in tldr_tools if t.name not in known]
    return MachineIndex(key=_index_key(path_env, use_tldr), tools=tools, tldr_examples=tldr_examples)


def load_index(cache: Path | None, path_env: str, use_tldr: bool = True) -> MachineIndex:
    """The machine index from the disk cache when still current, else rebuilt (and saved)."""
    key = _index_key(path_env, use_tldr)
    file = cache / "machine-index.json" if cache is not None else None
    if file is not None:
        try:
            index = MachineIndex.model_validate_json(file.read_bytes())
            if index.key == key:
                return index
        except (OSError, ValueError):
            pass
    index = build_index(path_env, use_tldr)
    if file is not None:
        _write_atomic(file, index.model_dump_json().encode())
    return index


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only cache only costs speed


def read_learned(path: Path) -> list[Example]:
    """The user's learned pairs; lines that are not {"instruction", "command"} objects are skipped."""
    out: list[Example] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    obj = json.loads(line)
                    instruction, command = obj["instruction"], obj["command"]
                except (ValueError, KeyError, TypeError):
                    continue
                if isinstance(instruction, str) and isinstance(command, str) and instruction and command:
                    out.append(Example(instruction=instruction, answer=command))
    except OSError:
        pass
    return out


# --- the user's own shell history ----------------------------------------------------------------


def history_files(env: dict[str, str] | None = None) -> list[Path]:
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    out = [Path(env["HISTFILE"])] if env.get("HISTFILE") else []
    out += [home / ".bash_history", home / ".zsh_history", home / ".zhistory", data / "fish" / "fish_history"]
    return [p for p in out if p.is_file()]


_HISTORY_LINE = re.compile(r"^(?:: \d+:\d+;|- cmd: )?\s*(?:sudo\s+)?([A-Za-z0-9_.+-]+)")


def shell_history_counts(max_bytes: int = 512 * 1024) -> Counter:
    """How often each first word appears in the tail of the user's shell histories."""
    counts: Counter = Counter()
    for path in history_files():
        try:
            with open(path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - max_bytes))
                text = fh.read().decode("utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            m = _HISTORY_LINE.match(line)
            if m:
                counts[m.group(1)] += 1
    return counts


# --- --help synopses ------------------------------------------------------------------------------

# Only binaries from system locations are asked for --help: a user's own script may not know the
# flag and would simply run.
_SYSTEM_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", "/opt/homebrew/bin")
_NEVER_RUN = frozenset("reboot shutdown halt poweroff init telinit systemctl kill killall pkill rm dd mkfs".split())


def help_synopsis(name: str, timeout: float = 0.3) -> str | None:
    """The usage line of `name --help`, for a system utility without a man page."""
    if name in _NEVER_RUN or not re.fullmatch(r"[A-Za-z0-9_.+-]+", name):
        return None
    exe = None
    for d in _SYSTEM_DIRS:
        candidate = os.path.join(d, name)
        if os.access(candidate, os.X_OK) and os.path.isfile(candidate):
            exe = candidate
            break
    if exe is None:
        return None
    try:
        proc = subprocess.run(
            [exe, "--help"], capture_output=True, text=True, errors="replace", timeout=timeout,
            stdin=subprocess.DEVNULL, env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    for line in (proc.stdout or proc.stderr).splitlines():
        line = line.strip()
        if line.lower().startswith("usage:"):
            return " ".join(line.split())[:160]
    return None


# --- nlsh's own examples ------------------------------------------------------------------------

# A file name, path, number or URL is what a request fills in, not what it asks for: "extract
# backup.tar.gz" is nearer "extract data.tar.bz2" than "list contents of backup.tar.gz".
_VALUE_WORD = re.compile(r"\S*[./~0-9]\S*")
_VALUE_WEIGHT = 0.25


def task_terms(text: str) -> dict[str, float]:
    """Stemmed words with weight 1, or _VALUE_WEIGHT for the pieces of a value word."""
    out: dict[str, float] = {}
    for word in text.lower().split():
        weight = _VALUE_WEIGHT if _VALUE_WORD.fullmatch(word) else 1.0
        for t in _TOKEN.findall(word):
            if t not in _STOP:
                t = stem(t)
                out[t] = max(out.get(t, 0.0), weight)
    return out


class BundledExamples:
    """nlsh's own (request, command) pairs; one is shown when it asks what the request asks.

    A match is scored as the F1 of the two requests' task words: the pair's words found in the
    request (synonyms count half) against the request's words found in the pair. A pair that only
    shares a file name or a word like "list" stays below the threshold, since a wrong example is
    worse than none: the model follows the examples it is shown.
    """

    def __init__(self, path: Path | None = None, threshold: float = 0.6, exclude_groups: frozenset[str] = frozenset()):
        """exclude_groups: tasks to leave out, such as those an evaluation holds out as dev."""
        from nlsh.bundled import EXAMPLES_FILE, data_file

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


# --- the retriever --------------------------------------------------------------------------------


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
        words = set(_TOKEN.findall(instruction.lower()))
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
            from nlsh.grammar import executables_on_path

            self._help_cache[name] = help_synopsis(name) if name in executables_on_path(self.path_env) else None
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
            self._learned = read_learned(self.learned_path) if stamp else []
            # Later pairs win: the user's most recent correction is what they want now.
            self._learned.reverse()
            self._learned_scorer = BM25([terms(e.instruction) for e in self._learned]) if self._learned else None
        return self._learned, self._learned_scorer
