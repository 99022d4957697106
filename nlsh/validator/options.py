"""Options a utility's own documentation on this machine does not list: `uptime -l`, `df -b`.

A small model invents flags for tools it knows well (`uptime -l`, `ls --home`, `pstree -P`), and the
command then fails or does something else. Part of checking that a command exists is checking that
its options do. The check is conservative, since a false warning teaches people to ignore warnings:
- only a flag written as a whole word (`-l`, `--home`), and of a cluster only the letter that
  opens it (`tty -full` fails at `-f`), and only where the cluster is lower-case letters from a man
  page (`-Wall` is one gcc option, not -W -a -l -l; `-SIGUSR1` is a signal);
- only against a man page or `--help` text that documents options at all (five or more), never for
  a tool with subcommands (`apt-get install`; a first argument that reads like one, `gcloud init`,
  counts) but git, whose commands have pages of their own (`git commit --amend` is judged by
  git-commit's), find-style single-dash long options, a
  shell builtin (the shell's `kill` is not kill(1)) or an interpreter (`python app.py --url`,
  `java -jar app.jar -s`: the program's options), nor for what another machine runs
  (`ssh host uptime -l`);
- a long option may be any prefix of a documented one, as GNU getopt accepts (`--all-repeat`), and
  a short one the start of a documented one (troff documents `-Tname`).

`help_options` finds the other kind of option that is no answer: one that only prints the tool's
help or version (`uptime -h`), by the same reading of the same documentation.
"""

from __future__ import annotations

import functools
import re
from typing import Iterator, Optional

from nlsh.machine.docs import Doc, subcommand_documentation
from nlsh.machine.resolve import BUILTINS
from nlsh.validator.anatomy import SUBCOMMAND_UTILITIES, Part, command_parts, read_doc
from nlsh.validator.risk import utility_name
from nlsh.validator.rules import INTERPRETERS, WRAPPERS

_CHECKED_FLAG = re.compile(r"--[A-Za-z][\w-]*|-[A-Za-z]")
# Lower-case letters only: `-SIGUSR1`, `-O2` and gcc's `-lm` are signals, levels and glued values.
_CLUSTER = re.compile(r"-[a-z]{2,}")
_SUBCOMMAND_LIKE = re.compile(r"[a-z][a-z0-9-]*")
_RUNS_PROGRAMS = frozenset({"java"})  # like the interpreters: later options are the program's
_MIN_ENTRIES = 5  # fewer documented options: likely a page the parser could not read


def undocumented_options(command: str, path: Optional[str] = None) -> list[tuple[str, str]]:
    """(utility, flag) for each flag of `command` its utility's documentation lacks (of a cluster,
    its opening letter), git's commands judged by their own pages."""
    return _options(command, command_parts(command, path), path)


def _options(command: str, parts: Optional[list[Part]], path: Optional[str]) -> list[tuple[str, str]]:
    if parts is None:
        return []
    words = set(command.split())  # only a flag written as a whole word is judged
    found: list[tuple[str, str]] = []
    for doc, part in _judged_flag_parts(parts, path):
        flag = _judged_flag(part, words, doc) if not part.source else None
        if flag and _documented(flag, doc):
            flag = None
        if flag and (doc.name, flag) not in found:
            found.append((doc.name, flag))
    return found


def _judged_flag_parts(parts: list[Part], path: Optional[str]) -> Iterator[tuple[Doc, Part]]:
    """Each flag of a command line's parts with the documentation it is judged by: its utility's, where that
    is one the check judges by, or a git command's own page; not another
    subcommand's nor a remote command's."""
    judged: dict[int, Optional[Doc]] = {}  # depth -> the documentation its flags are judged by
    utilities: dict[int, str] = {}  # depth -> the utility named there
    previous = None
    remote_from: Optional[int] = None  # commands deeper than this run on another machine (ssh host ...)
    for part in parts:
        if remote_from is not None and part.depth > remote_from:
            continue
        if part.kind == "utility":
            utilities[part.depth] = part.word
            remote_from = part.depth if part.word in WRAPPERS and WRAPPERS[part.word].remote else None
            doc = read_doc(part.word, path)
            judged[part.depth] = doc if _judgeable(doc, part.word) else None
        elif part.kind == "subcommand" or (previous is not None and previous.kind == "utility"
                                           and _SUBCOMMAND_LIKE.fullmatch(part.word)):
            judged[part.depth] = _subcommand_doc(utilities.get(part.depth), part, path)
        previous = part
        doc = judged.get(part.depth)
        if part.kind == "flag" and doc is not None:
            yield doc, part


def _subcommand_doc(utility: Optional[str], part, path: Optional[str]) -> Optional[Doc]:
    """The documentation a subcommand's flags are judged by: git's page for each of its commands
    (`git status -a` fails: git-status has no -a), where this machine has it. A flag written before
    the subcommand (`git -C dir log`) that git's page documents is explained from there and not
    judged."""
    if part.kind != "subcommand" or utility is None:
        return None
    doc = subcommand_documentation(utility, part.word, path)
    return doc if _judgeable(doc, doc.name) else None


def _judged_flag(part, words: set[str], doc: Doc) -> Optional[str]:
    """The flag a part's word is judged by: a whole-word flag itself; for a cluster (`-add`), the
    letter that opens it, which getopt reads first and rejects first, unless a documented option
    begins with the whole cluster (gcc's `-Wall`). Clusters only from a man page: `--help` texts
    (gcc's) leave out options such as `-lname` whose values are glued on."""
    flag = re.split(r"[\s=]", part.word, maxsplit=1)[0]
    if _CHECKED_FLAG.fullmatch(flag) and flag in words:
        return flag
    if (_CLUSTER.fullmatch(part.cluster) and part.cluster in words and doc.source == "man"
            and not _documented(part.cluster, doc)):
        return flag
    return None


def _judgeable(doc: Doc, word: str) -> bool:
    return (doc.source in ("man", "help") and len(doc.entries) >= _MIN_ENTRIES and not doc.single_dash_long
            and not {doc.name, utility_name(word)} & _not_judged())


@functools.cache
def _not_judged() -> frozenset[str]:
    return frozenset(SUBCOMMAND_UTILITIES | BUILTINS | INTERPRETERS.keys() | _RUNS_PROGRAMS)


def _documented(flag: str, doc: Doc) -> bool:
    """A prefix of a documented option (`--all-repeat`; `-T` of troff's `-Tname`), or a long
    option the text mentions anywhere."""
    return any(name.startswith(flag) for name in doc.entries) or (flag.startswith("--") and flag in doc.text)


def option_warnings(command: str, parts: list[Part], path: Optional[str] = None) -> list[str]:
    """A warning for each option of a command line (and its parts) its program's documentation lacks."""
    return [f"{name}: this machine's documentation lists no option {flag}"
            for name, flag in _options(command, parts, path)]
