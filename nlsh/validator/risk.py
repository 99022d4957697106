"""Rate a parsed command line by applying the rules in rules.py to every command it would run.

Each simple command is followed through its wrappers (sudo, env, xargs, find -exec, sh -c, ...)
to the utilities that actually run; the line is as risky as the worst of them, its redirections,
and the ways commands are wired together (network output piped into a shell, fork bombs).
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import Optional

from nlsh.schema import Risk
from nlsh.validator.inline_code import read_inline_code
from nlsh.validator.parse import ParsedCommand, ParseError, SimpleCommand, Word, parse_command
from nlsh.machine.resolve import resolve_executable
from nlsh.validator.rules import (
    CRITICAL_PATHS,
    DISK_DEVICE,
    FETCHERS,
    HARMLESS_TARGETS,
    INTERPRETERS,
    SAFE_INTERPRETER_USES,
    UNKNOWN,
    UTILITIES,
    WRAPPERS,
    Interpreter,
    Rule,
    Utility,
    Wrapper,
)

MAX_DEPTH = 6  # sh -c "sh -c '...'" nesting we follow before giving up
_CRITICAL = [(re.compile(pattern), reason) for pattern, reason in CRITICAL_PATHS]


@dataclass(frozen=True)
class Finding:
    risk: Risk
    reason: str


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, risk: Risk, reason: str) -> None:
        self.findings.append(Finding(risk, reason))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def merge(self, other: "Analysis") -> None:
        self.findings.extend(other.findings)
        for w in other.warnings:
            self.warn(w)

    @property
    def risk(self) -> Risk:
        return Risk.worst(f.risk for f in self.findings)

    @property
    def reasons(self) -> list[str]:
        out: list[str] = []
        for f in sorted(self.findings, key=lambda f: -f.risk.rank):
            if f.risk is not Risk.safe and f.reason and f.reason not in out:
                out.append(f.reason)
        return out


@dataclass(frozen=True)
class Context:
    path: Optional[str]
    functions: frozenset[str] = frozenset()
    depth: int = 0
    remote: bool = False  # runs on another machine (ssh): no PATH lookups here


@dataclass
class Roles:
    """What one simple command does that matters for how it is wired to the others."""

    fetches: bool = False  # prints network content (curl, wget)
    runs_stdin: Optional[str] = None  # executes code read from stdin: "a shell", "python"
    code_words: set[int] = field(default_factory=set)  # indexes of words it runs as code


@dataclass
class Args:
    """A utility's words split into options and operands, the way getopt would."""

    shorts: set[str] = field(default_factory=set)  # "-r" for each letter of "-rf"
    longs: set[str] = field(default_factory=set)  # "--recursive", or "-delete" for find
    values: list[tuple[str, str]] = field(default_factory=list)  # (option, its value)
    operands: list[Word] = field(default_factory=list)
    operand_indexes: list[int] = field(default_factory=list)

    def has(self, flag: str) -> bool:
        return flag in self.shorts or flag in self.longs


def split_args(words: list[Word], value_opts: tuple[str, ...] = (), single_dash_long: bool = False) -> Args:
    args = Args()
    i, options_done = 0, False
    while i < len(words):
        text = words[i].text
        if options_done or not text.startswith("-") or text == "-":
            args.operands.append(words[i])
            args.operand_indexes.append(i)
        elif text == "--":
            options_done = True
        elif text.startswith("--") or single_dash_long:
            name, eq, value = text.partition("=")
            args.longs.add(name)
            if eq:
                args.values.append((name, value))
            elif name in value_opts and i + 1 < len(words):
                args.values.append((name, words[i + 1].text))
                i += 1
        else:
            args.longs.add(text)  # so `-O-` and `-Ss` can be matched whole as well
            for j, letter in enumerate(text[1:]):
                flag = "-" + letter
                args.shorts.add(flag)
                if flag in value_opts:
                    rest = text[2 + j :]
                    if rest:
                        args.values.append((flag, rest))
                    elif i + 1 < len(words):
                        args.values.append((flag, words[i + 1].text))
                        i += 1
                    break
        i += 1
    return args


