"""The user's own shell histories: which programs they type, and how often."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path


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
