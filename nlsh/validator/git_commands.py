"""Git commands this machine lacks: `git undo` fails unless git has it, an alias or a git-undo program."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Optional

from nlsh.validator.anatomy import Part
from nlsh.validator.risk import utility_name


def git_command_warnings(parts: list[Part], path: Optional[str] = None) -> list[str]:
    """A warning for each git command among a command line's parts that git on this machine would
    not run. No verdict where git is missing or cannot list its commands."""
    warnings: list[str] = []
    utility = None
    known: Optional[frozenset[str]] = None
    for part in parts:
        if part.kind == "utility":
            utility = utility_name(part.word)
        elif part.kind == "subcommand" and utility == "git":
            known = known if known is not None else known_git_commands(path)
            if known and part.word not in known:
                warning = f"git: this machine has no git command {part.word} (nor an alias or a git-{part.word} program)"
                if warning not in warnings:
                    warnings.append(warning)
    return warnings


def known_git_commands(path: Optional[str] = None) -> frozenset[str]:
    """git's own commands, the git-* programs it finds and the aliases in effect here (a
    repository's own config may add some), as git lists them for shell completion. Asked anew each
    time (a few ms), so an alias added a moment ago counts."""
    git = shutil.which("git", path=path)
    if git is None:
        return frozenset()
    env = dict(os.environ, PATH=path) if path is not None else None
    try:
        listed = subprocess.run([git, "--list-cmds=main,others,alias,nohelpers"], env=env,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if listed.returncode != 0:
        return frozenset()
    return frozenset(line.strip() for line in listed.stdout.splitlines() if line.strip())
