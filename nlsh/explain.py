"""Explain a command line one utility and one flag at a time, from documentation on this machine.

Descriptions come from the man page (`man`, rendered as plain text), else the builtin's `help`,
else `CMD --help` (only for well-known executables in system directories, with a short timeout),
and the user's own tldr client cache where there is one. No model and no network: what it says
is what the installed programs document about themselves, so it is right for this OS's flags.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, Field

from nlsh.schema import Risk
from nlsh.validator.parse import ParsedCommand, ParseError, SimpleCommand, Word, parse_command
from nlsh.validator.resolve import BUILTINS, KEYWORDS, resolve_executable
from nlsh.validator.risk import find_exec_commands, utility_name, wrapped_command
from nlsh.validator.rules import INTERPRETERS, UTILITIES, WRAPPERS

Kind = Literal["utility", "subcommand", "flag", "argument", "operator", "keyword"]
Source = Literal["man", "help", "builtin", "tldr", "shell", ""]

HELP_TIMEOUT_S = 2.0
MAN_TIMEOUT_S = 5.0
WIDTH = "100"
MAX_DOC_CHARS = 400_000
SYSTEM_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
               "/opt/homebrew/bin", "/opt/local/bin", "/usr/games")


class ExplainPart(BaseModel):
    word: str  # as it appears (a flag with its value: "-type f", "--size=+100M")
    kind: Kind
    text: str = ""  # one line of description; empty when nothing on this machine documents it
    source: Source = ""
    depth: int = 0  # nesting: inside $(...), sh -c '...', find -exec
    cluster: str = ""  # on a cluster's first flag, the cluster as written (`-la` on `-l`)


class Explanation(BaseModel):
    command: str
    parts: list[ExplainPart] = Field(default_factory=list)
    error: Optional[str] = None  # why the line could not be broken down


def explain_command(command: str, path: Optional[str] = None) -> Explanation:
    """Break `command` into utilities, flags and operators, each with a one-line description."""
    try:
        parsed = parse_command(command)
    except ParseError as error:
        return Explanation(command=command, error=str(error))
    except Exception as error:  # keep Explain usable whatever the parser does
        return Explanation(command=command, error=f"cannot parse ({type(error).__name__})")
    try:
        parts = _explain_parsed(parsed, path, depth=0, base=0)
    except RecursionError:
        return Explanation(command=command, error="the command is nested too deeply to explain")
    return Explanation(command=command, parts=[p for _, p in sorted(parts, key=lambda item: item[0])])


def render_explanation(explanation: Explanation) -> str:
    """Lines like `find  - search for files ...` / `  -type f  - File is of type c: f regular file`."""
    if explanation.error:
        return f"cannot explain: {explanation.error}"
    shown = [p for p in explanation.parts if p.kind != "argument" or p.text]
    if not shown:
        return "nothing to explain"
    lines = []
    width = max(len(_label(p)) for p in shown)
    for part in shown:
        text = part.text or "(no description found on this machine)"
        lines.append(f"{_label(part).ljust(width)}  - {text}")
    return "\n".join(line.rstrip() for line in lines)


def _label(part: ExplainPart) -> str:
    indent = "  " * part.depth + ("  " if part.kind in ("flag", "argument", "subcommand") else "")
    return indent + part.word


# --- walking the command line ---------------------------------------------------------------------

_OPERATORS = {
    "|": "pipe: the output of the command on the left is the input of the one on the right",
    "|&": "pipe both output and errors into the next command",
    "&&": "run the next command only if this one succeeds",
    "||": "run the next command only if this one fails",
    ";": "then run the next command",
    "&": "run the command before it in the background",
    "!": "negate the exit status",
}
_KEYWORDS = {
    "for": "loop over a list of words", "in": "the list to loop over", "do": "start of the loop body",
    "done": "end of the loop", "while": "loop while a command succeeds", "until": "loop until a command succeeds",
    "if": "run commands if a condition holds", "then": "commands run when the condition holds",
    "elif": "otherwise, test another condition", "else": "commands run otherwise", "fi": "end of the if",
    ";": "end of the list", "{": "group commands in the current shell", "}": "end of the group", "(": "run commands in a subshell",
    ")": "end of the subshell",
}
_REDIRECTS = {
    ">": "write output to {t}, replacing its contents", ">|": "write output to {t}, replacing its contents",
    ">>": "append output to {t}", "<": "read input from {t}", "&>": "write output and errors to {t}",
    "<<<": "use the text {t} as input", "<<": "use the lines up to {t} as input", "<>": "open {t} for reading and writing",
}
_FD_NAMES = {0: "input", 1: "output", 2: "errors"}


def _explain_parsed(parsed: ParsedCommand, path: Optional[str], depth: int, base: int) -> list[tuple[tuple, ExplainPart]]:
    out: list[tuple[tuple, ExplainPart]] = []
    functions = frozenset(f.name for f in parsed.functions)
    for operator in parsed.operators:
        if operator.kind == "operator" and operator.op in _OPERATORS:
            out.append(((base + operator.start, 0), ExplainPart(word=operator.op, kind="operator",
                                                                text=_OPERATORS[operator.op], source="shell", depth=depth)))
        elif operator.kind == "keyword":
            word = operator.op
            text = _KEYWORDS.get(word) or (f"define the function {word[:-2]}" if word.endswith("()") else "")
            out.append(((base + operator.start, 0), ExplainPart(word=word, kind="keyword", text=text, source="shell", depth=depth)))
    for redirect in parsed.redirects:
        out.append(((base + redirect.start, 0), ExplainPart(word=parsed.source[redirect.start:redirect.end].strip(),
                                                            kind="operator", text=_redirect_text(redirect), source="shell",
                                                            depth=depth)))
    for command in parsed.commands:
        level = depth + _nesting(parsed, command)
        for order, part in enumerate(_explain_simple(command, path, functions, level)):
            out.append(((base + command.start, 1 + order), part))
    return out


def _nesting(parsed: ParsedCommand, command: SimpleCommand) -> int:
    level, seen = 0, set()
    while command.parent is not None and command.parent not in seen:
        seen.add(command.parent)
        command = parsed.commands[command.parent]
        level += 1
    return level


def _redirect_text(redirect) -> str:
    if redirect.op in (">&", "<&") and (redirect.target.isdigit() or redirect.target == "-"):
        source = _FD_NAMES.get(redirect.fd if redirect.fd is not None else (1 if redirect.op == ">&" else 0), f"descriptor {redirect.fd}")
        if redirect.target == "-":
            return f"close {source}"
        return f"send {source} to where {_FD_NAMES.get(int(redirect.target), 'descriptor ' + redirect.target)} goes"
    template = _REDIRECTS.get(redirect.op, "redirect to {t}")
    text = template.format(t=redirect.target)
    if redirect.fd == 2 and redirect.op in (">", ">>"):
        text = text.replace("output", "errors")
    return text


def _explain_simple(command: SimpleCommand, path: Optional[str], functions: frozenset[str], depth: int) -> list[ExplainPart]:
    parts = [ExplainPart(word=a, kind="argument", text=f"set {a.split('=', 1)[0]} for this command", source="shell", depth=depth)
             for a in command.assignments]
    if command.words:
        parts += _explain_call(command.words, path, functions, depth, 0)
    return parts


def _explain_call(words: list[Word], path: Optional[str], functions: frozenset[str], depth: int, hops: int) -> list[ExplainPart]:
    head = words[0]
    name = utility_name(head.text)
    if head.expands:
        return [ExplainPart(word=head.raw, kind="utility", text="a command chosen at run time", source="shell", depth=depth)]
    if head.text in functions:
        return [ExplainPart(word=head.text, kind="utility", text="a function defined in this command line", source="shell", depth=depth)]
    doc = documentation(head.text, path)
    parts = [ExplainPart(word=head.text, kind="utility", text=doc.summary, source=doc.source, depth=depth)]
    rest = words[1:]
    if hops < 8 and name in WRAPPERS:
        inner = wrapped_command(name, WRAPPERS[name], words)
        stop = inner.start if inner.start is not None else (inner.script_index if inner.script is not None else len(words))
        parts += _explain_args(words[1:stop], doc, depth)
        if inner.start is not None:
            parts += _explain_call(words[inner.start:], path, functions, depth + 1, hops + 1)
        elif inner.script is not None:
            parts += _explain_script(inner.script, path, depth + 1)
        return parts
    if name in INTERPRETERS and INTERPRETERS[name].shell:
        code = _shell_code_index(words)
        if code is not None:
            parts += _explain_args(words[1:code], doc, depth)
            parts += _explain_script(words[code].text, path, depth + 1)
            parts += _explain_args(words[code + 1:], doc, depth)
            return parts
    if name == "find" and hops < 8:
        cursor = 1
        for start, inner_words in find_exec_commands(words):
            parts += _explain_args(words[cursor:start], doc, depth)
            parts += _explain_call(inner_words, path, functions, depth + 1, hops + 1)
            cursor = start + len(inner_words) + 1  # skip the ; or +
        rest = words[cursor:]
    if name == "tar" and rest and re.fullmatch(r"[A-Za-z]+", rest[0].text):
        # old-style bundled letters: `tar xzf a.tgz` is `tar -xzf a.tgz`
        rest = [rest[0].model_copy(update={"text": "-" + rest[0].text})] + rest[1:]
    sub = _subcommand(name, rest)
    if sub is not None:
        sub_doc = subcommand_documentation(head.text, sub.text, path)
        text = sub_doc.summary or doc.entry_for_word(sub.text)
        parts.append(ExplainPart(word=sub.text, kind="subcommand", text=text, source=(sub_doc.source or doc.source) if text else "",
                                 depth=depth))
        index = rest.index(sub)
        parts += _explain_args(rest[:index], doc, depth)
        parts += _explain_args(rest[index + 1:], sub_doc if sub_doc.text else doc, depth)
        return parts
    parts += _explain_args(rest, doc, depth)
    return parts


def _shell_code_index(words: list[Word]) -> Optional[int]:
    for i, word in enumerate(words[1:], start=1):
        text = word.text
        if not text.startswith("-") or text == "--":
            return None
        if not text.startswith("--") and "c" in text[1:]:
            return i + 1 if i + 1 < len(words) else None
    return None


def _explain_script(script: str, path: Optional[str], depth: int) -> list[ExplainPart]:
    if depth > 8:
        return []
    try:
        parsed = parse_command(script)
    except ParseError as error:
        return [ExplainPart(word=script, kind="argument", text=f"shell code ({error})", source="shell", depth=depth)]
    return [p for _, p in sorted(_explain_parsed(parsed, path, depth, 0), key=lambda item: item[0])]


def _subcommand(name: str, words: list[Word]) -> Optional[Word]:
    if name not in _SUBCOMMAND_UTILITIES:
        return None
    value_opts = UTILITIES[name].value_opts
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.text.startswith("-"):
            skip = word.text in value_opts
            continue
        return word
    return None


def _has_subcommands(utility) -> bool:
    return any(any(re.fullmatch(r"[a-z][a-z-]{2,}", s) for s in rule.sub) for rule in utility.rules)


# Utilities the validator already knows to take subcommands (git, apt, systemctl, docker, ...).
_SUBCOMMAND_UTILITIES = frozenset(name for name, utility in UTILITIES.items() if _has_subcommands(utility))


def _explain_args(words: list[Word], doc: "Doc", depth: int) -> list[ExplainPart]:
    parts: list[ExplainPart] = []
    i = 0
    options_done = False
    while i < len(words):
        text = words[i].text
        if options_done or not text.startswith("-") or text == "-" or len(text) < 2:
            if not doc.single_dash_long or text not in ("(", ")", "!", ",", ";", "+"):
                parts.append(ExplainPart(word=text, kind="argument", depth=depth))
            i += 1
            continue
        if text == "--":
            options_done = True
            parts.append(ExplainPart(word="--", kind="flag", text="end of options: what follows are arguments",
                                     source="shell", depth=depth))
            i += 1
            continue
        if text.startswith("--") or doc.has_entry(text.split("=", 1)[0]) or doc.single_dash_long:
            name, eq, value = text.partition("=")
            word = text
            if doc.takes_value(name) and not eq and i + 1 < len(words):
                word = f"{text} {words[i + 1].text}"
                value = words[i + 1].text
                i += 1
            parts.append(ExplainPart(word=word, kind="flag", text=doc.describe(name, value), source=doc.source_for(name),
                                     depth=depth))
            i += 1
            continue
        # a cluster of short flags: -la is -l -a; a flag taking a value ends it (-n5, -n 5)
        letters = text[1:]
        for j, letter in enumerate(letters):
            flag = "-" + letter
            entry = doc.entry(flag)
            value = ""
            word = flag
            if entry and entry.takes_value:
                value = letters[j + 1:]
                if not value and i + 1 < len(words):
                    value = words[i + 1].text
                    i += 1
                word = f"{flag} {value}".rstrip() if value else flag
                parts.append(ExplainPart(word=word, kind="flag", text=doc.describe(flag, value), source=doc.source_for(flag),
                                         depth=depth))
                break
            parts.append(ExplainPart(word=word, kind="flag", text=doc.describe(flag, ""), source=doc.source_for(flag),
                                     depth=depth, cluster=text if j == 0 else ""))
        i += 1
    return parts


# --- documentation: man, builtin help, --help, tldr ---------------------------------------------------


class Entry(BaseModel):
    names: list[str]
    header: str
    text: str
    takes_value: bool = False
    block: list[str] = Field(default_factory=list)  # the entry's lines, for value sub-entries (find -type f)


class Doc(BaseModel):
    name: str = ""
    summary: str = ""
    source: Source = ""
    text: str = ""
    entries: dict[str, Entry] = Field(default_factory=dict)
    tldr: dict[str, str] = Field(default_factory=dict)  # flag -> tldr example description
    single_dash_long: bool = False

    def has_entry(self, flag: str) -> bool:
        return flag in self.entries

    def takes_value(self, flag: str) -> bool:
        entry = self.entries.get(flag)
        if entry is not None:
            return entry.takes_value
        # find --help lists "-type [bcdpflsD]" inside a paragraph: the placeholder says it takes one
        return self.single_dash_long and bool(re.search(r"\s[A-Z\[]", _mentioned(self.text, flag).split(": ", 1)[-1]))

    def entry(self, flag: str) -> Optional[Entry]:
        return self.entries.get(flag)

    def source_for(self, flag: str) -> Source:
        if flag in self.entries:
            return self.source
        if flag in self.tldr:
            return "tldr"
        return self.source if self.describe(flag, "") else ""

    def describe(self, flag: str, value: str) -> str:
        entry = self.entries.get(flag)
        if entry is None:
            if flag in self.tldr:
                return self.tldr[flag]
            return _mentioned(self.text, flag)
        text = entry.text or entry.header
        if value:
            detail = _value_detail(entry.block, value)
            if detail:
                text = f"{text} {detail}"
        return text

    def entry_for_word(self, word: str) -> str:
        """A subcommand described in the parent's page (`apt-get install`, `systemctl status`)."""
        pattern = re.compile(rf"^(\s+){re.escape(word)}(\s*$|\s+[\[<A-Z.]|\s{{2,}}\S)")
        lines = self.text.splitlines()
        for i, line in enumerate(lines):
            match = pattern.match(line)
            if not match:
                continue
            indent = len(match.group(1))
            rest = line[match.end(1) + len(word):].strip()
            if re.match(r"^\s{2,}\S", line[match.end(1) + len(word):]):
                return _first_sentence(rest)
            body = _paragraph_after(lines, i, indent)
            if body:
                return _first_sentence(body)
        return ""


