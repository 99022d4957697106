"""Where a command word would come from when the shell runs it: builtin, keyword, function or file."""

from __future__ import annotations

import os
import shutil
from typing import Literal, Optional

from pydantic import BaseModel

# `compgen -b` and `compgen -k` of bash 5; zsh and fish accept the same names for everyday use.
BUILTINS = frozenset(
    ". : [ alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs "
    "disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local "
    "logout mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend "
    "test times trap true type typeset ulimit umask unalias unset wait".split()
)
KEYWORDS = frozenset(
    "if then else elif fi case esac for select while until do done in function time { } ! [[ ]] coproc".split()
)


class Resolution(BaseModel):
    name: str
    kind: Literal["builtin", "keyword", "function", "file", "unknown", "computed"]
    path: Optional[str] = None


def resolve_executable(name: str, path: Optional[str] = None, functions: frozenset[str] = frozenset(),
                       raw: Optional[str] = None) -> Resolution:
    """Resolve a word in command position; `path` is a PATH string (None: this process's PATH)."""
    written = raw if raw is not None else name
    if "$" in written or "`" in written:
        return Resolution(name=name, kind="computed")
    if name in functions:
        return Resolution(name=name, kind="function")
    if "/" in name:
        candidate = os.path.expanduser(name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return Resolution(name=name, kind="file", path=os.path.abspath(candidate))
        return Resolution(name=name, kind="unknown")
    if name in KEYWORDS:
        return Resolution(name=name, kind="keyword")
    if name in BUILTINS:
        return Resolution(name=name, kind="builtin")
    found = _which(name, path)
    if found:
        return Resolution(name=name, kind="file", path=found)
    return Resolution(name=name, kind="unknown")


def _which(name: str, path: Optional[str]) -> Optional[str]:
    if not name or "\x00" in name:
        return None
    try:
        return shutil.which(name, path=path)
    except (OSError, ValueError):
        return None