def utility_name(word: str) -> str:
    """`/usr/bin/python3.11` -> `python`, `mkfs.ext4` -> `mkfs`: the name the rules know it by."""
    base = word.rsplit("/", 1)[-1] if word not in (".", "/") else word
    if base in UTILITIES or base in WRAPPERS or base in INTERPRETERS:
        return base
    match = re.match(r"^(python|pip|perl|ruby|node|php|lua|pypy)[\d.]*$", base)
    if match:
        return match.group(1)
    stem = base.split(".", 1)[0]
    if stem and (stem in UTILITIES or stem in INTERPRETERS):
        return stem
    return base


# --- whole command lines ---------------------------------------------------------------------------


def analyse(parsed: ParsedCommand, ctx: Context) -> Analysis:
    ctx = Context(ctx.path, ctx.functions | {f.name for f in parsed.functions}, ctx.depth, ctx.remote)
    result = Analysis()
    roles: list[Roles] = []
    for command in parsed.commands:
        r = Roles()
        roles.append(r)
        if command.words:
            _assess_call(command.words, 0, ctx, result, r, bulk=command.in_loop)
    for redirect in parsed.redirects:
        _assess_redirect(redirect.op, redirect.target, redirect.raw_target, result)
    _check_pipelines(parsed, roles, result)
    _check_substitutions(parsed, roles, result)
    _check_fork_bombs(parsed, result)
    if not result.findings:
        result.add(Risk.safe, "")
    return result


def analyse_string(text: str, ctx: Context) -> Analysis:
    """A shell string run by `sh -c`, `eval`, `watch`, `ssh host ...`: parse it and rate it too."""
    result = Analysis()
    if text.strip() in ("", "-"):  # `trap - EXIT` resets, `trap '' INT` ignores
        result.add(Risk.safe, "")
        return result
    if ctx.depth >= MAX_DEPTH:
        result.add(Risk.dangerous, "runs shell code nested too deeply to analyse")
        return result
    try:
        parsed = parse_command(text)
    except ParseError:
        if text.strip():
            result.add(Risk.dangerous, "runs shell code that cannot be analysed")
        return result
    return analyse(parsed, Context(ctx.path, ctx.functions, ctx.depth + 1, ctx.remote))


def _check_pipelines(parsed: ParsedCommand, roles: list[Roles], out: Analysis) -> None:
    for stages in parsed.pipelines:
        fetched = False
        for stage in stages:
            runners = [roles[i].runs_stdin for i in stage if roles[i].runs_stdin]
            if fetched and runners:
                out.add(Risk.dangerous, f"pipes network content into {runners[0]}")
                return
            fetched = fetched or any(roles[i].fetches for i in stage)


def _check_substitutions(parsed: ParsedCommand, roles: list[Roles], out: Analysis) -> None:
    """`bash <(curl ...)`, `sh -c "$(wget -O- ...)"`, `eval "$(curl ...)"`."""
    for command, role in zip(parsed.commands, roles, strict=True):
        if not role.fetches:
            continue
        child: SimpleCommand = command
        while child.parent is not None:
            if child.parent_word in roles[child.parent].code_words:
                out.add(Risk.dangerous, "runs network content as code")
                return
            child = parsed.commands[child.parent]


def _check_fork_bombs(parsed: ParsedCommand, out: Analysis) -> None:
    for function in parsed.functions:
        for index in function.commands:
            command = parsed.commands[index]
            if not command.words or command.words[0].text != function.name:
                continue
            in_pipe = len(parsed.pipelines[command.pipeline]) > 1
            if in_pipe or command.background:
                out.add(Risk.dangerous, "fork bomb: a function that keeps starting copies of itself")
                return


def _assess_redirect(op: str, target: str, raw: str, out: Analysis) -> None:
    if op in ("<", "<<", "<<<", "<&") or (op in (">&",) and (target.isdigit() or target == "-")):
        return
    if HARMLESS_TARGETS.match(target):
        return
    name = _short(raw or target)
    if DISK_DEVICE.match(target):
        out.add(Risk.dangerous, "writes directly to a disk device")
        return
    for pattern, reason in _CRITICAL:
        if pattern.match(target):
            out.add(Risk.dangerous, f"writes to {name}: {reason}")
            return
    if op == ">>":
        out.add(Risk.caution, f"appends to {name}")
    elif op == "<>":
        out.add(Risk.caution, f"opens {name} for writing")
    else:
        out.add(Risk.caution, f"overwrites {name}")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- one call, through its wrappers -----------------------------------------------------------------


