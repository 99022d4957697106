"""The reproducible file tree every judged command runs in (finetune.judge), and the facts about it
that task generators write tasks from.

The tree is a user's HOME, mounted at /home/user in the sandbox, and also the working directory.
Everything in it follows from the seed: names, text, sizes, modes, ages and the git history. Ages
are stored as seconds before "now" and stamped at copy time (`stamp`), not build time, because
`find -mtime -7` compares with the real clock: a tree built once and copied for a week would
otherwise drift out of every time predicate. No age sits near the boundary of a unit a request may
name (minutes, hours, days, weeks, months): `-mmin -30`, `-mtime -7` and `-mtime +7` each give the
same answer whenever the copy runs.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import subprocess
import tarfile
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

HOME = "/home/user"  # where the tree is mounted in the sandbox
USER = "user"
UID = 1000  # the sandbox user; the tree's owner inside the sandbox
TREE_VERSION = 2  # bump when the layout changes: cached trees and verdicts of an older layout are rebuilt

MIN, HOUR, DAY = 60.0, 3600.0, 86400.0
# Ages a file may have, each well inside one bucket of every unit a request may name: 3 and 20
# minutes (-mmin -5 / -30 / -60), 2.5 and 14 hours, 1.5, 3.5, 5.5 days (-mtime -2 / -7), 10.5,
# 20.5 days (-mtime +7 / -14 / -30), 45.5 days, 100.5, 200.5, 400.5 and 800.5 days (months, years).
AGES = [3 * MIN, 20 * MIN, 2.5 * HOUR, 14 * HOUR, 1.5 * DAY, 3.5 * DAY, 5.5 * DAY, 10.5 * DAY, 20.5 * DAY,
        45.5 * DAY, 100.5 * DAY, 200.5 * DAY, 400.5 * DAY, 800.5 * DAY]
GIT_AGE = 30.5 * DAY  # age of the git repository's internals
GIT_DATES = ["2024-03-04T09:15:00+00:00", "2024-03-11T14:02:00+00:00", "2024-04-02T10:30:00+00:00",
             "2024-04-20T16:45:00+00:00", "2024-05-06T11:20:00+00:00"]

Kind = Literal["file", "dir", "symlink"]


class FileFact(BaseModel):
    path: str  # relative to HOME, '/'-separated
    kind: Kind = "file"
    size: int = 0  # apparent size in bytes (a sparse file's full length)
    mode: int = 0o644  # permission bits
    mtime_age: float = 0.0  # seconds before the copy's "now"
    atime_age: float = 0.0
    lines: int | None = None  # text files: number of lines
    text: str | None = None  # text files up to 32 KiB: their content
    sparse: bool = False
    target: str | None = None  # symlinks: what they point to
    dangling: bool = False  # symlinks whose target does not exist

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def ext(self) -> str:
        """'.py', '.gz' (the last suffix), '' for none; a leading dot of a hidden file is no suffix."""
        stem = self.name.lstrip(".")
        return "." + stem.rsplit(".", 1)[1] if "." in stem else ""


class ArchiveFact(BaseModel):
    path: str
    format: Literal["tar.gz", "tar.bz2", "tar", "zip", "gz"]
    members: list[str]  # member names as the archive lists them (gz: the name gunzip gives)


class GitFacts(BaseModel):
    path: str  # the repository's work tree, relative to HOME
    branch: str  # the branch checked out
    branches: list[str]
    commits: list[str]  # subjects of the checked-out branch, newest first
    modified: list[str]  # tracked files with an uncommitted change (relative to the repository)
    untracked: list[str]


class TreeFacts(BaseModel):
    seed: int
    home: str = HOME
    user: str = USER
    files: list[FileFact]  # regular files, outside .git
    dirs: list[FileFact]
    symlinks: list[FileFact]
    archives: list[ArchiveFact]
    git: GitFacts
    # Words (letters, digits, _ and -, 3+ characters, as written) -> text files that contain them
    words: dict[str, list[str]] = Field(default_factory=dict)

    def file(self, path: str) -> FileFact:
        for f in self.files + self.dirs + self.symlinks:
            if f.path == path:
                return f
        raise KeyError(path)

    def with_ext(self, ext: str) -> list[FileFact]:
        return [f for f in self.files if f.ext == ext]

    def under(self, folder: str) -> list[FileFact]:
        prefix = folder.rstrip("/") + "/"
        return [f for f in self.files if f.path.startswith(prefix)]


class Planned(FileFact):
    """An entry of the tree as build_tree writes it: its fact plus its bytes."""

    content: bytes | None = Field(default=None, exclude=True)


# ---------------------------------------------------------------------------------------------
# Content, from the seed

_WORDS = ("alpha beta gamma delta server client request response cache config update install build "
          "deploy release backup restore user admin guest token session timeout retry queue worker "
          "database table index query schema migration report invoice budget meeting project sprint").split()
_FIRST = "alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter".split()
_CITIES = "london paris berlin madrid rome tokyo lisbon oslo dublin vienna".split()
_REGIONS = ["north", "south", "east", "west"]
_PRODUCTS = ["widget", "gadget", "gizmo", "doohickey", "sprocket"]
_LOG_MSGS = {
    "INFO": ["server started on port 8080", "user {u} logged in", "request GET /api/items 200", "cache warmed in {n} ms",
             "job {n} finished", "connected to database"],
    "WARN": ["slow query took {n} ms", "disk usage at {n}%", "retrying connection to db ({n}/5)", "deprecated config key 'timeout'"],
    "ERROR": ["failed to connect to database: connection refused", "timeout after {n} ms on /api/orders",
              "user {u} not found", "permission denied: /var/data/{n}.dat", "null pointer in worker {n}"],
    "DEBUG": ["payload size {n} bytes", "cache miss for key user:{n}"],
}


def _log(rng: random.Random, n: int, day: str, levels=("INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG")) -> str:
    lines = []
    sec = rng.randrange(3600 * 8)
    for _ in range(n):
        sec += rng.randrange(1, 90)
        level = rng.choice(levels)
        msg = rng.choice(_LOG_MSGS[level]).format(u=rng.choice(_FIRST), n=rng.randrange(1, 999))
        h, m, s = sec // 3600 % 24, sec // 60 % 60, sec % 60
        lines.append(f"{day} {h:02d}:{m:02d}:{s:02d} {level} {msg}")
    return "\n".join(lines) + "\n"


def _access_log(rng: random.Random, n: int) -> str:
    ips = [f"192.168.1.{rng.randrange(2, 60)}" for _ in range(6)] + ["10.0.0.5", "203.0.113.7"]
    paths = ["/", "/index.html", "/api/items", "/api/orders", "/login", "/static/app.js", "/favicon.ico", "/admin"]
    out = []
    for i in range(n):
        status = rng.choice([200, 200, 200, 200, 301, 404, 404, 500])
        out.append(f'{rng.choice(ips)} - - [12/May/2024:10:{i // 60 % 60:02d}:{i % 60:02d} +0000] '
                   f'"{rng.choice(["GET", "GET", "POST"])} {rng.choice(paths)} HTTP/1.1" {status} {rng.randrange(120, 9000)}')
    return "\n".join(out) + "\n"


def _csv_sales(rng: random.Random, n: int) -> str:
    rows = ["date,region,product,units,price"]
    for i in range(n):
        rows.append(f"2024-{1 + i % 12:02d}-{1 + rng.randrange(28):02d},{rng.choice(_REGIONS)},{rng.choice(_PRODUCTS)},"
                    f"{rng.randrange(1, 120)},{rng.randrange(2, 90)}.{rng.randrange(100):02d}")
    return "\n".join(rows) + "\n"


def _csv_users(rng: random.Random) -> str:
    rows = ["id,name,email,age,city"]
    for i, name in enumerate(_FIRST, 1):
        rows.append(f"{i},{name},{name}@example.com,{rng.randrange(19, 70)},{rng.choice(_CITIES)}")
    return "\n".join(rows) + "\n"


def _prose(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        words = [rng.choice(_WORDS) for _ in range(rng.randrange(4, 12))]
        out.append(" ".join(words).capitalize() + ".")
    return "\n".join(out) + "\n"


def _python_module(rng: random.Random, name: str, todo: bool) -> str:
    fn = [rng.choice(_WORDS) for _ in range(3)]
    body = [f'"""The {name} module."""', "", "import os", "import sys", "", "",
            f"def {fn[0]}_{fn[1]}(items):", f"    # {'TODO: handle empty input' if todo else 'sum the items'}",
            "    return sum(items)", "", "",
            f"def load_{fn[2]}(path):", "    with open(path) as f:", "        return f.read()", "", "",
            "class Config:", "    debug = False", f"    timeout = {rng.randrange(5, 60)}", ""]
    if todo:
        body.insert(-4, "# FIXME: this breaks on windows paths")
    return "\n".join(body) + "\n"


def _js_module(rng: random.Random, todo: bool) -> str:
    lines = ["const express = require('express');", "const app = express();", "",
             f"const PORT = process.env.PORT || {rng.choice([3000, 8080, 5000])};", "",
             "function handler(req, res) {", "  // TODO: validate the request" if todo else "  // answer with the items",
             "  res.json({ items: [] });", "}", "", "app.get('/api/items', handler);",
             "app.listen(PORT, () => console.log(`listening on ${PORT}`));", ""]
    return "\n".join(lines)


def _shell_script(name: str, body: list[str]) -> str:
    return "\n".join(["#!/bin/bash", f"# {name}", "set -e", *body, ""])


def _binary(rng: random.Random, magic: bytes, size: int) -> bytes:
    return magic + rng.randbytes(max(0, size - len(magic)))


def _tar_gz(members: dict[str, bytes], compression: str = "gz") -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        dirs = sorted({"/".join(m.split("/")[:i]) for m in members for i in range(1, m.count("/") + 1)})
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1714000000
            tar.addfile(info)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 1714000000
            tar.addfile(info, io.BytesIO(data))
    if compression == "gz":
        return gzip.compress(raw.getvalue(), mtime=0)
    if compression == "bz2":
        import bz2

        return bz2.compress(raw.getvalue())
    return raw.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 4, 25, 9, 30, 0)), data)
    return raw.getvalue()


def _archive_members(names: dict[str, bytes]) -> list[str]:
    dirs = sorted({"/".join(m.split("/")[:i]) + "/" for m in names for i in range(1, m.count("/") + 1)})
    return dirs + list(names)


# ---------------------------------------------------------------------------------------------
# The plan


class _Plan:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.entries: dict[str, Planned] = {}
        self.archives: list[ArchiveFact] = []
        self.git_commits: list[tuple[str, dict[str, str]]] = []  # (subject, files written) of main, oldest first
        self.git_working: dict[str, str] = {}  # uncommitted changes and untracked files

    def age(self, *choices: float) -> float:
        return self.rng.choice(choices or AGES)

    def dir(self, path: str, mode: int = 0o755, age: float | None = None) -> None:
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent not in self.entries:
                self.entries[parent] = Planned(path=parent, kind="dir", mode=0o755, mtime_age=self.age(), atime_age=3 * MIN)
        if path not in self.entries or mode != 0o755:
            a = self.age() if age is None else age
            self.entries[path] = Planned(path=path, kind="dir", mode=mode, mtime_age=a, atime_age=min(a, 3 * MIN))

    def file(self, path: str, content: str | bytes, mode: int = 0o644, age: float | None = None,
             atime: float | None = None) -> None:
        if "/" in path:
            self.dir(path.rsplit("/", 1)[0])
        data = content.encode() if isinstance(content, str) else content
        a = self.age() if age is None else age
        text = None
        lines = None
        if isinstance(content, str):
            lines = content.count("\n") + (0 if content.endswith("\n") or not content else 1)
            text = content if len(data) <= 32768 else None
        self.entries[path] = Planned(path=path, size=len(data), mode=mode, mtime_age=a,
                                     atime_age=a if atime is None else atime, lines=lines, text=text, content=data)

    def sparse(self, path: str, size: int, magic: bytes = b"", age: float | None = None) -> None:
        self.dir(path.rsplit("/", 1)[0])
        a = self.age() if age is None else age
        self.entries[path] = Planned(path=path, size=size, mtime_age=a, atime_age=a, sparse=True, content=magic)

    def link(self, path: str, target: str) -> None:
        if "/" in path:
            self.dir(path.rsplit("/", 1)[0])
        self.entries[path] = Planned(path=path, kind="symlink", target=target, mode=0o777, mtime_age=self.age(),
                                     atime_age=self.age())

    def archive(self, path: str, fmt: str, members: dict[str, bytes], age: float | None = None) -> None:
        if fmt == "zip":
            data = _zip(members)
        elif fmt == "gz":
            (name, body), = members.items()
            data = gzip.compress(body, mtime=0)
        else:
            data = _tar_gz(members, {"tar.gz": "gz", "tar.bz2": "bz2", "tar": ""}[fmt])
        self.file(path, data, age=age)
        listed = list(members) if fmt in ("zip", "gz") else _archive_members(members)
        self.archives.append(ArchiveFact(path=path, format=fmt, members=listed))


def _git_plan(rng: random.Random) -> tuple[list[tuple[str, dict[str, str]]], dict[str, str]]:
    """The commits of projects/pytool (subject, files written), then the uncommitted working changes."""
    core1 = _python_module(rng, "core", todo=True)
    commits = [
        ("Initial commit", {"README.md": "# pytool\n\nA small tool.\n", "pytool/__init__.py": '__version__ = "0.1.0"\n',
                            "pytool/core.py": core1, ".gitignore": "__pycache__/\n*.pyc\n.env\n"}),
        ("Add command line interface", {"pytool/cli.py": "import sys\n\nfrom pytool.core import Config\n\n\ndef main():\n"
                                        "    print('pytool', sys.argv[1:])\n"}),
        ("Add tests", {"tests/test_core.py": "from pytool import core\n\n\ndef test_config():\n    assert core.Config.timeout > 0\n"}),
        ("Fix typo in README", {"README.md": "# pytool\n\nA small tool for everyday tasks.\n"}),
        ("Bump version to 0.2.0", {"pytool/__init__.py": '__version__ = "0.2.0"\n',
                                   "setup.py": "from setuptools import setup\n\nsetup(name='pytool', version='0.2.0')\n"}),
    ]
    working = {"pytool/core.py": core1 + "\n\ndef helper():\n    return None  # TODO: write this\n",
               "notes.txt": "remember to tag the release\n"}
    return commits, working


GIT_REPO = "projects/pytool"
GIT_BRANCHES = {"feature/cli": 2, "fix-typo": 3}  # branch -> number of commits of main it starts from
GIT_BRANCH_COMMIT = {"feature/cli": ("Add --verbose flag", "pytool/cli.py")}


@lru_cache(maxsize=8)
def _plan(seed: int) -> _Plan:
    p = _Plan(seed)
    rng = p.rng
    # Dotfiles
    p.file(".bashrc", "# ~/.bashrc\nexport EDITOR=vim\nalias ll='ls -alF'\nalias gs='git status'\nexport PATH=\"$HOME/bin:$PATH\"\n",
           age=400.5 * DAY)
    p.file(".profile", "# ~/.profile\nif [ -f ~/.bashrc ]; then . ~/.bashrc; fi\n", age=800.5 * DAY)
    p.file(".bash_history", "ls -la\ncd projects\ngit status\nmake\nls\ncd ..\ngrep -r TODO .\nssh server1\nls\n", mode=0o600,
           age=20 * MIN)
    p.file(".gitconfig", "[user]\n\tname = Sam User\n\temail = sam@example.com\n[init]\n\tdefaultBranch = main\n", age=200.5 * DAY)
    p.file(".config/app/settings.json", json.dumps({"theme": "dark", "font_size": 12, "autosave": True}, indent=2) + "\n")
    p.file(".config/nvim/init.vim", "set number\nset expandtab\nset shiftwidth=4\n")
    p.file(".ssh/config", "Host server1\n  HostName 192.168.1.10\n  User sam\n", mode=0o600, age=100.5 * DAY)
    p.file(".ssh/id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB sam@laptop\n", age=400.5 * DAY)
    p.dir(".ssh", mode=0o700)
    for i in range(6):
        p.file(f".cache/thumbnails/{rng.randbytes(6).hex()}.png", _binary(rng, b"\x89PNG\r\n\x1a\n", rng.randrange(2000, 9000)))
    p.file(".cache/pip/log.txt", _log(rng, 12, "2024-05-01"))
    p.file(".local/share/recently-used.xbel", "<xbel version=\"1.0\"></xbel>\n")

    # A web project
    w = "projects/webapp"
    p.file(f"{w}/README.md", "# webapp\n\nRun `npm start` and open http://localhost:8080.\n\n## TODO\n- add login\n")
    p.file(f"{w}/package.json", json.dumps({"name": "webapp", "version": "1.4.2", "scripts": {"start": "node src/server.js",
                                                                                              "test": "jest"}}, indent=2) + "\n")
    p.file(f"{w}/src/server.js", _js_module(rng, todo=True), age=20 * MIN)
    p.file(f"{w}/src/app.js", _js_module(rng, todo=False), age=2.5 * HOUR)
    p.file(f"{w}/src/utils.js", "export function add(a, b) {\n  return a + b;\n}\n// FIXME: floats\n", age=3.5 * DAY)
    p.file(f"{w}/src/index.html", "<!doctype html>\n<html>\n<head><title>webapp</title></head>\n<body>\n<h1>Hello</h1>\n"
                                  "<script src=\"app.js\"></script>\n</body>\n</html>\n")
    p.file(f"{w}/src/style.css", "body { margin: 0; font-family: sans-serif; }\nh1 { color: #333; }\n")
    p.file(f"{w}/tests/app.test.js", "test('adds', () => {\n  expect(1 + 1).toBe(2);\n});\n", age=1.5 * DAY)
    p.file(f"{w}/.env", "DB_PASSWORD=hunter2\nAPI_KEY=abc123\n", mode=0o600)
    p.file(f"{w}/.gitkeep", "")
    p.file(f"{w}/build/bundle.js", "(function(){console.log('bundle')})();\n" * 200, age=45.5 * DAY)
    p.file(f"{w}/build/bundle.js.map", '{"version":3}\n', age=45.5 * DAY)
    p.file(f"{w}/build/webpack.tmp", "intermediate output\n", age=45.5 * DAY)  # a .tmp outside tmp/
    p.file(f"{w}/logs/server.log", _log(rng, 80, "2024-05-12"), age=3 * MIN)
    p.file(f"{w}/Makefile", "all:\n\tnpm run build\n\ntest:\n\tnpm test\n")

    # A Python project under git; the files come from the git plan (build_tree commits them)
    commits, working = p.git_commits, p.git_working = _git_plan(rng)
    final: dict[str, str] = {}
    for _, files in commits:
        final.update(files)
    final.update(working)
    for rel, text in final.items():
        p.file(f"{GIT_REPO}/{rel}", text, age=2.5 * HOUR if rel in working else GIT_AGE)
    p.file(f"{GIT_REPO}/pytool/__pycache__/core.cpython-311.pyc", _binary(rng, b"\xa7\r\r\n", 1800), age=2.5 * HOUR)
    p.file(f"{GIT_REPO}/pytool/__pycache__/cli.cpython-311.pyc", _binary(rng, b"\xa7\r\r\n", 900), age=2.5 * HOUR)
    p.file(f"{GIT_REPO}/tests/__pycache__/test_core.cpython-311.pyc", _binary(rng, b"\xa7\r\r\n", 700), age=14 * HOUR)
    p.file(f"{GIT_REPO}/old_main.pyc", _binary(rng, b"\xa7\r\r\n", 500), age=100.5 * DAY)

    # Scripts
    p.file("scripts/backup.sh", _shell_script("backup.sh: copy documents to backups", [
        "tar -czf ~/backups/docs-$(date +%F).tar.gz ~/docs", "echo done"]), mode=0o755, age=10.5 * DAY)
    p.file("scripts/cleanup.sh", _shell_script("cleanup.sh: remove temporary files", ["find ~/tmp -name '*.tmp' -delete"]),
           mode=0o755, age=20.5 * DAY)
    p.file("scripts/deploy.sh", _shell_script("deploy.sh", ["rsync -av build/ server1:/var/www/"]), mode=0o644, age=5.5 * DAY)
    p.file("scripts/report.py", "#!/usr/bin/env python3\n" + _python_module(rng, "report", todo=True), mode=0o755, age=1.5 * DAY)
    p.file("scripts/hello.sh", _shell_script("hello.sh", ['echo "hello, $USER"']), mode=0o755, age=400.5 * DAY)

    # Documents
    p.file("docs/report.md", "# Quarterly report\n\n" + _prose(rng, 30), age=3.5 * DAY)
    p.file("docs/notes.txt", _prose(rng, 12), age=14 * HOUR)
    p.file("docs/todo.txt", "TODO: renew passport\nTODO: call the bank\nbuy milk\nFIXME: the printer\n", age=20 * MIN)
    p.file("docs/contract.txt", "This contract is read-only.\n" + _prose(rng, 8), mode=0o444, age=200.5 * DAY)
    p.file("docs/meeting notes 2024.txt", "Meeting notes\n" + _prose(rng, 10), age=45.5 * DAY)
    p.file("docs/old/draft.txt", _prose(rng, 6), age=800.5 * DAY)
    p.file("docs/old/plan.md", "# Plan\n" + _prose(rng, 5), age=400.5 * DAY)
    p.sparse("docs/manual.pdf", 2_400_000, b"%PDF-1.7\n", age=100.5 * DAY)
    p.file("docs/letter.docx", _binary(rng, b"PK\x03\x04", 14_000), age=20.5 * DAY)
    p.file("My Documents/resume 2024.docx", _binary(rng, b"PK\x03\x04", 22_000), age=45.5 * DAY)
    p.file("My Documents/cover letter.txt", "Dear hiring manager,\n" + _prose(rng, 5), age=45.5 * DAY)

    # Logs
    p.file("logs/app.log", _log(rng, 400, "2024-05-12"), age=3 * MIN)
    p.file("logs/app.log.1", _log(rng, 300, "2024-05-11"), age=1.5 * DAY)
    p.file("logs/error.log", _log(rng, 40, "2024-05-12", levels=("ERROR",)), age=20 * MIN)
    p.file("logs/access.log", _access_log(rng, 250), age=2.5 * HOUR)
    p.file("logs/debug.log", "", age=5.5 * DAY)
    p.file("logs/system.log", _log(rng, 120, "2024-05-10"), age=3.5 * DAY)
    p.archive("logs/old/app-2024-01-15.log.gz", "gz", {"app-2024-01-15.log": _log(rng, 60, "2024-01-15").encode()},
              age=100.5 * DAY)
    p.file("logs/old/app-2023-12-01.log", _log(rng, 50, "2023-12-01"), age=200.5 * DAY)

    # Media
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF"
    photo1 = _binary(rng, jpeg, 48_000)
    p.file("photos/IMG_0001.jpg", photo1, age=200.5 * DAY)
    p.file("photos/IMG_0002.jpg", _binary(rng, jpeg, 61_000), age=200.5 * DAY)
    p.file("photos/IMG_0003.JPG", _binary(rng, jpeg, 39_000), age=45.5 * DAY)
    p.file("photos/screenshot.png", _binary(rng, b"\x89PNG\r\n\x1a\n", 120_000), age=3.5 * DAY)
    p.file("photos/vacation/beach.jpg", _binary(rng, jpeg, 85_000), age=400.5 * DAY)
    p.file("photos/vacation/sunset.png", _binary(rng, b"\x89PNG\r\n\x1a\n", 96_000), age=400.5 * DAY)
    p.sparse("photos/vacation/panorama.tiff", 24_000_000, b"II*\x00", age=400.5 * DAY)
    p.sparse("music/song1.mp3", 4_200_000, b"ID3\x03", age=100.5 * DAY)
    p.sparse("music/song2.mp3", 6_800_000, b"ID3\x03", age=100.5 * DAY)
    p.sparse("music/album/01 intro.flac", 31_000_000, b"fLaC", age=400.5 * DAY)
    p.sparse("music/album/02 theme.flac", 45_000_000, b"fLaC", age=400.5 * DAY)
    p.file("music/playlist.m3u", "#EXTM3U\nsong1.mp3\nsong2.mp3\nalbum/01 intro.flac\n", age=20.5 * DAY)
    p.sparse("videos/holiday.mp4", 350_000_000, b"\x00\x00\x00\x18ftypmp42", age=200.5 * DAY)
    p.sparse("videos/clip.mov", 12_000_000, b"\x00\x00\x00\x14ftypqt  ", age=10.5 * DAY)

    # Downloads
    p.sparse("downloads/ubuntu-24.04-desktop.iso", 780_000_000, b"\x00" * 16 + b"CD001", age=45.5 * DAY)
    p.sparse("downloads/dataset.bin", 150_000_000, b"\x00", age=5.5 * DAY)
    p.file("downloads/installer.deb", _binary(rng, b"!<arch>\ndebian-binary", 30_000), age=20.5 * DAY)
    p.file("downloads/IMG_0001 (1).jpg", photo1, age=10.5 * DAY)  # the same photo again
    p.file("downloads/invoice.pdf", _binary(rng, b"%PDF-1.4\n", 55_000), age=1.5 * DAY)
    p.file("downloads/file (1).txt", "a file downloaded twice\n", age=3.5 * DAY)
    p.file("downloads/file.txt", "a file downloaded twice\n", age=3.5 * DAY)
    p.archive("downloads/archive.tar.gz", "tar.gz", {"project/README.md": b"# project\n", "project/main.py": b"print('hi')\n",
                                                     "project/data/input.txt": b"1\n2\n3\n"}, age=14 * HOUR)
    p.archive("downloads/photos.zip", "zip", {"img1.jpg": _binary(rng, jpeg, 2000), "img2.jpg": _binary(rng, jpeg, 3000),
                                              "notes.txt": b"holiday pictures\n"}, age=5.5 * DAY)
    p.archive("downloads/source.tar.bz2", "tar.bz2", {"src/main.c": b"int main(void) { return 0; }\n",
                                                      "src/Makefile": b"all:\n\tcc main.c\n"}, age=20.5 * DAY)

    # Backups
    p.archive("backups/docs-2024-04-01.tar.gz", "tar.gz", {"docs/notes.txt": b"old notes\n", "docs/todo.txt": b"TODO: old\n"},
              age=45.5 * DAY)
    p.archive("backups/db.sql.gz", "gz", {"db.sql": b"CREATE TABLE users (id INT, name TEXT);\nINSERT INTO users VALUES (1, 'alice');\n"},
              age=10.5 * DAY)
    p.file("backups/notes.txt.bak", _prose(rng, 4), age=20.5 * DAY)
    shopping = "milk\neggs\nbread\ncoffee\napples\n"
    p.file("backups/shopping-old.txt", shopping, age=45.5 * DAY)
    p.sparse("backups/disk.img", 520_000_000, b"\xeb\x3c\x90", age=100.5 * DAY)

    # Notes
    p.file("notes/shopping.txt", shopping, age=1.5 * DAY)
    p.file("notes/ideas.md", "# Ideas\n- a garden planner\n- TODO: learn rust\n- a bread timer\n", age=5.5 * DAY)
    p.file("notes/journal/2024-05-01.md", "# 1 May\n" + _prose(rng, 4), age=10.5 * DAY)
    p.file("notes/journal/2024-05-02.md", "# 2 May\n" + _prose(rng, 3), age=5.5 * DAY)
    p.file("notes/empty.txt", "", age=20 * MIN)

    # Data
    p.file("data/sales.csv", _csv_sales(rng, 60), age=2.5 * HOUR)
    p.file("data/users.csv", _csv_users(rng), age=3.5 * DAY)
    numbers = [str(rng.randrange(1, 500)) for _ in range(40)]
    p.file("data/numbers.txt", "\n".join(numbers) + "\n", age=14 * HOUR)
    fruit = [rng.choice(["apple", "banana", "cherry", "apple", "date", "banana", "apple"]) for _ in range(30)]
    p.file("data/words.txt", "\n".join(fruit) + "\n", age=14 * HOUR)
    p.file("data/config.json", json.dumps({"name": "demo", "port": 8080, "debug": False, "hosts": ["alpha", "beta"],
                                           "db": {"host": "localhost", "user": "admin"}}, indent=2) + "\n", age=10.5 * DAY)
    p.file("data/settings.yaml", "server:\n  host: 0.0.0.0\n  port: 8080\nlogging:\n  level: info\n", age=10.5 * DAY)
    p.file("data/servers.txt", "web1 192.168.1.10\nweb2 192.168.1.11\ndb1 192.168.1.20\nbackup 10.0.0.5\n", age=45.5 * DAY)
    p.file("data/measurements.tsv", "time\tsensor\tvalue\n" + "".join(
        f"{i:02d}:00\ts{i % 3}\t{rng.randrange(150, 300) / 10}\n" for i in range(24)), age=1.5 * DAY)
    p.file("data/app.conf", "# app settings\nport=8080\nhost=localhost\n#debug=true\nworkers=4\n", age=20.5 * DAY)
    p.file("data/records.json", json.dumps([{"id": i, "user": rng.choice(_FIRST), "ok": rng.random() < 0.7}
                                            for i in range(1, 11)]) + "\n", age=3.5 * DAY)
    p.file("data/mixed case.TXT", "Some Upper AND lower Case words\n", age=20.5 * DAY)

    # Scratch space
    p.file("tmp/build.tmp", "partial build output\n", age=10.5 * DAY)
    p.file("tmp/cache.tmp", "x" * 4096, age=20.5 * DAY)
    p.file("tmp/session.tmp", "s\n", age=20 * MIN)
    p.file("tmp/notes.txt~", "backup copy of an edited file\n", age=5.5 * DAY)
    p.file("tmp/.report.md.swp", _binary(rng, b"b0VIM 8.2", 4096), age=1.5 * DAY)
    p.file("tmp/core", _binary(rng, b"\x7fELF", 20_000), age=45.5 * DAY)

    # Permissions
    p.file("shared/public.txt", "anyone can write this\n", mode=0o666, age=5.5 * DAY)
    p.file("shared/dropbox/readme.txt", "drop files here\n", age=10.5 * DAY)
    p.dir("shared/dropbox", mode=0o777)
    p.file("shared/secret.key", "-----BEGIN KEY-----\nabc\n-----END KEY-----\n", mode=0o600, age=100.5 * DAY)
    p.file("bin/tool", _shell_script("tool", ["echo tool"]), mode=0o755, age=45.5 * DAY)

    # Empty folder, links
    p.dir("empty", age=20.5 * DAY)
    p.dir("projects/archive", age=200.5 * DAY)
    p.link("latest.log", "logs/app.log")
    p.link("current", "projects/webapp")
    p.link("bin/backup", "../scripts/backup.sh")
    p.link("broken_link", "missing/file.txt")
    p.link("docs/old/link-to-nowhere", "../deleted.md")
    return p


def _facts_from_plan(p: _Plan, seed: int) -> TreeFacts:
    entries = sorted(p.entries.values(), key=lambda e: e.path)
    files = [FileFact(**e.model_dump()) for e in entries if e.kind == "file"]
    dirs = [FileFact(**e.model_dump()) for e in entries if e.kind == "dir"]
    links = []
    for e in entries:
        if e.kind == "symlink":
            resolved = os.path.normpath(os.path.join(os.path.dirname(e.path), e.target or ""))
            links.append(FileFact(**{**e.model_dump(), "dangling": resolved not in p.entries}))
    words: dict[str, list[str]] = {}
    for f in files:
        if f.text:
            for w in sorted(set(re.findall(r"[A-Za-z][\w-]{2,}", f.text))):
                words.setdefault(w, []).append(f.path)
    commits, working = p.git_commits, p.git_working
    main_subjects = [c[0] for c in commits][::-1]
    git = GitFacts(path=GIT_REPO, branch="main", branches=sorted(["main", *GIT_BRANCHES]), commits=main_subjects,
                   modified=[k for k in working if any(k in files_ for _, files_ in commits)],
                   untracked=[k for k in working if not any(k in files_ for _, files_ in commits)])
    return TreeFacts(seed=seed, files=files, dirs=dirs, symlinks=links, archives=list(p.archives), git=git, words=words)


@lru_cache(maxsize=8)
def tree_facts(seed: int = 0) -> TreeFacts:
    """What build_tree(root, seed) writes, computed without writing anything."""
    return _facts_from_plan(_plan(seed), seed)


def _git(repo: Path, *args: str, date: str = GIT_DATES[0]) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(repo), "GIT_CONFIG_GLOBAL": "/dev/null",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Sam User", "GIT_AUTHOR_EMAIL": "sam@example.com",
           "GIT_COMMITTER_NAME": "Sam User", "GIT_COMMITTER_EMAIL": "sam@example.com", "GIT_AUTHOR_DATE": date,
           "GIT_COMMITTER_DATE": date, "LC_ALL": "C", "TZ": "UTC"}
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def build_tree(root: Path, seed: int = 0) -> TreeFacts:
    """Write the tree under root (which must not exist or be empty). Ages are stamped relative to now."""
    p = _plan(seed)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    _build_git_from_plan(root, p)
    for e in sorted(p.entries.values(), key=lambda e: e.path):
        path = root / e.path
        if e.kind == "dir":
            path.mkdir(parents=True, exist_ok=True)
        elif e.kind == "symlink":
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.is_symlink():
                path.symlink_to(e.target)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as f:
                f.write(e.content or b"")
                if e.sparse:
                    f.truncate(e.size)
    for e in sorted(p.entries.values(), key=lambda e: e.path.count("/"), reverse=True):
        if e.kind != "symlink":
            os.chmod(root / e.path, e.mode)
    stamp(root, seed)
    return tree_facts(seed)


def _build_git_from_plan(root: Path, p: _Plan) -> None:
    repo = root / GIT_REPO
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    # The committed history is the plan's final files at each commit; the plan holds the final text
    # (including the uncommitted changes), so each commit writes what the git plan gave it.
    commits = p.git_commits
    for i, (subject, files) in enumerate(commits):
        for rel, text in files.items():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(text)
        _git(repo, "add", "-A", date=GIT_DATES[i])
        _git(repo, "commit", "-q", "-m", subject, date=GIT_DATES[i])
        for branch, at in GIT_BRANCHES.items():
            if at == i + 1:
                _git(repo, "branch", branch)
    for branch, (subject, rel) in GIT_BRANCH_COMMIT.items():
        _git(repo, "checkout", "-q", branch)
        (repo / rel).write_text((repo / rel).read_text() + "# --verbose prints more\n")
        _git(repo, "commit", "-q", "-am", subject, date=GIT_DATES[-1])
        _git(repo, "checkout", "-q", "main")
    # The working changes are the plan's own entries, written by build_tree after this.


def entry_ages(root: Path, seed: int) -> dict[str, tuple[float, float]]:
    """relative path -> (mtime age, atime age) for every entry of a built tree; entries the plan does
    not list (git's internals) get the repository's age."""
    p = _plan(seed)
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            e = p.entries.get(rel)
            out[rel] = (e.mtime_age, e.atime_age) if e else (GIT_AGE, GIT_AGE)
    return out


def stamp(root: Path, seed: int = 0, now: float | None = None, ages: dict[str, tuple[float, float]] | None = None) -> float:
    """Set every entry's mtime and atime to `now` minus its age (deepest first, so a folder's own
    times are set after its contents are). Returns the `now` used."""
    import time

    now = time.time() if now is None else now
    ages = entry_ages(root, seed) if ages is None else ages
    for rel in sorted(ages, key=lambda r: r.count("/"), reverse=True):
        m, a = ages[rel]
        try:
            os.utime(os.path.join(root, rel), (now - a, now - m), follow_symlinks=False)
        except FileNotFoundError:
            pass
    os.utime(root, (now - 3 * MIN, now - 20 * MIN))
    return now