# Tools whose subcommands each have a page of their own (`git status` is git-status(1)).
_OWN_PAGES = frozenset({"git"})


def subcommand_documentation(utility: str, sub: str, path: Optional[str] = None) -> Doc:
    """The subcommand's own page where its tool gives each one a page, or an empty Doc (apt-get's
    and systemctl's subcommands are described in the parent's page)."""
    if utility_name(utility) not in _OWN_PAGES:
        return Doc()
    return documentation(f"{utility}-{sub}", path)


def documentation(command: str, path: Optional[str] = None) -> Doc:
    """What this machine documents about `command` (a name or a path), cached for the process."""
    return _documentation(command, path, _tldr_dirs())


@functools.lru_cache(maxsize=512)
def _documentation(command: str, path: Optional[str], tldr_dirs: tuple[str, ...]) -> Doc:
    name = command.rsplit("/", 1)[-1]
    utility = UTILITIES.get(utility_name(command))
    single = bool(utility and utility.single_dash_long)
    tldr = _tldr_page(name, tldr_dirs)
    builtin_first = name in BUILTINS and not shutil.which(name)  # cd, read, export: man read is read(2)
    page = None if builtin_first else man_page(name)
    if page:
        summary = _man_summary(page, name) or _tldr_summary(tldr)
        return Doc(name=name, summary=summary, source="man", text=page, entries=_entries(page),
                   tldr=_tldr_flags(tldr), single_dash_long=single)
    if name in BUILTINS or name in KEYWORDS:
        text = builtin_help(name)
        if text:
            first = text.splitlines()[0] if text else ""
            summary = first.split(" - ", 1)[1] if " - " in first else first
            return Doc(name=name, summary=summary.strip(), source="builtin", text=text, entries=_entries(text),
                       tldr=_tldr_flags(tldr), single_dash_long=single)
    resolution = resolve_executable(command, path)
    if resolution.kind == "file" and resolution.path and _may_ask_for_help(resolution.path, name):
        text = help_output(resolution.path)
        if text:
            return Doc(name=name, summary=_tldr_summary(tldr) or _help_summary(text), source="help", text=text,
                       entries=_entries(text), tldr=_tldr_flags(tldr), single_dash_long=single)
    if tldr:
        return Doc(name=name, summary=_tldr_summary(tldr), source="tldr", tldr=_tldr_flags(tldr), single_dash_long=single)
    return Doc(name=name, single_dash_long=single)


