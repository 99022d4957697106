"""Where nlsh remembers what it ran: the executed-command log and the REPL's line history.

Both live in $XDG_DATA_HOME/nlsh (default ~/.local/share/nlsh). The command log is JSON lines, one
per executed command, each appended with a single O_APPEND write under an exclusive flock, so two
nlsh processes never interleave half lines and a crash never leaves a torn one behind. History is a
convenience: if the directory cannot be written, nlsh warns once on stderr and carries on.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator

from prompt_toolkit.history import FileHistory
from pydantic import BaseModel, ValidationError

from nlsh.config import data_dir

HISTORY_NAME = "history"
REPL_HISTORY_NAME = "repl_history"

_warned = False


class HistoryEntry(BaseModel):
    """One executed command, as stored on one line of the history file."""

    time: str
    instruction: str | None = None
    command: str
    exit_code: int


def history_path() -> Path:
    return data_dir() / HISTORY_NAME


def repl_history_path() -> Path:
    return data_dir() / REPL_HISTORY_NAME


def warn_once(path: Path, err: OSError) -> None:
    """History problems must never stop a command from running; say so once per process."""
    global _warned
    if _warned:
        return
    _warned = True
    reason = err.strerror or str(err)
    print(f"nlsh: cannot write history to {path} ({reason}); continuing without it.", file=sys.stderr)


def append_line(path: Path, line: str) -> None:
    """Append one complete line atomically with respect to other writers of the same file.

    O_APPEND makes each write land at the current end; the flock makes sure a write that the
    kernel splits (or a second write after a short one) is never interleaved with another process.
    """
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)  # closing releases the lock


def record(command: str, exit_code: int, instruction: str | None = None, path: Path | None = None) -> bool:
    """Log one executed command. Returns False (after a one-time warning) when it could not be stored."""
    path = path or history_path()
    entry = HistoryEntry(
        time=datetime.now().astimezone().isoformat(timespec="seconds"),
        instruction=instruction,
        command=command,
        exit_code=exit_code,
    )
    try:
        append_line(path, entry.model_dump_json())
    except OSError as err:
        warn_once(path, err)
        return False
    return True


def read_entries(path: Path | None = None) -> list[HistoryEntry]:
    """Every intact entry, oldest first; lines that are not valid entries are skipped, not fatal."""
    path = path or history_path()
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    return list(_parse(raw.decode("utf-8", errors="replace").splitlines()))


def _parse(lines: Iterable[str]) -> Iterator[HistoryEntry]:
    for line in lines:
        if not line.strip():
            continue
        try:
            yield HistoryEntry.model_validate(json.loads(line))
        except (ValueError, ValidationError):
            continue


class SafeFileHistory(FileHistory):
    """prompt-toolkit's FileHistory, minus the crash when the file cannot be read or written.

    FileHistory writes each accepted line from inside the running prompt; an OSError there would
    end the REPL. Here it turns into the same one-time warning as the command log.
    """

    def load_history_strings(self) -> Iterable[str]:
        try:
            return list(super().load_history_strings())
        except OSError:
            return []

    def store_string(self, string: str) -> None:
        path = Path(os.fsdecode(self.filename))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            super().store_string(string)
        except OSError as err:
            warn_once(path, err)


def repl_history(path: Path | None = None) -> SafeFileHistory:
    """The persistent line history for the REPL's PromptSession."""
    return SafeFileHistory(str(path or repl_history_path()))
