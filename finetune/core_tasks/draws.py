"""Draw a task's values from the tree so that its command has a real answer there.

A drawer picks something the tree holds (a file, a folder, a word in a file, a csv column) and
derives every value a template may use from it: a size threshold below the picked file's size makes
`find DIR -size +N` print at least that file. The judge still runs every command; drawing from the
facts only keeps the share that fails low. Each drawer returns a dict of values or None.
"""

from __future__ import annotations

import math
import random
import re
import shlex
from collections import Counter
from typing import Callable

from finetune.core_tasks.model import Values
from finetune.core_tasks.tree_view import FileView, TreeView
from finetune.core_tasks.words import (
    count_words, days_ago_beyond, days_ago_beyond_when, days_ago_within, dir_nouns, ext_nouns, in_dir, minutes_beyond,
    minutes_within, ordinal, size_words,
)

Drawer = Callable[[TreeView, random.Random], "Values | None"]

ROUND_DAYS = [1, 2, 3, 5, 7, 10, 14, 21, 30, 60, 90, 180, 365]
ROUND_MINUTES = [5, 10, 15, 30, 60, 90, 120, 180, 240, 360]
ROUND_SIZES = [1, 2, 5, 10, 20, 50, 100, 200, 500]
UNITS = {"k": 1024, "M": 1024**2, "G": 1024**3}
SMALL_COUNTS = [2, 3, 5, 10, 20]

# Names for things a command creates: people name backups and new folders like this.
NEW_DIRS = ["backup", "archive", "old", "out", "build", "new", "export", "staging", "2024", "misc", "sorted", "keep"]
NEW_WORDS = ["foo", "bar", "prod", "staging", "localhost", "fixed", "done", "new", "example", "demo"]
TEXTS = ["buy bread", "call mom", "port=9090", "TODO: write tests", "hello world", "backup done", "meeting at 10",
         "remember the milk", "DEBUG=1", "export PATH=$HOME/bin:$PATH"]
NEW_STEMS = ["backup", "archive", "bundle", "snapshot", "export", "release", "logs_old", "site", "stuff", "files"]


def q(path: str) -> str:
    """A path as a command spells it: quoted when it has spaces, `~/` left unquoted so it expands."""
    if path.startswith("~/"):
        return "~/" + shlex.quote(path[2:])
    return shlex.quote(path)


def ancestors(path: str) -> list[str]:
    """"." and every folder above a file: the places a request about that file may name."""
    parts = path.split("/")[:-1]
    return ["."] + ["/".join(parts[: i + 1]) for i in range(len(parts))]


def folder_values(path: str, rng: random.Random, prefix: str = "") -> Values:
    """`dir` for the command, `in_dir`/`dir_nl` for requests. Sometimes spelled from home (`~/photos`,
    `~`) as people do; the command then spells it the same way."""
    if path == "." and rng.random() < 0.12:
        path = "~"
    elif path != "." and rng.random() < 0.12:
        path = "~/" + path
    spelled = q(path) if path != "~" else "~"
    return {f"{prefix}dir": spelled, f"{prefix}in_dir": in_dir(path), f"{prefix}dir_nl": dir_nouns(path),
            f"{prefix}dir_path": path, f"{prefix}dir_slash": "" if path == "." else spelled + "/"}


def file_values(f: FileView, prefix: str = "") -> Values:
    """`file` for the command; `file_nl` spells it as people do: the path, or its name in its folder."""
    forms = [f.path]
    if f.parent != ".":
        forms += [f"{f.name} in {f.parent}", f"{f.parent}/{f.name}"]
    return {f"{prefix}file": q(f.path), f"{prefix}file_nl": forms, f"{prefix}name": f.name, f"{prefix}file_path": f.path,
            f"{prefix}file_dir": q(f.parent), f"{prefix}file_dir_nl": dir_nouns(f.parent),
            f"{prefix}base": q(f.name), f"{prefix}stem": f.stem, f"{prefix}ext": f.ext}