def _may_ask_for_help(executable: str, name: str) -> bool:
    """Run `CMD --help` only for programs that surely just print help: known, in a system directory,
    and not among those whose mere start we would rather avoid."""
    if name in _NEVER_RUN or utility_name(name) in _NEVER_RUN:
        return False
    utility = UTILITIES.get(utility_name(name))
    if utility is not None and utility.risk is Risk.dangerous:
        return False
    real = os.path.realpath(executable)
    return any(os.path.dirname(p) in SYSTEM_DIRS for p in (executable, real))


_NEVER_RUN = frozenset("""
    rm shred wipe srm dd mkfs mke2fs mkswap wipefs fdisk sfdisk gdisk sgdisk cfdisk parted shutdown reboot halt
    poweroff kexec init telinit kill pkill killall killall5 xkill systemctl crontab sudo doas su pkexec run0 login
    passwd chpasswd userdel deluser groupdel useradd usermod format diskutil newfs blkdiscard flashrom cryptsetup
    lvremove vgremove pvremove zpool zfs mount umount swapoff swapon halt yes top htop watch less more vi vim
    nvim nano emacs ed sh bash zsh dash ksh fish csh tcsh python python3 perl ruby node php lua xargs nohup
    timeout env nice time strace ltrace chroot eval exec ssh telnet nc ncat netcat socat ftp sftp scp
""".split())


