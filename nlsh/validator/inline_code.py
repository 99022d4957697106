"""What code an interpreter runs inline (`python -c`, `perl -e`, `node -e`, ...) does, told as the shell
commands that do the same, so the shell's risk rules rate it.

`perl -e 'use File::Path; rmtree("/srv/data")'` was rated by its interpreter alone (`caution`), while
`rm -r /srv/data` is `dangerous`. Each call INLINE_CALLS knows becomes its shell equivalent
(`rm -r /srv/data`), and a call that runs a command (`os.system`, `system`, backticks) hands that
command on. String literals are masked before calls are looked for, so `python -c 'print("rm -rf /")'`
and `perl -e 'print "unlink"'` hold no call.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from nlsh.validator.rules import FETCH_AND_RUN, INLINE_CALLS, CodeCall

MARK = "\ue000"  # around a masked literal's number: a private-use character, neither word nor space
_LITERAL = re.compile(MARK + r"(\d+)" + MARK)
_KEYWORD_ARGUMENT = re.compile(r"\{|\w+\s*(?:=|:(?!:))")  # shell=True, {stdio: "inherit"}, chdir: "/x"
_UNKNOWN_PATH = "FILE"  # a path the code computes: rated as an ordinary file
_QUOTES = {"python": "'\"", "lua": "'\""}  # the others also quote with backticks
_RUNS_BACKTICKS = frozenset({"perl", "ruby", "php"})  # there `...` runs a shell command
# Perl's q{} qq{} qw{} qx{} and Ruby's %q() %Q() %w() %x(): quotes with a delimiter of choice
_QUOTE_OPERATORS = {
    "perl": re.compile(r"(?<![\w$@%&>-])(qq|qx|qw|q)\s*([^\w\s])"),
    "ruby": re.compile(r"%([qQwWxiI])([^\w\s])"),
}
_COMMAND_QUOTES = frozenset({"qx", "x"})
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_PARENLESS = frozenset({"perl", "ruby", "lua"})  # `unlink "/x"`, `system "rm -rf /x"`
_ARGUMENTS_END = re.compile(r"[;\n]|\|\||&&|\b(?:or|and|if|unless)\b")


@dataclass(frozen=True)
class Literal:
    text: str
    command: bool = False  # runs as a shell command: `...` in Perl, Ruby and PHP, qx{}, %x()


@dataclass
class InlineCode:
    """What the code does, for the risk rules."""

    commands: list[str] = field(default_factory=list)  # shell code it runs as written
    equivalents: list[str] = field(default_factory=list)  # shell commands that do what its calls do
    builds_commands: bool = False  # runs a command it builds at run time: system($cmd)
    runs_network_code: bool = False  # fetches from the network and runs what it got


def read_inline_code(language: str, code: str) -> InlineCode:
    """What `code` does, its commands and equivalents in the order the code has them."""
    found = InlineCode()
    masked, literals = mask_literals(code, language)
    commands: list[tuple[int, str]] = [(m.start(), literals[int(m.group(1))].text)
                                       for m in _LITERAL.finditer(masked) if literals[int(m.group(1))].command]
    equivalents: list[tuple[int, str]] = []
    claimed: set[int] = set()  # where the calls already rated end
    for rule, call in _rules(language):
        for match in call.finditer(masked):
            if match.end() in claimed:
                continue
            args = _arguments(masked, match.end(), language)
            receiver = "path" in call.groupindex
            if args is None and not receiver:
                continue  # the name, not a call of it: `print if /unlink/`
            args = args or ""
            if rule.when and not re.search(rule.when, _restore(args, literals)):
                continue
            claimed.add(match.end())
            if not rule.shell:
                command = _command_run(_split(args), literals)
                if command is None:
                    found.builds_commands = True
                elif command:
                    commands.append((match.start(), command))
                continue
            paths = [_literal_text(match.group("path") or "", literals)] if receiver else _paths(rule, args, literals)
            equivalents.append((match.start(), rule.shell.format(" ".join(shlex.quote(p) for p in paths))))
    found.commands = [text for _, text in sorted(commands)]
    found.equivalents = [text for _, text in sorted(equivalents)]
    fetch, run = FETCH_AND_RUN.get(language, ("", ""))
    if fetch and re.search(fetch, code) and (found.builds_commands or re.search(_pattern(run), masked)):
        found.runs_network_code = True
    return found


@lru_cache(maxsize=None)
def _rules(language: str) -> tuple[tuple[CodeCall, re.Pattern], ...]:
    return tuple((rule, _pattern(rule.call)) for rule in INLINE_CALLS.get(language, ()))


@lru_cache(maxsize=None)
def _pattern(regex: str) -> re.Pattern:
    return re.compile(regex.replace("STR", MARK + r"\d+" + MARK))


# --- string literals ------------------------------------------------------------------------------


def mask_literals(code: str, language: str) -> tuple[str, list[Literal]]:
    """The code with each string literal replaced by MARK n MARK, and the literals."""
    quotes = _QUOTES.get(language, "'\"`")
    operator = _QUOTE_OPERATORS.get(language)
    out: list[str] = []
    literals: list[Literal] = []
    i = 0
    while i < len(code):
        match = operator.match(code, i) if operator else None
        if match:
            close = _PAIRS.get(match.group(2), match.group(2))
            end = _closing(code, match.end(), match.group(2), close)
            literal = Literal(code[match.end() : end], command=match.group(1) in _COMMAND_QUOTES)
            i = end + 1
        elif code[i] in quotes:
            quote = code[i] * 3 if language == "python" and code.startswith(code[i] * 3, i) else code[i]
            end = _closing(code, i + len(quote), quote, quote)
            literal = Literal(code[i + len(quote) : end], command=quote == "`" and language in _RUNS_BACKTICKS)
            i = end + len(quote)
        else:
            out.append(code[i])
            i += 1
            continue
        out.append(f"{MARK}{len(literals)}{MARK}")
        literals.append(literal)
    return "".join(out), literals


def _closing(code: str, start: int, opening: str, closing: str) -> int:
    """Where the literal that starts at `start` ends (len(code) when it never does)."""
    depth, i = 0, start
    while i < len(code):
        if code[i] == "\\":
            i += 2
            continue
        if code.startswith(closing, i):
            if depth == 0:
                return i
            depth -= 1
        elif opening != closing and code.startswith(opening, i):
            depth += 1
        i += 1
    return len(code)


def _restore(text: str, literals: list[Literal]) -> str:
    return _LITERAL.sub(lambda m: '"' + literals[int(m.group(1))].text + '"', text)


def _literal_text(arg: str, literals: list[Literal]) -> str:
    """The text of an argument that is one string literal, else the stand-in for a computed path."""
    match = _LITERAL.fullmatch(arg.strip())
    return literals[int(match.group(1))].text if match else _UNKNOWN_PATH


# --- arguments --------------------------------------------------------------------------------------


def _arguments(masked: str, at: int, language: str) -> Optional[str]:
    """The arguments of the call whose name ends at `at`: inside its parentheses, or up to the end of
    the statement where the language calls without them; None where the name is not called."""
    j = at
    while j < len(masked) and masked[j] in " \t":
        j += 1
    if j < len(masked) and masked[j] == "(":
        end = _closing(masked, j + 1, "(", ")")
        return masked[j + 1 : end]
    if language not in _PARENLESS or j == at or j >= len(masked):
        return None
    if not (masked[j] in (MARK, "$", "@", "[", "_") or masked[j].isalnum()):
        return None
    rest = masked[j:]
    stop = _ARGUMENTS_END.search(rest)
    depth_end = _top_level_end(rest)
    end = min(stop.start() if stop else len(rest), depth_end)
    return rest[:end]


def _top_level_end(text: str) -> int:
    """Where a closing bracket with no opening one ends the text: `{ unlink $f }`."""
    depth = 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return i
            depth -= 1
    return len(text)


def _split(args: str) -> list[str]:
    """The arguments, split at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(args):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(args[start:i].strip())
            start = i + 1
    last = args[start:].strip()
    if last or parts:
        parts.append(last)
    return parts