def size_threshold(size: int, rng: random.Random, above: bool) -> tuple[str, list[str]] | None:
    """find's `-size +N<unit>` below `size` (above=True), or `-size -N<unit>` above it. find rounds
    a file's size up to whole units before comparing, so the bound is checked the same way."""
    options = []
    for unit, scale in UNITS.items():
        units = math.ceil(size / scale)
        for n in ROUND_SIZES:
            if (above and units > n) or (not above and units < n and n * scale <= 50 * size + 100 * 1024):
                options.append((n, unit))
    if not options:
        return None
    if above:  # the tightest round bounds say the most about the file
        options = sorted(options, key=lambda o: -o[0] * UNITS[o[1]])[:4]
    else:
        options = sorted(options, key=lambda o: o[0] * UNITS[o[1]])[:4]
    n, unit = rng.choice(options)
    return f"{n}{unit}", size_words(n, unit)


def day_threshold(age_days: float, rng: random.Random, within: bool) -> int | None:
    """-mtime -N (within) holds when whole days of age < N; -mtime +N when whole days > N."""
    whole = int(age_days)
    options = [n for n in ROUND_DAYS if (n > whole if within else whole > n)]
    if not options:
        return None
    return rng.choice(options[:3] if within else options[-3:])


def minute_threshold(age_minutes: float, rng: random.Random, within: bool) -> int | None:
    whole = math.ceil(age_minutes)
    options = [n for n in ROUND_MINUTES if (n > whole + 1 if within else whole > n + 1)]
    if not options:
        return None
    return rng.choice(options[:3] if within else options[-3:])


def _visible(view: TreeView) -> list[FileView]:
    return [f for f in view.files if not f.hidden]


def anchored(keep: Callable[[FileView], bool] = lambda f: True, *, derive: tuple[str, ...] = ()) -> Drawer:
    """A drawer that picks a file `keep` accepts and a folder above it, and derives thresholds
    that file passes: `derive` names them (size_gt, size_lt, days_within, days_beyond, mins_within,
    mins_beyond, amins_within, adays_beyond)."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        candidates = [f for f in _visible(view) if keep(f)]
        if not candidates:
            return None
        f = rng.choice(candidates)
        values: Values = {**folder_values(rng.choice(ancestors(f.path)), rng), **file_values(f)}
        values["exts"] = ext_nouns(f.ext) if f.ext else ["files"]
        values["mode"] = f"{f.mode:o}"
        for name in derive:
            derived = _derive(name, f, rng)
            if derived is None:
                return None
            values.update(derived)
        return values

    return draw


def _derive(name: str, f: FileView, rng: random.Random) -> Values | None:
    if name in ("size_gt", "size_lt"):
        t = size_threshold(f.size, rng, above=name == "size_gt")
        return None if t is None else {name: t[0], f"{name}_nl": t[1]}
    if name in ("days_within", "days_beyond", "adays_beyond"):
        age = f.atime_days if name.startswith("a") else f.age_days
        n = day_threshold(age, rng, within=name.endswith("within"))
        if n is None:
            return None
        if name.endswith("within"):
            return {name: str(n), f"{name}_nl": days_ago_within(n)}
        return {name: str(n), f"{name}_nl": days_ago_beyond(n), f"{name}_ago": days_ago_beyond_when(n)}
    if name in ("mins_within", "mins_beyond", "amins_within"):
        age = (f.atime_days if name.startswith("a") else f.age_days) * 1440
        n = minute_threshold(age, rng, within=name.endswith("within"))
        if n is None:
            return None
        return {name: str(n), f"{name}_nl": minutes_within(n) if name.endswith("within") else minutes_beyond(n)}
    raise ValueError(f"unknown derived value {name}")


def has_ext(*exts: str) -> Callable[[FileView], bool]:
    return lambda f: f.ext in exts if exts else bool(f.ext)


def folder(keep: Callable[[str, TreeView], bool] = lambda d, v: True, *, with_dot: bool = True) -> Drawer:
    """A drawer that picks a folder (or "." when allowed) `keep` accepts."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        options = ([".", "."] if with_dot else []) + [d for d in view.dirs if not _hidden(d)]
        options = [d for d in options if keep(d, view)]
        if not options:
            return None
        return folder_values(rng.choice(options), rng)

    return draw