def man_page(name: str) -> Optional[str]:
    """The man page as plain text (no overstrike, no hyphenation), or None."""
    if not name or name.startswith("-") or "/" in name or not re.fullmatch(r"[\w.+\-\[]+", name):
        return None
    return _man_page(name)


@functools.lru_cache(maxsize=256)
def _man_page(name: str) -> Optional[str]:
    if not shutil.which("man"):
        return None
    env = dict(os.environ, MANWIDTH=WIDTH, COLUMNS=WIDTH, MANPAGER="cat", PAGER="cat", MAN_KEEP_FORMATTING="",
               GROFF_NO_SGR="1", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    env.pop("MAN_KEEP_FORMATTING")
    for argv in (["man", "--nh", "--nj", "-P", "cat", name], ["man", "-P", "cat", name]):
        status, text = _run_status(argv, env, MAN_TIMEOUT_S)
        if status == 16:
            return None  # man-db: no such page (retrying without --nh --nj is for other man programs)
        if text and len(text.strip().splitlines()) > 3:
            text = _clean(text)
            # a command's page, not a system call's or a library function's (read(2), printf(3))
            title = re.match(r"\s*\S+\s*\(([0-9a-zA-Z]+)\)", text)
            if title and title.group(1)[0] not in "168":
                return None
            return text
    return None


@functools.lru_cache(maxsize=128)
def builtin_help(name: str) -> Optional[str]:
    bash = shutil.which("bash")
    if not bash or name not in BUILTINS and name not in KEYWORDS:
        return None
    summary = _run([bash, "-c", 'help -d -- "$1"', "help", name], dict(os.environ, LC_ALL="C"), HELP_TIMEOUT_S)
    body = _run([bash, "-c", 'help -- "$1"', "help", name], dict(os.environ, LC_ALL="C"), HELP_TIMEOUT_S)
    if not summary and not body:
        return None
    return _clean((summary or "").strip() + "\n\n" + (body or ""))


@functools.lru_cache(maxsize=128)
def help_output(executable: str) -> Optional[str]:
    """`EXECUTABLE --help`, run in an empty directory with no input and a 2 s limit."""
    env = dict(os.environ, COLUMNS=WIDTH, LC_ALL="C.UTF-8", LANG="C.UTF-8", PAGER="cat", MANPAGER="cat")
    with tempfile.TemporaryDirectory(prefix="nlsh-help-") as scratch:
        text = _run([executable, "--help"], env, HELP_TIMEOUT_S, cwd=scratch, stderr=True)
    if not text or len(text.strip()) < 20:
        return None
    return _clean(text)


def _run(argv: list[str], env: dict[str, str], timeout: float, cwd: Optional[str] = None,
         stderr: bool = False) -> Optional[str]:
    return _run_status(argv, env, timeout, cwd, stderr)[1]


def _run_status(argv: list[str], env: dict[str, str], timeout: float, cwd: Optional[str] = None,
                stderr: bool = False) -> tuple[Optional[int], Optional[str]]:
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT if stderr else subprocess.DEVNULL,
                                   env=env, cwd=cwd, start_new_session=True)
    except OSError:
        return None, None
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.communicate()
        return None, None
    if process.returncode not in (0, 1, 2) or not out:  # many --help print and exit 1 or 2
        return process.returncode, None
    return process.returncode, out[:MAX_DOC_CHARS].decode("utf-8", "replace")