def _assess_call(words: list[Word], offset: int, ctx: Context, out: Analysis, roles: Roles, bulk: bool) -> None:
    """Rate `words` (utility first), which sit at `offset` in their simple command."""
    head = words[0]
    name = utility_name(head.text)
    _resolve(head, ctx, out)
    if head.expands:
        if head.substitution:
            roles.code_words.add(offset)  # `$(curl ...)` runs whatever the substitution prints
        out.add(Risk.caution, f"runs a command chosen at run time ({_short(head.raw)})")
        return
    if name in ctx.functions:
        return  # its body is rated where it is defined
    if name in WRAPPERS:
        _assess_wrapper(name, WRAPPERS[name], words, offset, ctx, out, roles, bulk)
        return
    if name in FETCHERS:
        roles.fetches = True
    if name in INTERPRETERS:
        _assess_interpreter(name, words, offset, ctx, out, roles)
        return
    if name == "find":
        _assess_find_actions(words, offset, ctx, out, roles)
    _assess_utility(name, words, out, bulk)


def _resolve(head: Word, ctx: Context, out: Analysis) -> None:
    if ctx.remote:
        return
    resolution = resolve_executable(head.text, ctx.path, ctx.functions, head.raw)
    if resolution.kind == "unknown":
        out.warn(f"unknown command: {_short(head.text, 120)}")
    elif resolution.kind == "computed":
        out.warn(f"command name is only known at run time: {_short(head.raw, 120)}")


def _assess_utility(name: str, words: list[Word], out: Analysis, bulk: bool) -> None:
    utility = UTILITIES.get(name)
    if utility is None:
        out.add(Risk.caution, f"unrecognised command: {_short(name)}")
        utility = UNKNOWN
    args = split_args(words[1:], utility.value_opts, utility.single_dash_long)
    if not args.operands and args.longs and args.longs <= {"--help", "--version"}:
        out.add(Risk.safe, "")  # `mkdir --help` only prints
        return
    rule = _first_matching(utility, args, words, bulk)
    risk, reason = (rule.risk, rule.reason) if rule else (utility.risk, utility.reason)
    if utility is not UNKNOWN:
        out.add(risk, reason)
    if risk is not Risk.safe:
        _check_targets(utility, args, out)


def _first_matching(utility: Utility, args: Args, words: list[Word], bulk: bool) -> Optional[Rule]:
    for rule in utility.rules:
        if _matches(rule, args, words, bulk):
            return rule
    return None


def _matches(rule: Rule, args: Args, words: list[Word], bulk: bool) -> bool:
    operands = [w.text for w in args.operands]
    if rule.flags and not any(args.has(f) for f in rule.flags):
        return False
    if rule.sub and not (operands and any(_fn(operands[0], p) for p in rule.sub)):
        return False
    if rule.args and not any(_fn(o, p) for o in operands for p in rule.args):
        return False
    if rule.words and not any(_fn(w.text, p) for w in words[1:] for p in rule.words):
        return False
    if rule.values and not any(v in rule.values for v in args.values):
        return False
    if rule.last and not (len(words) > 1 and any(_fn(words[-1].text, p) for p in rule.last)):
        return False
    if rule.glob and not any(w.glob for w in args.operands):
        return False
    if rule.bulk and not bulk:
        return False
    if rule.max_operands is not None and len(operands) > rule.max_operands:
        return False
    return True