def _hidden(path: str) -> bool:
    """Hidden, or a folder nobody names in a request (a byte-code cache)."""
    return any(p.startswith(".") or p == "__pycache__" for p in path.split("/"))


def two_exts(view: TreeView, rng: random.Random) -> Values | None:
    """A folder with files of two extensions: the `-o` groups of find."""
    d = rng.choice(["."] + [x for x in view.dirs if not _hidden(x)])
    exts = sorted({f.ext for f in view.under(d) if f.ext})
    if len(exts) < 2:
        return None
    a, b = rng.sample(exts, 2)
    return {**folder_values(d, rng), "ext": a, "ext2": b, "exts": ext_nouns(a), "exts2": ext_nouns(b)}


def folder_named(view: TreeView, rng: random.Random) -> Values | None:
    """A folder's name (`dname`) and a place above it to search from."""
    named = [d for d in view.dirs if not _hidden(d)]
    d = rng.choice(named)
    where = rng.choice(["."] + ["/".join(d.split("/")[:i]) for i in range(1, d.count("/") + 1)])
    return {**folder_values(where, rng), "dname": q(d.split("/")[-1])}


def ext_in_subfolder(inside: bool) -> Drawer:
    """A folder, an extension whose files sit in at least two of its subfolders, and one such
    subfolder's name `skip`: `-path '*/skip/*'` keeps some of them (inside) and `-not -path` the rest."""

    def options(view: TreeView, d: str) -> list[tuple[str, list[str]]]:
        base = "" if d == "." else d + "/"
        by_ext: dict[str, set[str]] = {}
        for f in view.under(d):
            rest = f.path[len(base):]
            if f.ext and "/" in rest:
                by_ext.setdefault(f.ext, set()).add(rest.split("/")[-2])
        loose = {f.ext for f in view.under(d) if f.ext and "/" not in f.path[len(base):]}
        return [(e, sorted(s)) for e, s in sorted(by_ext.items()) if len(s) >= 2 or (not inside and e in loose)]

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        places = [(d, o) for d in ["."] + [x for x in view.dirs if not _hidden(x)] if (o := options(view, d))]
        if not places:
            return None
        d, opts = rng.choice(places)
        ext, subs = rng.choice(opts)
        return {**folder_values(d, rng), "ext": ext, "exts": ext_nouns(ext), "skip": rng.choice(subs)}

    return draw


def count(view: TreeView, rng: random.Random) -> Values:
    """A small count, for head -n, top N."""
    n = rng.choice(SMALL_COUNTS[:4])
    return {"n": str(n), "n_nl": count_words(n)}


# --- text -------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z_][A-Za-z_]{2,}")


def words_of(f: FileView) -> Counter:
    """How many lines each word occurs on."""
    seen: Counter = Counter()
    for line in f.lines or []:
        seen.update(set(_WORD.findall(line)))
    return seen


