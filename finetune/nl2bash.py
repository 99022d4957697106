"""NL2Bash pairs, filtered: the command must parse and its utilities must exist somewhere; every
distinct (instruction, command) pair is kept, paraphrases of one command included (they teach the
same command in other words). `check_by_execution` runs the commands in the judge's sandbox."""

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


def words(text: str) -> str:
    """Lower-case words only, as instructions are compared."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def request_key(text: str) -> str:
    """A request with its values masked, as lower-case words: what two wordings of one task with
    other values share ("Enables shell option 'lastpipe'" and "... 'failglob'")."""
    return words(mask(text))


def twin_keys(pair: Pair) -> list[str]:
    """What a near-duplicate in another group shares with this pair: its instruction with the values
    masked, which is how NL2Bash's own split groups pairs."""
    return ["nl:" + request_key(pair.instruction)]


def _tidy_instruction(nl: str) -> str:
    nl = re.sub(r"^\((GNU|BSD) specific\)\s*", "", nl.strip())
    return nl.rstrip(". ")


def load_pairs(path: Path, known_utilities: set[str]) -> tuple[list[Pair], dict[str, int]]:
    """Pairs that parse and use only known utilities, each distinct (instruction, command) once.
    `paraphrases`: kept pairs whose command an earlier kept pair already has."""
    stats = {"read": 0, "unparseable": 0, "unknown_utility": 0, "duplicate": 0, "paraphrases": 0, "kept": 0}
    seen: set[tuple[str, str]] = set()
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
        key = (words(nl), cmd)
        if key in seen:
            stats["duplicate"] += 1
            continue
        seen.add(key)
        stats["paraphrases"] += cmd in seen_cmd
        seen_cmd.add(cmd)
        pairs.append(Pair(nl, cmd, utils, mask(cmd)))
    stats["kept"] = len(pairs)
    return pairs, stats


# What running a command in the judge's sandbox said, as the data card counts it.
RUNS = "runs and prints"
SILENT = "runs, prints nothing"  # a change to the tree, or a search that matched nothing here
MISSING = "needs what the tree lacks"  # a file, a user, another user's files: not the command's fault
FAILS = "fails"  # bad option, bad syntax, a placeholder left in: most likely a wrong command
STUCK = "times out or floods"
UNDECIDED = "undecided"  # network, services, hardware, root, a tool not installed
_MISSING = re.compile(r"No such file or directory|cannot access|cannot stat|can't open|does not exist|not a git repository|"
                      r"No such device|cannot find|not found$|Permission denied|invalid user|invalid group|no such user|"
                      r"not the name of a known user", re.I)
# grep, and xargs running grep, say "no match" with exit 1 and 123 and no message
_NO_MATCH = re.compile(r"^exit (1|123):\s*$")


def execution_class(why: str, right: bool | None) -> str:
    """A verify() verdict (expecting output) as one of the classes above."""
    if right is None:
        return UNDECIDED
    if right:
        return RUNS
    if why == "printed nothing" or _NO_MATCH.match(why):
        return SILENT
    if why.startswith(("timed out", "printed more")):
        return STUCK
    return MISSING if _MISSING.search(why) else FAILS


def check_by_execution(commands: list[str], workers: int = 2, seed: int = 0, timeout: float = 2.0) -> dict[str, str]:
    """command -> execution class, each command run once in the judge's sandbox over its file tree
    (cached on disk by the judge, so a rebuild runs only new commands). Empty when bubblewrap is
    missing: the data still builds, unchecked."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    if shutil.which("bwrap") is None:
        return {}
    from finetune.judge import Expect, verify

    distinct = sorted(set(commands))

    def one(cmd: str) -> str:
        v = verify(cmd, Expect.output_unordered, seed=seed, timeout=timeout)
        return execution_class(v.why, v.right)

    with ThreadPoolExecutor(max(1, workers)) as pool:
        return dict(zip(distinct, pool.map(one, distinct)))