def _clean(text: str) -> str:
    text = re.sub(r".\x08", "", text).expandtabs(8)  # overstrike bold/underline
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)  # ANSI colours
    text = re.sub(r"[\u2010\u00ad]\n\s*", "", text)  # words hyphenated across lines
    return text.replace("\u2010", "-").replace("\u2212", "-").replace("\u2011", "-").replace("\u2019", "'")


def _man_summary(page: str, name: str) -> str:
    lines = page.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "NAME":
            body = []
            for follow in lines[i + 1:]:
                if not follow.strip():
                    if body:
                        break
                    continue
                if not follow.startswith(" "):
                    break
                body.append(follow.strip())
            text = " ".join(body)
            for dash in (" - ", " \u2014 ", " \u2013 ", " -- "):
                if dash in text:
                    return _squash(text.split(dash, 1)[1])
            return _squash(text)
    return ""


def _help_summary(text: str) -> str:
    """The first sentence of --help text that is not a usage line."""
    paragraph: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        skip = stripped.lower().startswith(("usage", "or:", "copyright")) or stripped.startswith("-")
        if not stripped or skip:
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    return _first_sentence(" ".join(paragraph)) if paragraph else ""


# --- finding an option's entry in a man page or --help text -----------------------------------------

_HEADER = re.compile(r"^(\s*)(--?[A-Za-z0-9?#@][\w\-.?#@]*)")