def text_file(keep: Callable[[FileView], bool] = lambda f: True, *, min_lines: int = 3) -> Drawer:
    """A text file, a word on some but not all of its lines (so grep and grep -v both print), a
    second such word, a line number it has and a small count."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        candidates = [f for f in view.text_files if len(f.lines) >= min_lines and keep(f)]
        if not candidates:
            return None
        f = rng.choice(candidates)
        n_lines = len(f.lines)
        common = words_of(f)
        usable = sorted(w for w, c in common.items() if c < n_lines)
        words: Values = {}
        if len(usable) >= 2:  # a file of numbers has none: templates that need a word skip it
            word, word2 = rng.sample(usable, 2)
            with_word = [line for line in f.lines if word in _WORD.findall(line)]
            cowords = sorted({w for line in with_word for w in _WORD.findall(line)} - {word})
            words = {"word": word, "word2": word2, "word_lower": word.lower(), "coword": rng.choice(cowords) if cowords else word2,
                     "newword": rng.choice([w for w in NEW_WORDS if w != word])}
        longest = max(len(line) for line in f.lines)
        line_no = rng.randint(1, n_lines)
        a = rng.randint(1, max(1, n_lines - 1))
        b = rng.randint(min(a + 1, n_lines), n_lines)
        n = rng.choice([c for c in SMALL_COUNTS if c < n_lines] or [1])
        return {**file_values(f), **folder_values(f.parent, rng), **words,
                "width": str(rng.choice([w for w in (10, 20, 30, 40, 50, 60, 80) if w < longest] or [1])),
                "text": rng.choice(TEXTS),
                "bytes": str(rng.choice([10, 16, 20, 32, 50, 64, 100])), "line": str(line_no), "from": str(a), "to": str(b), "n": str(n),
                "n_nl": count_words(n), "lines_total": str(n_lines)}

    return draw


def grep_tree(view: TreeView, rng: random.Random) -> Values | None:
    """A folder and a word some of the text files below it contain and some do not."""
    f = rng.choice(view.text_files)
    word = rng.choice(sorted(words_of(f)) or [""])
    if not word:
        return None
    d = rng.choice(ancestors(f.path))
    below = [g for g in view.under(d) if g.lines is not None]
    holding = [g for g in below if any(word in line for line in g.lines)]
    if len(holding) == len(below) and rng.random() < 0.8:
        return None
    exts = sorted({g.ext for g in holding if g.ext})
    ext = f.ext if f.ext else (exts[0] if exts else "txt")
    return {**folder_values(d, rng), "word": word, "ext": ext, "exts": ext_nouns(ext)}


def csv_file(view: TreeView, rng: random.Random) -> Values | None:
    """A csv file with a header: a column (number and name), a numeric column and a value in it."""
    candidates = [f for f in view.text_files if f.ext == "csv" and len(f.lines) >= 3 and "," in f.lines[0]]
    if not candidates:
        return None
    f = rng.choice(candidates)
    header = f.lines[0].split(",")
    rows = [line.split(",") for line in f.lines[1:] if line.count(",") == len(header) - 1]
    if not rows:
        return None
    k = rng.randrange(len(header))
    numeric = [i for i in range(len(header)) if all(_is_number(r[i]) for r in rows)]
    text_cols = [i for i in range(len(header)) if i not in numeric]
    values: Values = {**file_values(f), "col": str(k + 1), "colname": header[k], "cols": str(len(header))}
    if numeric:
        m = rng.choice(numeric)
        nums = sorted(float(r[m]) for r in rows)
        mid = nums[len(nums) // 2]
        values.update(numcol=str(m + 1), numcolname=header[m], threshold=_num(mid))
    if text_cols:
        t = rng.choice(text_cols)
        values.update(textcol=str(t + 1), textcolname=header[t], textvalue=rng.choice(rows)[t])
    return values


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def json_file(view: TreeView, rng: random.Random) -> Values | None:
    """A json file and a jq path into it with a value: `.port`, `.db.host`, `.[].user`."""
    import json

    candidates = [f for f in view.text_files if f.ext == "json"]
    if not candidates:
        return None
    f = rng.choice(candidates)
    try:
        data = json.loads("\n".join(f.lines))
    except ValueError:
        return None
    paths: list[tuple[str, list[str]]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            paths.append((f".{k}", [k, f"the {k}", f"{k} field", f"{k} value"]))
            if isinstance(v, dict):
                paths += [(f".{k}.{k2}", [f"{k} {k2}", f"{k}.{k2}", f"the {k2} of {k}"]) for k2 in v]
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        paths += [(f".[].{k}", [f"the {k} of (every|each) (record|entry|item)", f"every {k}", f"all the {k} values"])
                  for k in data[0]]
        paths.append(("length", ["the number of records", "how many entries"]))
    if not paths:
        return None
    path, nl = rng.choice(paths)
    return {**file_values(f), "jq": path, "key_nl": nl}


def pattern_file(pattern: str) -> Drawer:
    """A text file in which a regular expression (ip addresses, emails) matches."""
    rx = re.compile(pattern)

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        candidates = [f for f in view.text_files if any(rx.search(line) for line in f.lines)]
        return {**file_values(rng.choice(candidates))} if candidates else None

    return draw


def log_file(view: TreeView, rng: random.Random) -> Values | None:
    """A log with levels (ERROR/WARN/INFO ...): a level it has, a space-separated field number."""
    candidates = [f for f in view.text_files if f.ext == "log" and len(f.lines) >= 3]
    if not candidates:
        return None
    f = rng.choice(candidates)
    levels = sorted({m for line in f.lines for m in re.findall(r"\b(ERROR|WARN(?:ING)?|INFO|DEBUG|CRITICAL)\b", line)})
    if not levels:
        return None
    level = rng.choice(levels)
    fields = min(len(line.split()) for line in f.lines)
    n = rng.choice([c for c in SMALL_COUNTS if c < len(f.lines)] or [1])
    level_nl = {"ERROR": ["error", "ERROR"], "WARN": ["warning", "WARN", "warn"], "INFO": ["info", "INFO"],
                "DEBUG": ["debug", "DEBUG"]}.get(level, [level.lower(), level])
    return {**file_values(f), **folder_values(f.parent, rng), "level": level, "level_nl": level_nl,
            **field_values(rng.randint(1, max(1, fields))), "n": str(n), "n_nl": count_words(n)}


def field_values(k: int) -> Values:
    return {"field": str(k), "field_nl": ordinal(k)}


# Fields of the web server's access log people ask about, by number (space-separated).
ACCESS_FIELDS = {1: ["ip addresses", "ips", "client ips", "visitors' ips"], 7: ["paths", "urls", "requested pages", "endpoints"],
                 9: ["status codes", "http status codes", "response codes"]}


def access_log(view: TreeView, rng: random.Random) -> Values | None:
    """The access log, a field people ask about (ip, path, status) and a count."""
    candidates = [f for f in view.text_files if "access" in f.name and f.lines]
    if not candidates:
        return None
    f = rng.choice(candidates)
    k = rng.choice(sorted(ACCESS_FIELDS))
    n = rng.choice(SMALL_COUNTS[:4])
    return {**file_values(f), **field_values(k), "what": ACCESS_FIELDS[k], "n": str(n), "n_nl": count_words(n)}


def two_text_files(same_dir: bool = False, overlap: bool = False) -> Drawer:
    """Two text files (for diff, comm, paste, cat a b > c); with `overlap`, ones sharing a line."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        files = [f for f in view.text_files if len(f.lines) >= 2]
        if len(files) < 2:
            return None
        a = rng.choice(files)
        pool = [f for f in files if f.path != a.path and (not same_dir or f.parent == a.parent)
                and (not overlap or set(f.lines) & set(a.lines) - {""})]
        if not pool:
            return None
        same_ext = [f for f in pool if f.ext == a.ext]
        b = rng.choice(same_ext if same_ext and rng.random() < 0.7 else pool)
        return {**file_values(a), **file_values(b, prefix="b_")}

    return draw


