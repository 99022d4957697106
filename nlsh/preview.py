"""Safety preview: before a command that deletes or overwrites runs, show what it would hit.

Never runs the command itself. Globs, `~` and `$HOME`-style variables are expanded the way the
shell would, in the directory the command will run in; `rm -r` directories are walked and counted;
`find ... -delete` / `-exec rm` is re-run as the same `find` with its actions replaced by `-print`
(read-only); `mv`, `cp`, `tee` and `>` report the existing files they would replace. Anything that
needs `$(...)` or input from a pipe to know its targets is reported as "cannot preview".
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import Optional

from pydantic import BaseModel, Field

from nlsh.validator.parse import ParsedCommand, ParseError, Word, parse_command
from nlsh.validator.risk import FIND_EXEC, find_exec_commands, split_args, utility_name, wrapped_command
from nlsh.validator.rules import SH_SHELLS, WRAPPERS

MAX_WALK_ENTRIES = 100_000
MAX_WALK_SECONDS = 2.0
FIND_TIMEOUT_S = 10.0
MAX_FIND_LINES = 1_000_000
MAX_BRACE_WORDS = 1_000
DELETERS = frozenset({"rm", "unlink", "shred", "srm", "wipe", "rmdir"})


class Preview(BaseModel):
    summary: str  # one line per command, e.g. "rm would delete 3 files and 1 directory"
    paths: list[str] = Field(default_factory=list)  # what would be affected, up to `limit`
    total: int = 0  # how many paths would be affected in all
    exact: bool = True  # False when counting stopped early or some targets could not be known


def preview_effects(command: str, cwd: Optional[str] = None, limit: int = 20) -> Optional[Preview]:
    """What `command` would delete or overwrite if run in `cwd`; None when it destroys nothing."""
    cwd = os.path.abspath(cwd or os.getcwd())
    try:
        parsed = parse_command(command)
    except ParseError:
        return None  # unparseable commands are never run
    except Exception:
        return None
    report = _Report(limit=max(0, limit))
    try:
        _preview_parsed(parsed, cwd, report, depth=0)
    except RecursionError:
        report.cannot("the command is nested too deeply")
    except Exception as error:  # the preview is advice: it must never stop the confirmation step
        report.cannot(f"internal error ({type(error).__name__})")
    if not report.lines:
        return None
    return Preview(summary="; ".join(report.lines), paths=report.paths, total=report.total, exact=report.exact)


# --- collecting ---------------------------------------------------------------------------------


@dataclass
class _Report:
    limit: int
    lines: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    total: int = 0
    exact: bool = True

    def add(self, line: str, paths: list[str], total: int, exact: bool = True) -> None:
        self.lines.append(line)
        for p in paths:
            if len(self.paths) >= self.limit:
                break
            if p not in self.paths:
                self.paths.append(p)
        self.total += total
        self.exact = self.exact and exact

    def cannot(self, why: str) -> None:
        self.lines.append(f"cannot preview: {why}")
        self.exact = False


class _CannotPreview(Exception):
    pass


def _preview_parsed(parsed: ParsedCommand, cwd: str, report: _Report, depth: int) -> None:
    for command in parsed.commands:
        if command.words:
            _preview_call(command.words, cwd, report, depth, bulk=command.in_loop)
    for redirect in parsed.redirects:
        if redirect.op in (">", ">|", "&>") or (redirect.op == ">&" and not redirect.duplicates):
            _preview_overwrite(">", [_word_like(redirect.raw_target or redirect.target)], cwd, report)


def _word_like(raw: str) -> Word:
    try:
        words = parse_command("true " + raw).commands[0].words
        if len(words) == 2:
            return words[1]
    except (ParseError, IndexError):
        pass
    return Word(text=raw, raw=raw, start=0, end=len(raw))


def _preview_call(words: list[Word], cwd: str, report: _Report, depth: int, bulk: bool) -> None:
    name = utility_name(words[0].text)
    if depth > 6:
        return
    if name in WRAPPERS:
        inner = wrapped_command(name, WRAPPERS[name], words)
        if inner.start is not None:
            if WRAPPERS[name].bulk:
                inner_name = utility_name(words[inner.start].text)
                if inner_name in DELETERS or inner_name in ("mv", "cp"):
                    report.cannot(f"{name} {inner_name} takes its files from its input")
                return
            _preview_call(words[inner.start:], cwd, report, depth + 1, bulk)
        elif inner.script is not None and not WRAPPERS[name].remote:
            _preview_script(inner.script, cwd, report, depth)
        return
    if name in SH_SHELLS:
        script = _shell_script(words)
        if script is not None:
            _preview_script(script, cwd, report, depth)
        return
    handler = _HANDLERS.get(name)
    if handler is None:
        return
    try:
        handler(words, cwd, report, bulk)
    except _CannotPreview as why:
        report.cannot(f"{name}: {why}")
    except OSError as error:
        report.cannot(f"{name}: {error.strerror or error}")


def _preview_script(script: str, cwd: str, report: _Report, depth: int) -> None:
    try:
        parsed = parse_command(script)
    except ParseError:
        report.cannot("the shell code it runs cannot be parsed")
        return
    _preview_parsed(parsed, cwd, report, depth + 1)


# --- expanding words like the shell ----------------------------------------------------------------


def expand_word(word: Word, cwd: str, globbing: bool = True) -> list[str]:
    """The file names a word becomes: braces, ~, $VAR and globs; raises for $(...) and unknown $VARs."""
    raw = word.raw
    if word.substitution or "$(" in raw or "`" in raw or "<(" in raw:
        raise _CannotPreview(f"{word.raw} needs a command substitution to be run")
    text = word.text
    if raw.startswith("~") and (text == "~" or text.startswith("~/")):
        text = os.path.expanduser("~") + text[1:]
    if "$" in text:
        expanded = os.path.expandvars(text)
        if "$" in expanded:
            variable = re.search(r"\$\{?\w+\}?", expanded)
            raise _CannotPreview(f"its targets depend on {variable.group(0) if variable else 'a variable'}")
        text = expanded
    candidates = _braces(text) if ("{" in raw and "," in raw or ".." in raw) and not word.quoted else [text]
    if not globbing or not word.glob:
        return candidates
    out: list[str] = []
    for candidate in candidates:
        matches = sorted(glob.glob(candidate) if os.path.isabs(candidate) else glob.glob(candidate, root_dir=cwd))
        out.extend(matches or [candidate])  # bash leaves an unmatched pattern as it is
    return out


def _braces(text: str) -> list[str]:
    match = re.search(r"\{([^{}]*)\}", text)
    if not match:
        return [text]
    body = match.group(1)
    if "," in body:
        options = body.split(",")
    else:
        sequence = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", body)
        if not sequence:
            return [text]
        a, b = int(sequence.group(1)), int(sequence.group(2))
        step = 1 if b >= a else -1
        if abs(b - a) > MAX_BRACE_WORDS:
            raise _CannotPreview("the brace expansion is too large")
        options = [str(n) for n in range(a, b + step, step)]
    out: list[str] = []
    for option in options:
        out.extend(_braces(text[: match.start()] + option + text[match.end():]))
        if len(out) > MAX_BRACE_WORDS:
            raise _CannotPreview("the brace expansion is too large")
    return out


def _full(path: str, cwd: str) -> str:
    return path if os.path.isabs(path) else os.path.join(cwd, path)


# --- rm and friends ------------------------------------------------------------------------------


def _preview_rm(words: list[Word], cwd: str, report: _Report, bulk: bool) -> None:
    name = utility_name(words[0].text)
    args = split_args(words[1:])
    recursive = name == "rm" and any(args.has(f) for f in ("-r", "-R", "--recursive"))
    removes_dirs = name == "rmdir" or (name == "rm" and any(args.has(f) for f in ("-d", "--dir")))
    if name == "shred" and not any(args.has(f) for f in ("-u", "--remove")):
        verb = "destroy the contents of"
    else:
        verb = "delete"
    if not args.operands:
        return
    targets: list[str] = []
    for word in args.operands:
        targets.extend(expand_word(word, cwd))
    files = dirs = 0
    listed: list[str] = []
    missing: list[str] = []
    skipped: list[str] = []
    exact = True
    deadline = time.monotonic() + MAX_WALK_SECONDS
    for target in targets:
        full = _full(target, cwd)
        if not os.path.lexists(full):
            missing.append(target)
            continue
        if os.path.isdir(full) and not os.path.islink(full):
            if name == "rmdir" or (removes_dirs and not recursive):
                if os.listdir(full):
                    skipped.append(target)
                    continue
                dirs += 1
                listed.append(target)
                continue
            if not recursive or name != "rm":
                skipped.append(target)
                continue
            counted, entries, complete = _walk(full, target, report.limit - len(listed), deadline)
            files += counted[0]
            dirs += counted[1]
            listed.extend(entries)
            exact = exact and complete
            continue
        files += 1
        listed.append(target)
    summary = f"{name} would {verb} {_count(files, 'file')}"
    if dirs:
        summary += f" and {_count(dirs, 'directory', 'directories')}"
    if not exact:
        summary += " (at least; stopped counting)"
    if missing:
        summary += f"; {_count(len(missing), 'path')} not found: {', '.join(missing[:5])}"
    if skipped:
        summary += f"; directories left alone (no -r): {', '.join(skipped[:5])}"
    report.add(summary, listed, files + dirs, exact)


def _walk(full: str, shown: str, room: int, deadline: float) -> tuple[tuple[int, int], list[str], bool]:
    files, dirs = 0, 1
    listed = [shown.rstrip("/") + "/"] if room > 0 else []
    for root, dirnames, filenames in os.walk(full, followlinks=False):
        rel_root = os.path.relpath(root, full)
        for entry in dirnames:
            link = os.path.islink(os.path.join(root, entry))
            files, dirs = (files + 1, dirs) if link else (files, dirs + 1)
            _list(listed, room, shown, rel_root, entry + ("" if link else "/"))
        for entry in filenames:
            files += 1
            _list(listed, room, shown, rel_root, entry)
        if files + dirs > MAX_WALK_ENTRIES or time.monotonic() > deadline:
            return (files, dirs), listed, False
    return (files, dirs), listed, True


def _list(listed: list[str], room: int, shown: str, rel_root: str, entry: str) -> None:
    if len(listed) < room:
        listed.append(os.path.normpath(os.path.join(shown, rel_root, entry)) + ("/" if entry.endswith("/") else ""))


def _count(n: int, singular: str, plural: Optional[str] = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


# --- find -delete / -exec rm ------------------------------------------------------------------------

_FIND_ACTIONS_WITH_ARGS = {"-fprint": 1, "-fprint0": 1, "-fls": 1, "-fprintf": 2, "-printf": 1}
_FIND_ACTIONS = {"-delete", "-print0", "-ls"}


def _preview_find(words: list[Word], cwd: str, report: _Report, bulk: bool) -> None:
    deletes = any(w.text == "-delete" for w in words[1:])
    for _, inner in find_exec_commands(words):
        inner_name = utility_name(inner[0].text)
        if inner_name in DELETERS or (inner_name in SH_SHELLS and _script_deletes(inner)):
            deletes = True
    if not deletes:
        return
    argv = _find_without_actions(words, cwd)
    executable = shutil.which("find")
    if executable is None:
        raise _CannotPreview("find is not installed")
    matches, total, complete = _run_find([executable] + argv, cwd, report.limit)
    summary = f"find would delete {_count(total, 'path')}"
    if not complete:
        summary += " (at least; stopped counting)"
    report.add(summary, matches, total, complete)


def _shell_script(words: list[Word]) -> str | None:
    """The script of `sh -c SCRIPT` (or -xc, -ec ...): the word after the first short-option cluster
    holding c; a long option (--rcfile) is none."""
    for i, word in enumerate(words[1:-1], start=1):
        if word.text.startswith("-") and not word.text.startswith("--") and "c" in word.text[1:]:
            return words[i + 1].text
    return None


def _script_deletes(inner: list[Word]) -> bool:
    script = _shell_script(inner)
    if script is None:
        return False
    try:
        parsed = parse_command(script)
    except ParseError:
        return True  # unknown code run on every match: assume the worst
    return any(c.words and utility_name(c.words[0].text) in DELETERS for c in parsed.commands)


def _find_without_actions(words: list[Word], cwd: str) -> list[str]:
    """The same find with every action (-delete, -exec ..., -fprint FILE) replaced by -print."""
    argv: list[str] = []
    i = 1
    while i < len(words):
        text = words[i].text
        if text in FIND_EXEC:
            j = i + 1
            while j < len(words) and words[j].text not in (";", "+"):
                j += 1
            argv.append("-print")
            i = j + 1
            continue
        if text in _FIND_ACTIONS_WITH_ARGS:
            argv.append("-print")
            i += 1 + _FIND_ACTIONS_WITH_ARGS[text]
            continue
        if text in _FIND_ACTIONS:
            argv.append("-print")
            i += 1
            continue
        argv.extend(expand_word(words[i], cwd))
        i += 1
    if any(a in FIND_EXEC or a in _FIND_ACTIONS or a in _FIND_ACTIONS_WITH_ARGS for a in argv):
        raise _CannotPreview("its actions could not all be removed")
    return argv


def _run_find(argv: list[str], cwd: str, limit: int) -> tuple[list[str], int, bool]:
    env = dict(os.environ, LC_ALL="C")
    try:
        process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    except OSError as error:
        raise _CannotPreview(f"find could not start ({error.strerror})") from None
    matches: list[str] = []
    total, complete = 0, True
    deadline = time.monotonic() + FIND_TIMEOUT_S
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            total += 1
            if len(matches) < limit:
                matches.append(raw.rstrip(b"\n").decode("utf-8", "replace"))
            if total >= MAX_FIND_LINES or time.monotonic() > deadline:
                complete = False
                break
    finally:
        if complete:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                complete = False
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    return matches, total, complete


# --- overwriting: mv, cp, tee, >, dd ------------------------------------------------------------------


def _preview_move_or_copy(words: list[Word], cwd: str, report: _Report, bulk: bool) -> None:
    name = utility_name(words[0].text)
    args = split_args(words[1:], ("-t", "--target-directory", "-S", "--suffix"))
    if any(args.has(f) for f in ("-n", "--no-clobber")):
        return
    operands: list[str] = []
    for word in args.operands:
        operands.extend(expand_word(word, cwd))
    target_dir = next((v for opt, v in args.values if opt in ("-t", "--target-directory")), None)
    if target_dir is None:
        if len(operands) < 2:
            return
        dest, sources = operands[-1], operands[:-1]
    else:
        dest, sources = target_dir, operands
    recursive = name == "cp" and any(args.has(f) for f in ("-r", "-R", "--recursive", "-a", "--archive"))
    no_target_dir = args.has("-T") or args.has("--no-target-directory")
    into_dir = os.path.isdir(_full(dest, cwd)) and not no_target_dir
    replaced: list[str] = []
    for source in sources:
        full_source = _full(source, cwd)
        if not os.path.lexists(full_source):
            continue
        target = os.path.join(dest, os.path.basename(source.rstrip("/"))) if into_dir else dest
        full_target = _full(target, cwd)
        if recursive and os.path.isdir(full_source) and not os.path.islink(full_source):
            replaced.extend(_overlapping_files(full_source, target, cwd))
        elif os.path.lexists(full_target) and not (os.path.isdir(full_target) and not os.path.islink(full_target)):
            replaced.append(target)
    if replaced:
        report.add(f"{name} would overwrite {_count(len(replaced), 'existing file')}", replaced, len(replaced))


def _overlapping_files(source_dir: str, target: str, cwd: str) -> list[str]:
    out = []
    for root, _, filenames in os.walk(source_dir):
        rel = os.path.relpath(root, source_dir)
        for filename in filenames:
            candidate = os.path.normpath(os.path.join(target, rel, filename))
            if os.path.lexists(_full(candidate, cwd)):
                out.append(candidate)
            if len(out) >= MAX_WALK_ENTRIES:
                return out
    return out


def _preview_overwrite(verb: str, words: list[Word], cwd: str, report: _Report) -> None:
    replaced = []
    for word in words:
        try:
            paths = expand_word(word, cwd, globbing=False)
        except _CannotPreview as why:
            report.cannot(f"{verb}: {why}")
            continue
        for path in paths:
            full = _full(path, cwd)
            if path.startswith("/dev/") or not os.path.isfile(full):
                continue
            replaced.append(path)
    for path in replaced:
        size = _size(_full(path, cwd))
        report.add(f"{verb} would overwrite {path} ({size})", [path], 1)


def _size(path: str) -> str:
    try:
        n = float(os.path.getsize(path))
    except OSError:
        return "unknown size"
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{int(n)} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def _preview_tee(words: list[Word], cwd: str, report: _Report, bulk: bool) -> None:
    args = split_args(words[1:])
    if args.has("-a") or args.has("--append"):
        return
    _preview_overwrite("tee", args.operands, cwd, report)


def _preview_dd(words: list[Word], cwd: str, report: _Report, bulk: bool) -> None:
    for word in words[1:]:
        if word.text.startswith("of="):
            target = word.model_copy(update={"text": word.text[3:], "raw": word.raw[3:] if word.raw.startswith("of=") else word.raw})
            _preview_overwrite("dd", [target], cwd, report)


_HANDLERS = {
    "rm": _preview_rm, "unlink": _preview_rm, "shred": _preview_rm, "srm": _preview_rm, "wipe": _preview_rm,
    "rmdir": _preview_rm, "find": _preview_find, "mv": _preview_move_or_copy, "cp": _preview_move_or_copy,
    "tee": _preview_tee, "dd": _preview_dd,
}