def option_entries(text: str) -> dict[str, Entry]:
    """Every option documented in a man page or --help text, by each of its names (-a, --all)."""
    return _entries(text)


def _entries(text: str) -> dict[str, Entry]:
    lines = text.splitlines()
    desc_indent = _description_indent(lines)
    entries: dict[str, Entry] = {}
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        if indent > 24 or (desc_indent and indent >= desc_indent):
            continue  # a flag mentioned inside a description, not an entry
        previous = lines[i - 1] if i else ""
        if previous.strip() and _indent(previous) == indent and not _HEADER.match(previous):
            continue  # a wrapped prose line that happens to start with a flag
        following = lines[i + 1] if i + 1 < len(lines) else ""
        header, text_on_line = _split_header(line, indent, desc_indent, following)
        if header.count("(") != header.count(")"):
            continue
        names, takes_value = _option_names(header)
        if not names:
            continue
        body = text_on_line
        block = _block(lines, i, indent)
        if not body:
            body = _paragraph_after(lines, i, indent)
        elif i + 1 < len(lines) and _indent(lines[i + 1]) > indent and lines[i + 1].strip() \
                and not _HEADER.match(lines[i + 1]):
            body += " " + _paragraph_after(lines, i, indent)
        entry = Entry(names=names, header=header, text=_first_sentence(body), takes_value=takes_value, block=block)
        for name in names:
            entries.setdefault(name, entry)
    return entries


