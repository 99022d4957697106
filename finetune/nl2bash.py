"""NL2Bash pairs, filtered: the command must parse, its utilities must be real, near-duplicates go."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from nlsh.validator import command_utilities


@dataclass
class Pair:
    instruction: str
    command: str
    utilities: list[str]
    template: str  # the command with its values masked: near-duplicates share it


_QUOTED = re.compile(r"""'[^']*'|"[^"]*\"""")
_PATHISH = re.compile(r"(?<![\w-])(~|\.{1,2})?/[^\s;|&)]*|\b[\w.-]+\.[a-zA-Z0-9]{1,4}\b")
_NUMBER = re.compile(r"(?<![\w-])[+-]?\d+[kKmMgGcw]?\b")


def mask(command: str) -> str:
    t = _QUOTED.sub("Q", command)
    t = _PATHISH.sub("P", t)
    t = _NUMBER.sub("N", t)
    return " ".join(t.split())


def _words(text: str) -> str:
    """Lower-case words only, as instructions are compared."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def twin_keys(pair: Pair) -> list[str]:
    """What a near-duplicate in another group shares with this pair: its instruction with the values
    masked, which is how NL2Bash's own split groups pairs ("Enables shell option 'lastpipe'" and
    "... 'failglob'" are one task with two values)."""
    return ["nl:" + _words(mask(pair.instruction))]


def _tidy_instruction(nl: str) -> str:
    nl = re.sub(r"^\((GNU|BSD) specific\)\s*", "", nl.strip())
    return nl.rstrip(". ")


def load_pairs(path: Path, known_utilities: set[str]) -> tuple[list[Pair], dict[str, int]]:
    """Pairs that parse and use only known utilities, one per (instruction) and per exact command."""
    stats = {"read": 0, "unparseable": 0, "unknown_utility": 0, "duplicate": 0, "kept": 0}
    seen_nl: set[str] = set()
    seen_cmd: set[str] = set()
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        stats["read"] += 1
        nl, cmd = _tidy_instruction(row["nl"]), row["cmd"].strip()
        utils = command_utilities(cmd)
        if utils is None or not utils or "\n" in cmd:
            stats["unparseable"] += 1
            continue
        if any(u not in known_utilities for u in utils):
            stats["unknown_utility"] += 1
            continue
        key_nl = _words(nl)
        if key_nl in seen_nl or cmd in seen_cmd:
            stats["duplicate"] += 1
            continue
        seen_nl.add(key_nl)
        seen_cmd.add(cmd)
        pairs.append(Pair(nl, cmd, utils, mask(cmd)))
    stats["kept"] = len(pairs)
    return pairs, stats
