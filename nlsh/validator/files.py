"""Files a command reads that are not there: a small model invents paths (`tail -n 20
/var/log/app.log`, `cp /mnt/backup/photos /mnt/backup`), and such a command only fails.

Judged only where the answer is certain: the utilities below, whose operands are files that must
exist, written literally (no `$VAR`, glob or `~user`), before anything in the line changes directory
or could have made the file (an earlier command or redirection naming it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from nlsh.validator.parse import ParsedCommand, Word
from nlsh.validator.risk import split_args, utility_name, wrapped_command
from nlsh.validator.rules import WRAPPERS


@dataclass(frozen=True)
class Reader:
    """Which operands of a utility name files it reads (or moves, or deletes)."""

    value_opts: tuple[str, ...] = ()
    skip: int = 0  # operands before the files: grep's pattern, chmod's mode
    pattern_opts: tuple[str, ...] = ()  # options that give the pattern instead (grep -e), so none is skipped
    first_only: bool = False  # later operands are something else: unzip's members, uniq's output
    sources_only: bool = False  # the last operand is where they go (cp, mv)
    unless: tuple[str, ...] = ()  # flags under which a missing file is no failure (rm -f, tail -F)


_SIZES = ("-n", "-c", "--lines", "--bytes")
_GREP_VALUES = ("-e", "-f", "-m", "-A", "-B", "-C", "-d", "-D", "--regexp", "--file", "--max-count",
                "--after-context", "--before-context", "--context", "--label", "--include", "--exclude",
                "--exclude-dir", "--exclude-from", "--color", "--colour", "--binary-files", "--devices",
                "--directories")
_COPY_VALUES = ("-S", "-t", "--suffix", "--target-directory", "--backup", "--reflink", "--sparse",
                "--preserve", "--no-preserve", "--update")
_SUMS = Reader(unless=("-c", "--check"))

READERS: dict[str, Reader] = {
    "cat": Reader(), "tac": Reader(), "more": Reader(), "file": Reader(), "wc": Reader(),
    "less": Reader(value_opts=("-x", "-y", "-z", "-b", "-h", "-j", "-o", "-O", "-p", "-P", "-t", "-T")),
    "head": Reader(value_opts=_SIZES),
    "tail": Reader(value_opts=_SIZES + ("-s", "--pid", "--sleep-interval", "--max-unchanged-stats"),
                   unless=("-F", "--retry")),
    "sort": Reader(value_opts=("-k", "-t", "-o", "-S", "-T", "--key", "--field-separator", "--output",
                               "--buffer-size", "--temporary-directory", "--parallel", "--files0-from")),
    "uniq": Reader(value_opts=("-f", "-s", "-w", "--skip-fields", "--skip-chars", "--check-chars"), first_only=True),
    "grep": Reader(value_opts=_GREP_VALUES, skip=1, pattern_opts=("-e", "-f", "--regexp", "--file")),
    "md5sum": _SUMS, "sha1sum": _SUMS, "sha256sum": _SUMS, "sha512sum": _SUMS,
    "stat": Reader(value_opts=("-c", "--format", "--printf")),
    "cp": Reader(value_opts=_COPY_VALUES, sources_only=True),
    "mv": Reader(value_opts=_COPY_VALUES, sources_only=True),
    "rm": Reader(unless=("-f", "--force")),
    "chmod": Reader(skip=1, unless=("-f", "--silent", "--quiet", "--reference")),
    "chown": Reader(skip=1, unless=("-f", "--silent", "--quiet", "--reference")),
    "unzip": Reader(value_opts=("-d", "-x", "-P"), first_only=True),
    "zipinfo": Reader(first_only=True),
    "source": Reader(first_only=True), ".": Reader(first_only=True),
}

# Commands after which relative paths point elsewhere.
_MOVES = frozenset({"cd", "pushd", "popd"})
_UNSURE = frozenset("*?[{$`")


def missing_file_warnings(parsed: ParsedCommand, cwd: Optional[str] = None) -> list[str]:
    """A warning for each file the parsed command line reads that does not exist (relative to
    `cwd`, default the current directory)."""
    base = cwd or os.getcwd()
    named: set[str] = set()  # what earlier parts of the line name: they may make it
    warnings: list[str] = []
    for index, simple in enumerate(parsed.commands):
        if simple.nested_in is not None or simple.function is not None:
            continue
        words = _run_words(simple.words)
        if not words:
            continue
        name = utility_name(words[0].text)
        if name in _MOVES:
            break
        reader = READERS.get(name)
        read = [w.text for w in _read_files(reader, words[1:])] if reader is not None else []
        # `wc -l < notes.txt`: the shell opens it for any command, and fails there.
        read += [r.target for r in parsed.redirects
                 if r.command == index and r.op == "<" and _literal(r.target, r.raw_target)]
        for path in read:
            warning = f"{name}: no such file or directory: {path}"
            if path not in named and warning not in warnings and _missing(path, base):
                warnings.append(warning)
        named.update(w.text for w in simple.words)
        named.update(r.target for r in parsed.redirects if r.start <= simple.end)
    return warnings


def _run_words(words: list[Word]) -> list[Word]:
    """The words of the command a line of wrappers runs (`sudo -u bob cat x`: `cat x`); none for a
    remote one or a shell string."""
    while words:
        spec = WRAPPERS.get(utility_name(words[0].text))
        if spec is None:
            return words
        if spec.remote:
            return []
        inner = wrapped_command(utility_name(words[0].text), spec, words)
        if inner.start is None:
            return []
        words = words[inner.start:]
    return words


def _read_files(reader: Reader, words: list[Word]) -> list[Word]:
    args = split_args(words, reader.value_opts)
    if any(args.has(flag) for flag in reader.unless):
        return []
    skip = 0 if any(args.has(flag) for flag in reader.pattern_opts) else reader.skip
    operands = args.operands[skip:]
    if reader.sources_only and not any(option in ("-t", "--target-directory") for option, _ in args.values):
        operands = operands[:-1]
    if reader.first_only:
        operands = operands[:1]
    return [w for w in operands if not w.expands and _literal(w.text, w.raw)]


def _literal(text: str, raw: str) -> bool:
    """A path as written, not one the shell makes at run time (glob, `$VAR`, `~user`) or an option."""
    return (bool(text) and text not in ("-", "--") and not text.startswith("+") and not set(raw) & _UNSURE
            and (not text.startswith("~") or text == "~" or text.startswith("~/")))


def _missing(text: str, base: str) -> bool:
    path = os.path.join(base, os.path.expanduser(text))
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):  # no permission to look (sudo cat /root/x): no verdict
        return False
    return False