def _description_indent(lines: list[str]) -> int:
    """Column where man page descriptions start (the tagged-paragraph indent), by majority."""
    counts: dict[int, int] = {}
    for i, line in enumerate(lines[:-1]):
        match = _HEADER.match(line)
        if match and lines[i + 1].strip():
            nxt = _indent(lines[i + 1])
            if nxt > len(match.group(1)):
                counts[nxt] = counts.get(nxt, 0) + 1
    return max(counts, key=counts.get) if counts else 0


def _split_header(line: str, indent: int, desc_indent: int, following: str = "") -> tuple[str, str]:
    stripped = line[indent:].rstrip()
    gap = re.search(r"(\t+|\s{2,})", stripped)
    if gap:
        return stripped[: gap.start()].strip(), stripped[gap.end():].strip()
    # "-mtime n" then its description on the next line: a short line followed by an indented one
    described_below = following.strip() and _indent(following) >= desc_indent and len(line.rstrip()) < 60
    if not described_below and desc_indent > indent and len(line) > desc_indent and line[desc_indent - 1] == " " \
            and line[desc_indent] != " ":
        header, rest = line[indent:desc_indent].strip(), line[desc_indent:].strip()
        # "-uid n File's numeric user ID": the description starts at its usual column
        if not header.endswith(",") and not rest.startswith(("-", "<", "[", "=", "|")):
            return header, rest
    return stripped.strip(), ""


def _option_names(header: str) -> tuple[list[str], bool]:
    names, takes_value = [], False
    for piece in re.split(r",\s*|\s+\|\s+", header):
        piece = piece.strip()
        match = re.match(r"^(--?[A-Za-z0-9?#@][\w\-.?#@]*)(.*)$", piece)
        if not match:
            continue
        names.append(match.group(1))
        rest = match.group(2)
        if rest and not rest.startswith("[") and re.match(r"^[\s=]*[<A-Za-z0-9\[{'\"+-]", rest):
            takes_value = True
    return names, takes_value


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _paragraph_after(lines: list[str], i: int, indent: int) -> str:
    body: list[str] = []
    j = i + 1
    # headers stacked on consecutive lines share one description (ssh -L ...)
    while j < len(lines) and _HEADER.match(lines[j]) and _indent(lines[j]) == indent:
        j += 1
    while j < len(lines):
        line = lines[j]
        if not line.strip():
            if body:
                break
            if j + 1 < len(lines) and _indent(lines[j + 1]) > indent:
                j += 1
                continue
            break
        if _indent(line) <= indent:
            break
        body.append(line.strip())
        j += 1
    return " ".join(body)


