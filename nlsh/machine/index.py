"""What this machine's programs are for: the one-line summaries of the man page database
(`whatis`/`apropos`) and of the user's tldr pages, and the tldr examples, for the programs on $PATH.

Built once and kept in ~/.cache/nlsh, rebuilt when the man database, $PATH or the tldr pages change,
so a cold call costs a JSON load.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from nlsh.machine import tldr
from nlsh.machine.programs import executables_on_path
from nlsh.prompt import Example, ToolHint

INDEX_VERSION = 3
INDEX_FILE = "machine-index.json"  # in nlsh's cache directory


class MachineIndex(BaseModel):
    """What gets cached on disk: man page summaries and tldr pages of utilities on $PATH."""

    version: int = INDEX_VERSION
    key: str = ""
    tools: list[ToolHint] = Field(default_factory=list)
    tldr_examples: list[Example] = Field(default_factory=list)


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


def index_key(path_env: str, use_tldr: bool) -> str:
    """What a saved index must have been built for to be current."""
    return json.dumps([INDEX_VERSION, path_env, _man_db_stamp(), tldr.stamp() if use_tldr else None, sys.platform])


def build_index(path_env: str, use_tldr: bool = True) -> MachineIndex:
    exes = executables_on_path(path_env)
    tools = whatis_entries(exes)
    tldr_examples: list[Example] = []
    if use_tldr:
        tldr_tools, tldr_examples = tldr.entries(exes)
        known = {t.name for t in tools}
        tools += [t for t in tldr_tools if t.name not in known]
    return MachineIndex(key=index_key(path_env, use_tldr), tools=tools, tldr_examples=tldr_examples)


def load_index(cache: Path | None, path_env: str, use_tldr: bool = True) -> MachineIndex:
    """The machine index from the disk cache when still current, else rebuilt (and saved)."""
    key = index_key(path_env, use_tldr)
    file = cache / INDEX_FILE if cache is not None else None
    if file is not None:
        try:
            index = MachineIndex.model_validate_json(file.read_bytes())
            if index.key == key:
                return index
        except (OSError, ValueError):
            pass
    index = build_index(path_env, use_tldr)
    if file is not None:
        write_atomic(file, index.model_dump_json().encode())
    return index


def write_atomic(path: Path, data: bytes) -> None:
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
