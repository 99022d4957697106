"""Learning from the user's own edits: (instruction, command) pairs kept on this machine only.

When a person edits a proposal and runs it, the CLI and the REPL call learn(instruction, command).
The pair goes to ~/.local/share/nlsh/learned.jsonl, one JSON object a line:

    {"instruction": "list large files in home", "command": "find ~ -size +100M", "time": "2025-..."}

That file is all there is: the retriever (nlsh.retrieval) reads it before each request, so the next
similar request gets the pair as an example at once, and `python -m finetune train --extra
learned.jsonl` can fold the pairs into the adapter. Nothing here sends anything anywhere.

One instruction keeps one command, the latest: learning a new answer for a known instruction drops
the old line, and load() keeps only the latest should a file hold two (older versions, hand edits).
Writers take an exclusive flock on the file. A new pair is one O_APPEND write of one line, so a
reader never sees half a line; any rewrite goes through a temporary file and os.replace, so the
file is whole at every moment, even if nlsh dies half-way.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import click
from pydantic import BaseModel, ValidationError

from nlsh.config import learned_path
from nlsh.errors import UsageError


class LearnedPair(BaseModel):
    instruction: str
    command: str
    time: datetime | None = None  # absent in lines written by hand


def normalize(instruction: str) -> str:
    """One line, single spaces: how the translator shows an instruction to the model."""
    return " ".join(instruction.split())


def _same(a: str, b: str) -> bool:
    return normalize(a).casefold() == normalize(b).casefold()


# -- reading --------------------------------------------------------------------------------------


def _parse(line: str) -> LearnedPair | None:
    try:
        pair = LearnedPair.model_validate_json(line)
    except (ValidationError, ValueError):
        return None
    if not pair.instruction.strip() or not pair.command.strip():
        return None
    return pair


def _read_lines(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise UsageError(f"The learned pairs in {path} cannot be read: {exc.strerror or exc}.") from None


def load(path: Path | None = None) -> list[LearnedPair]:
    """The learned pairs, oldest first, one per instruction (the latest); bad lines are skipped."""
    path = path or learned_path()
    latest: dict[str, tuple[int, LearnedPair]] = {}
    for i, line in enumerate(_read_lines(path)):
        pair = _parse(line)
        if pair is not None:
            latest[normalize(pair.instruction).casefold()] = (i, pair)
    return [pair for _, pair in sorted(latest.values(), key=lambda item: item[0])]


# -- writing --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    """An append-mode descriptor on `path` holding an exclusive flock.

    A rewrite replaces the file, so whoever was waiting for the lock may hold the old, unlinked
    one: after locking, check the path still names the locked file, and try again if not.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            locked = os.fstat(fd)
            if current is not None and (current.st_ino, current.st_dev) == (locked.st_ino, locked.st_dev):
                yield fd
                return
        finally:
            os.close(fd)


def _line(pair: LearnedPair) -> str:
    data = pair.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, ensure_ascii=False) + "\n"


def _rewrite(path: Path, lines: list[str]) -> None:
    """Replace the file with `lines` in one step (the caller holds the lock)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines(line if line.endswith("\n") else line + "\n" for line in lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def add(instruction: str, command: str, path: Path | None = None) -> LearnedPair:
    """Store the pair; an earlier command for the same instruction is dropped. Raises OSError."""
    instruction, command = normalize(instruction), command.strip()
    if not instruction or not command:
        raise ValueError("a learned pair needs an instruction and a command")
    path = path or learned_path()
    pair = LearnedPair(instruction=instruction, command=command, time=datetime.now(timezone.utc))
    line = _line(pair)
    with _locked(path) as fd:
        lines = _read_lines(path)
        stale = [i for i, text in enumerate(lines) if (p := _parse(text)) is not None and _same(p.instruction, instruction)]
        if stale:
            drop = set(stale)
            keep = [text for i, text in enumerate(lines) if i not in drop and text.strip()]
            _rewrite(path, keep + [line])
        else:
            data = line.encode("utf-8")
            # A file cut short by a crash mid-line must not glue its last fragment onto this pair.
            if os.fstat(fd).st_size and not _ends_with_newline(path):
                data = b"\n" + data
            os.write(fd, data)
    return pair


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def learn(instruction: str, command: str) -> None:
    """The hook the CLI and the REPL call after an edited command ran: remember it, quietly.

    The command has already run; a full disk or a read-only home must not turn that into an error.
    """
    try:
        add(instruction, command)
    except (OSError, ValueError, UsageError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(f"nlsh: the edited command was not remembered: {reason}.", file=sys.stderr)


def forget(number: int, path: Path | None = None) -> LearnedPair:
    """Remove pair `number` (1-based, as `nlsh learned list` shows it), with any older duplicates."""
    path = path or learned_path()
    if not path.exists():
        raise UsageError(_range_message(number, 0))
    with _locked(path):
        pairs = load(path)
        if not 1 <= number <= len(pairs):
            raise UsageError(_range_message(number, len(pairs)))
        gone = pairs[number - 1]
        lines = _read_lines(path)
        keep = [t for t in lines if t.strip() and not ((p := _parse(t)) is not None and _same(p.instruction, gone.instruction))]
        _rewrite(path, keep)
    return gone


def _range_message(number, count: int) -> str:
    if count == 0:
        return f"There is no learned pair {number}: nothing has been learned yet."
    return f"There is no learned pair {number}; pick a number from 1 to {count} (see `nlsh learned list`)."


# -- the `nlsh learned` command -------------------------------------------------------------------


@click.group("learned", invoke_without_command=True)
@click.pass_context
def learned(ctx: click.Context) -> None:
    """Commands you edited before running them, remembered as examples for similar requests."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_pairs)


@learned.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_pairs(as_json: bool) -> None:
    """Show the learned pairs, numbered, newest last."""
    pairs = load()
    if not pairs:
        click.echo(f"Nothing learned yet; edited commands you run are kept in {learned_path()}.", err=True)
        return
    width = len(str(len(pairs)))
    for i, pair in enumerate(pairs, 1):
        if as_json:
            click.echo(_line(pair), nl=False)
        else:
            click.echo(f"{i:>{width}}. {pair.instruction}\n{' ' * (width + 2)}{pair.command}")


@learned.command("forget")
@click.argument("number", metavar="N", required=False)
def forget_pair(number: str | None) -> None:
    """Forget pair N (its number in `nlsh learned list`)."""
    if number is None:
        raise UsageError("Say which pair to forget: nlsh learned forget N, with N from `nlsh learned list`.")
    if not number.strip().isdigit():
        raise UsageError(f"`{number}` is not a pair number; use a number from `nlsh learned list`.")
    gone = forget(int(number))
    click.echo(f"Forgot: {gone.instruction} -> {gone.command}")


@learned.command("path")
def show_path() -> None:
    """Print where the pairs are kept (for `python -m finetune train --extra`)."""
    click.echo(str(learned_path()))