def _fn(text: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(text, pattern)


def _check_targets(utility: Utility, args: Args, out: Analysis) -> None:
    """A state-changing command aimed at /, ~, /etc, /boot or a disk is dangerous whatever it is."""
    if utility.targets == "none":
        return
    targets = [w.text for w in args.operands]
    targets += [v for opt, v in args.values if opt in ("-t", "--target-directory")]
    if utility.targets == "last":
        explicit = [v for opt, v in args.values if opt in ("-t", "--target-directory")]
        targets = explicit or targets[-1:]
    for target in targets:
        normal = _normalise(target)
        for pattern, reason in _CRITICAL:
            if pattern.match(normal):
                out.add(Risk.dangerous, reason)
                break


def _normalise(path: str) -> str:
    if path.startswith("/"):
        collapsed = os.path.normpath(path)
        return "/" if collapsed == "//" else collapsed + ("/" if path.endswith("/") and collapsed != "/" else "")
    return path


# --- wrappers, interpreters, find -exec -----------------------------------------------------------


def _assess_wrapper(name: str, spec: Wrapper, words: list[Word], offset: int, ctx: Context, out: Analysis,
                    roles: Roles, bulk: bool) -> None:
    if spec.own:
        out.add(*spec.own)
    inner = wrapped_command(name, spec, words)
    if inner.lookup:
        out.add(Risk.safe, "")
        return
    inner_ctx = Context(ctx.path, ctx.functions, ctx.depth, ctx.remote or spec.remote)
    if inner.script is not None:
        roles.code_words.add(offset + inner.script_index)
        nested = analyse_string(inner.script, Context(inner_ctx.path, inner_ctx.functions, ctx.depth, inner_ctx.remote))
        out.merge(nested)
        return
    if inner.start is None:
        out.add(*spec.bare)
        return
    if ctx.depth >= MAX_DEPTH * 4:
        out.add(Risk.dangerous, "wrappers nested too deeply to analyse")
        return
    deeper = Context(inner_ctx.path, inner_ctx.functions, ctx.depth + 1, inner_ctx.remote)
    _assess_call(words[inner.start :], offset + inner.start, deeper, out, roles, bulk or spec.bulk)


@dataclass
class Wrapped:
    start: Optional[int] = None  # index in words where the wrapped command starts
    script: Optional[str] = None  # or the shell string it runs
    script_index: int = 0
    lookup: bool = False  # only looks the command up (command -v, sudo -l)


def _script_of(words: list[Word], i: int, inline: str | None) -> Wrapped:
    """The script the option at words[i] gives: written into it (--command=X, -cX) or the next word."""
    if inline is not None:
        return Wrapped(script=inline, script_index=i)
    return Wrapped(script=words[i + 1].text, script_index=i + 1) if i + 1 < len(words) else Wrapped()


def wrapped_command(name: str, spec: Wrapper, words: list[Word]) -> Wrapped:
    """Find the command a wrapper runs: skip its options, their values and its positionals."""
    i, positionals = 1, spec.positionals
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text.startswith("--"):
            option, eq, value = text.partition("=")
            if option in spec.lookup_flags:
                return Wrapped(lookup=True)
            if option in spec.script_opts:
                return _script_of(words, i, value if eq else None)
            i += 2 if option in spec.value_opts and not eq else 1
            continue
        if text.startswith("-") and text != "-":
            # short options, maybe clustered: -iu bob, -uroot, -lc 'cmd'
            if text in spec.lookup_flags:
                return Wrapped(lookup=True)
            takes_next = False
            for j, letter in enumerate(text[1:]):
                flag, rest = "-" + letter, text[2 + j :]
                if flag in spec.lookup_flags:
                    return Wrapped(lookup=True)
                if flag in spec.script_opts:
                    return _script_of(words, i, rest or None)
                if flag in spec.value_opts:
                    takes_next = not rest
                    break
            i += 2 if takes_next else 1
            continue
        if spec.skip_assignments and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", text):
            i += 1
            continue
        if positionals > 0:
            positionals -= 1
            i += 1
            continue
        break
    if i >= len(words):
        return Wrapped()
    if spec.script_first:
        return Wrapped(script=words[i].text, script_index=i)
    if spec.script:
        # `watch "ls | wc"` and `ssh host ls '|' wc` both hand `sh -c` their words joined by spaces
        return Wrapped(script=" ".join(w.text for w in words[i:]), script_index=i)
    return Wrapped(start=i)


def _assess_interpreter(name: str, words: list[Word], offset: int, ctx: Context, out: Analysis,
                        roles: Roles) -> None:
    spec = INTERPRETERS[name]
    argv = [w.text for w in words[1:]]
    for safe_use in SAFE_INTERPRETER_USES.get(name, ()):
        if tuple(argv[: len(safe_use)]) == safe_use:
            out.add(Risk.safe, "")
            return
    code_index = None
    i = 1
    stdin = module = False
    while i < len(words):
        text = words[i].text
        if text == "--" or not text.startswith("-") or text == "-":
            break
        flags, takes_next = _interpreter_flags(spec, text)
        code = [flag for flag in flags if flag in spec.code_opts]
        if code:
            code_index = i + 1
            module = code[0] in spec.module_opts
            break
        stdin = stdin or any(flag in spec.stdin_opts for flag in flags)
        i += 2 if takes_next else 1
    if code_index is not None:
        if code_index >= len(words):
            out.add(Risk.caution, spec.reason)
            return
        roles.code_words.add(offset + code_index)
        if spec.shell:
            out.merge(analyse_string(words[code_index].text, ctx))
        else:
            out.add(Risk.caution, spec.reason)
            if spec.language and not module:
                _assess_inline_code(spec.language, words[code_index].text, ctx, out)
        return
    operands = [j for j in range(i, len(words)) if words[j].text != "--"]
    if stdin or not operands or words[operands[0]].text == "-":
        roles.runs_stdin = "a shell" if spec.shell or name in ("source", ".") else name
        if name in ("source", "."):
            out.add(Risk.caution, spec.reason)
            return
        out.add(Risk.caution, "starts a shell" if spec.shell else spec.reason)
        return
    roles.code_words.add(offset + operands[0])
    out.add(Risk.caution, spec.reason)


def _interpreter_flags(spec: Interpreter, text: str) -> tuple[list[str], bool]:
    """The options one word gives (`-ne` is -n and -e; `-MLWP::Simple` only -M), and whether the
    last of them takes the next word as its value."""
    if text.startswith("--"):
        name = text.partition("=")[0]
        return [name], name in spec.value_opts and "=" not in text
    flags: list[str] = []
    for j, letter in enumerate(text[1:]):
        flag = "-" + letter
        flags.append(flag)
        if flag in spec.code_opts:
            break
        if flag in spec.value_opts or flag in spec.attached_opts:
            return flags, flag in spec.value_opts and j == len(text) - 2
    return flags, False


def _assess_inline_code(language: str, code: str, ctx: Context, out: Analysis) -> None:
    """`python -c 'shutil.rmtree("/srv")'` is as risky as `rm -r /srv`: rate what the code does."""
    found = read_inline_code(language, code)
    for command in found.commands:
        out.merge(analyse_string(command, ctx))
    # the equivalents name programs only as a way of saying what a call does: look none up
    equivalent_ctx = Context(ctx.path, ctx.functions, ctx.depth, remote=True)
    for command in found.equivalents:
        out.merge(analyse_string(command, equivalent_ctx))
    if found.builds_commands:
        out.add(Risk.caution, "runs a command chosen at run time")
    if found.runs_network_code:
        out.add(Risk.dangerous, "runs network content as code")


FIND_EXEC = ("-exec", "-execdir", "-ok", "-okdir")  # the find actions that run a command


def find_exec_commands(words: list[Word]) -> list[tuple[int, list[Word]]]:
    """The commands `find ... -exec CMD ... ;` runs: (index of CMD in words, CMD's words)."""
    found = []
    i = 1
    while i < len(words):
        if words[i].text in FIND_EXEC:
            start = i + 1
            j = start
            while j < len(words) and words[j].text not in (";", "+"):
                j += 1
            if start < j:
                found.append((start, words[start:j]))
            i = j + 1
            continue
        i += 1
    return found


def _assess_find_actions(words: list[Word], offset: int, ctx: Context, out: Analysis, roles: Roles) -> None:
    deeper = Context(ctx.path, ctx.functions, ctx.depth + 1, ctx.remote)
    for start, inner in find_exec_commands(words):
        if ctx.depth >= MAX_DEPTH * 4:
            out.add(Risk.dangerous, "commands nested too deeply to analyse")
            return
        _assess_call(inner, offset + start, deeper, out, roles, bulk=True)