def _block(lines: list[str], i: int, indent: int) -> list[str]:
    block = []
    for line in lines[i + 1: i + 80]:
        if line.strip() and _indent(line) <= indent:
            break
        block.append(line)
    return block


def _value_detail(block: list[str], value: str) -> str:
    """`find -type f`: the line for `f` inside the -type entry ("f      regular file")."""
    if not value or len(value) > 20:
        return ""
    pattern = re.compile(rf"^\s+{re.escape(value)}(?:\s{{2,}}|\t)(\S.*)$")
    for line in block:
        match = pattern.match(line)
        if match:
            return f"{value} {_first_sentence(match.group(1))}"
    return ""


def _mentioned(text: str, flag: str) -> str:
    """A flag only listed inside a paragraph (find --help): name the list it is in."""
    if not text:
        return ""
    pattern = re.compile(rf"(?<![\w-]){re.escape(flag)}(?![\w-])(\s+[A-Z\[][\w\[\]/+-]*)?")
    heading = ""
    for line in text.splitlines():
        if line.strip().endswith(":") and not line.strip().startswith("-"):
            heading = line.strip()[:-1]
        match = pattern.search(line)
        if match and heading:
            return f"{heading}: {match.group(0).strip()}"
    return ""


_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "(e.g", "(i.e"}


def _first_sentence(text: str, limit: int = 160) -> str:
    text = _squash(text)
    for match in re.finditer(r"(?<=[A-Za-z0-9)\]'\"])[.;](\s|$)", text):
        before = text[: match.start()].split()
        if match.start() < 10 or (before and before[-1].lower() in _ABBREVIATIONS):
            continue
        text = text[: match.start() + 1]
        break
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- tldr --------------------------------------------------------------------------------------------


def _tldr_dirs() -> tuple[str, ...]:
    home = Path.home()
    candidates = [os.environ.get("TLDR_CACHE_DIR", ""), os.environ.get("TEALDEER_CACHE_DIR", ""),
                  str(home / ".cache" / "tldr"), str(home / ".local" / "share" / "tldr"), str(home / ".tldr"),
                  str(home / ".tldrc"), str(home / ".cache" / "tealdeer"), str(home / "Library" / "Caches" / "tealdeer")]
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        candidates += [os.path.join(xdg, "tldr"), os.path.join(xdg, "tealdeer")]
    return tuple(dict.fromkeys(c for c in candidates if c and os.path.isdir(c)))


@functools.lru_cache(maxsize=256)
def _tldr_page(name: str, dirs: tuple[str, ...]) -> str:
    if not dirs or not re.fullmatch(r"[\w.+\-]+", name):
        return ""
    platforms = ("osx", "common") if os.uname().sysname == "Darwin" else ("linux", "common")
    for base in dirs:
        for platform in platforms:
            for pattern in (f"{platform}/{name}.md", f"*/{platform}/{name}.md", f"*/*/{platform}/{name}.md"):
                for found in sorted(glob.glob(os.path.join(glob.escape(base), pattern))):
                    if "/pages." in found and "/pages.en/" not in found:
                        continue  # another language
                    try:
                        return Path(found).read_text(encoding="utf-8", errors="replace")[:MAX_DOC_CHARS]
                    except OSError:
                        continue
    return ""


def _tldr_summary(page: str) -> str:
    lines = [line[1:].strip() for line in page.splitlines() if line.startswith(">")]
    lines = [line for line in lines if not line.lower().startswith(("more information", "see also"))]
    return _first_sentence(" ".join(lines)) if lines else ""


def _tldr_flags(page: str) -> dict[str, str]:
    """Each flag used in a tldr example, with that example's description."""
    flags: dict[str, str] = {}
    description = ""
    for line in page.splitlines():
        if line.startswith("- "):
            description = line[2:].strip().rstrip(":")
        elif line.startswith("`") and description:
            example = re.sub(r"\{\{.*?\}\}", "X", line.strip("`"))
            for flag in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", example):
                flags.setdefault(flag, description)
    return flags