def _paths(rule: CodeCall, args: str, literals: list[Literal]) -> list[str]:
    parts = _split(args) or [""]
    if rule.paths == "first":
        chosen = [_literal_text(parts[0], literals)]
    elif rule.paths == "last":
        chosen = [_literal_text(parts[-1], literals)]
    else:
        chosen = [_literal_text(p, literals) for p in parts if _LITERAL.fullmatch(p)] or [_UNKNOWN_PATH]
    # Perl's two-argument open puts the mode in the path: open(F, ">/etc/motd")
    return [p.lstrip("+<> ") or _UNKNOWN_PATH for p in chosen]


def _command_run(parts: list[str], literals: list[Literal]) -> Optional[str]:
    """The shell command a call runs: system("rm -rf /x") runs shell code; system("rm", "-rf", $d) and
    run(["rm", "-rf", d]) a program with its arguments; system($cmd) something only known at run time
    (None); "" where it is given nothing."""
    if not parts:
        return ""
    is_literal = [bool(_LITERAL.fullmatch(p)) for p in parts]
    is_list = [p.startswith("[") for p in parts]
    if is_literal[0] and not any(is_literal[1:]) and not any(is_list[1:]):
        return _literal_text(parts[0], literals)
    if not (is_literal[0] or is_list[0]):
        return None
    argv: list[str] = []
    for part, listed in zip(parts, is_list, strict=True):
        if listed:
            argv += [_literal_text(item, literals) for item in _split(part[1:-1] if part.endswith("]") else part[1:])]
        elif not _KEYWORD_ARGUMENT.match(part):  # options are no words of the command
            argv.append(_literal_text(part, literals))
    return shlex.join(argv)