# --- things to create, archives, links, the repository ----------------------------------------


def new_name(rng: random.Random, taken: set[str], choices: list[str]) -> str:
    for name in rng.sample(choices, len(choices)):
        if name not in taken:
            return name
    return f"{choices[0]}_{rng.randrange(100)}"


def with_new(drawer: Drawer, *, dirs: bool = True) -> Drawer:
    """Add `new` (a folder name the tree lacks, for results) and `newstem` (a file stem)."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        values = drawer(view, rng)
        if values is None:
            return None
        taken = {p.split("/")[-1] for p in view.dirs} | {f.name for f in view.files}
        values["new"] = new_name(rng, taken, NEW_DIRS)
        values["newstem"] = new_name(rng, taken, NEW_STEMS)
        return values

    return draw


def and_folder(drawer: Drawer, keep: Callable[[str, TreeView], bool] = lambda d, v: True) -> Drawer:
    """Add a second folder `b_dir` (not the one `dir_path` names): where a copy or a move goes."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        values = drawer(view, rng)
        if values is None:
            return None
        here = str(values.get("dir_path", "")).removeprefix("~/")
        parent = str(values.get("file", "")).rsplit("/", 1)[0] if "/" in str(values.get("file", "")) else "."
        options = [d for d in view.dirs if not _hidden(d) and d not in (here, parent) and keep(d, view)]
        if not options:
            return None
        return {**values, **folder_values(rng.choice(options), rng, prefix="b_")}

    return draw


def renamed(drawer: Drawer) -> Drawer:
    """Add `renamed`: a new name for the drawn file in its own folder (`logs/app.old.log`)."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        values = drawer(view, rng)
        if values is None:
            return None
        path = str(values["file_path"])
        parent, _, name = path.rpartition("/")
        stem, dot, ext = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
        new = rng.choice([f"{stem}.old", f"{stem}_v2", f"{stem}-backup", f"old_{stem}", f"{stem}2", "renamed"])
        new_name = f"{new}{dot}{ext}"
        return {**values, "renamed": q(f"{parent}/{new_name}" if parent else new_name), "renamed_name": new_name}

    return draw


def archive(kind: str) -> Drawer:
    """An archive of the tree of one kind (tar.gz, tgz, tar.bz2, tar.xz, tar, zip, gz) and a member."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        names = [a for a, fmt in view.archive_formats.items() if fmt == kind and not _hidden(a)]
        if not names:
            return None
        a = rng.choice(names)
        f = view.file(a)
        members = [m for m in view.archives[a] if not m.endswith("/")]
        values: Values = {**(file_values(f) if f else {"file": q(a), "file_nl": [a], "name": a.split("/")[-1]}),
                          "archive": q(a)}
        if members:
            values["member"] = q(rng.choice(members))
        taken = {p.split("/")[-1] for p in view.dirs}
        values["new"] = new_name(rng, taken, NEW_DIRS)
        return values

    return draw


def symlink(dangling: bool) -> Drawer:
    def draw(view: TreeView, rng: random.Random) -> Values | None:
        links = [l for l in view.symlinks if (l in view.dangling) == dangling and not _hidden(l)]
        if not links:
            return None
        link = rng.choice(links)
        parent = link.rsplit("/", 1)[0] if "/" in link else "."
        return {"link": q(link), "link_nl": [link], **folder_values(parent, rng)}

    return draw


def repo(view: TreeView, rng: random.Random) -> Values | None:
    """The tree's git repository: how a request names it, a tracked file, a branch, a count."""
    if not view.repo:
        return None
    r = view.repo
    tracked = [p for p in view.repo_files if "/" not in p or rng.random() < 0.5] or view.repo_files
    taken = set(view.branches)
    n = rng.choice([2, 3, 5, 10])
    values: Values = {"repo": q(r), "repo_nl": [r, r.split("/")[-1], f"the {r.split('/')[-1]} repo"],
                      "n": str(n), "n_nl": count_words(n),
                      "newbranch": new_name(rng, taken, ["feature/login", "fix-typo", "dev", "experiment", "hotfix",
                                                         "release-1.2", "wip", "docs-update", "refactor"])}
    if tracked:
        values["tracked"] = q(rng.choice(tracked))
    others = [b for b in view.branches if b not in ("main", "master")]
    if others:
        values["branch"] = rng.choice(others)
    return values


def span(view: TreeView, rng: random.Random) -> Values:
    """Two numbers, the first smaller: for seq."""
    a = rng.choice([0, 1, 1, 5, 10, 100])
    return {"from": str(a), "to": str(a + rng.choice([5, 9, 10, 20, 50]))}


def nothing(view: TreeView, rng: random.Random) -> Values:
    """For commands with no value in them (`df -h`, `free -h`)."""
    return {}


def choose(**options: list[str]) -> Drawer:
    """Values from fixed lists, for commands that do not touch the tree (hosts, packages, ports)."""

    def draw(view: TreeView, rng: random.Random) -> Values:
        return {k: rng.choice(v) for k, v in options.items()}

    return draw


def both(*drawers: Drawer) -> Drawer:
    """The union of several drawers' values (None if any has none)."""

    def draw(view: TreeView, rng: random.Random) -> Values | None:
        values: Values = {}
        for d in drawers:
            v = d(view, rng)
            if v is None:
                return None
            values.update(v)
        return values

    return draw
