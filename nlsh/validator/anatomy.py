"""The anatomy of a command line: each word as a utility, a subcommand, a flag (with its value), an
argument, an operator or a keyword, in order and at its depth (inside `$(...)`, `sh -c '...'`,
`find -exec`), with what this machine documents about it (nlsh.machine.docs).

Explain shows it; the validator's option and git checks judge the flags and subcommands it finds.
Words are read the way the risk rules read them: wrappers (`sudo`, `xargs`), interpreters' shell
code and find's -exec commands are followed to the command they run.
"""

from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import BaseModel

from nlsh.machine.docs import Doc, Source, documentation, subcommand_documentation
from nlsh.validator.parse import ParsedCommand, ParseError, SimpleCommand, Word, parse_command
from nlsh.validator.risk import find_exec_commands, utility_name, wrapped_command
from nlsh.validator.rules import INTERPRETERS, UTILITIES, WRAPPERS

Kind = Literal["utility", "subcommand", "flag", "argument", "operator", "keyword"]


class Part(BaseModel):
    word: str  # as it appears (a flag with its value: "-type f", "--size=+100M")
    kind: Kind
    text: str = ""  # one line of description; empty when nothing on this machine documents it
    source: Source = ""
    depth: int = 0  # nesting: inside $(...), sh -c '...', find -exec
    cluster: str = ""  # on a cluster's first flag, the cluster as written (`-la` on `-l`)



def anatomy(parsed: ParsedCommand, path: Optional[str] = None) -> list[Part]:
    """Every part of a parsed command line, in the order it is written. Raises RecursionError for
    a line nested too deeply."""
    return [p for _, p in sorted(_parsed_parts(parsed, path, depth=0, base=0), key=lambda item: item[0])]


def command_parts(command: str, path: Optional[str] = None) -> Optional[list[Part]]:
    """The anatomy of a command line given as text, or None where it cannot be read."""
    try:
        return anatomy(parse_command(command), path)
    except (ParseError, RecursionError):
        return None
    except Exception:  # bashlex has more ways to fail than it documents
        return None


def read_doc(word: str, path: Optional[str] = None) -> Doc:
    """The documentation of the program a command word names, read with its option style."""
    utility = UTILITIES.get(utility_name(word))
    return documentation(word, path, single_dash_long=bool(utility and utility.single_dash_long))


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


def _parsed_parts(parsed: ParsedCommand, path: Optional[str], depth: int, base: int) -> list[tuple[tuple, Part]]:
    out: list[tuple[tuple, Part]] = []
    functions = frozenset(f.name for f in parsed.functions)
    for operator in parsed.operators:
        if operator.kind == "operator" and operator.op in _OPERATORS:
            out.append(((base + operator.start, 0), Part(word=operator.op, kind="operator",
                                                                text=_OPERATORS[operator.op], source="shell", depth=depth)))
        elif operator.kind == "keyword":
            word = operator.op
            text = _KEYWORDS.get(word) or (f"define the function {word[:-2]}" if word.endswith("()") else "")
            out.append(((base + operator.start, 0), Part(word=word, kind="keyword", text=text, source="shell", depth=depth)))
    for redirect in parsed.redirects:
        out.append(((base + redirect.start, 0), Part(word=parsed.source[redirect.start:redirect.end].strip(),
                                                            kind="operator", text=_redirect_text(redirect), source="shell",
                                                            depth=depth)))
    for command in parsed.commands:
        level = depth + _nesting(parsed, command)
        for order, part in enumerate(_simple_parts(command, path, functions, level)):
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


def _simple_parts(command: SimpleCommand, path: Optional[str], functions: frozenset[str], depth: int) -> list[Part]:
    parts = [Part(word=a, kind="argument", text=f"set {a.split('=', 1)[0]} for this command", source="shell", depth=depth)
             for a in command.assignments]
    if command.words:
        parts += _call_parts(command.words, path, functions, depth, 0)
    return parts


def _call_parts(words: list[Word], path: Optional[str], functions: frozenset[str], depth: int, hops: int) -> list[Part]:
    head = words[0]
    name = utility_name(head.text)
    if head.expands:
        return [Part(word=head.raw, kind="utility", text="a command chosen at run time", source="shell", depth=depth)]
    if head.text in functions:
        return [Part(word=head.text, kind="utility", text="a function defined in this command line", source="shell", depth=depth)]
    doc = read_doc(head.text, path)
    parts = [Part(word=head.text, kind="utility", text=doc.summary, source=doc.source, depth=depth)]
    rest = words[1:]
    if hops < 8 and name in WRAPPERS:
        inner = wrapped_command(name, WRAPPERS[name], words)
        stop = inner.start if inner.start is not None else (inner.script_index if inner.script is not None else len(words))
        parts += _arg_parts(words[1:stop], doc, depth)
        if inner.start is not None:
            parts += _call_parts(words[inner.start:], path, functions, depth + 1, hops + 1)
        elif inner.script is not None:
            parts += _script_parts(inner.script, path, depth + 1)
        return parts
    if name in INTERPRETERS and INTERPRETERS[name].shell:
        code = _shell_code_index(words)
        if code is not None:
            parts += _arg_parts(words[1:code], doc, depth)
            parts += _script_parts(words[code].text, path, depth + 1)
            parts += _arg_parts(words[code + 1:], doc, depth)
            return parts
    if name == "find" and hops < 8:
        cursor = 1
        for start, inner_words in find_exec_commands(words):
            parts += _arg_parts(words[cursor:start], doc, depth)
            parts += _call_parts(inner_words, path, functions, depth + 1, hops + 1)
            cursor = start + len(inner_words) + 1  # skip the ; or +
        rest = words[cursor:]
    if name == "tar" and rest and re.fullmatch(r"[A-Za-z]+", rest[0].text):
        # old-style bundled letters: `tar xzf a.tgz` is `tar -xzf a.tgz`
        rest = [rest[0].model_copy(update={"text": "-" + rest[0].text})] + rest[1:]
    sub = _subcommand(name, rest)
    if sub is not None:
        sub_doc = subcommand_documentation(head.text, sub.text, path)
        text = sub_doc.summary or doc.entry_for_word(sub.text)
        parts.append(Part(word=sub.text, kind="subcommand", text=text, source=(sub_doc.source or doc.source) if text else "",
                                 depth=depth))
        index = rest.index(sub)
        parts += _arg_parts(rest[:index], doc, depth)
        parts += _arg_parts(rest[index + 1:], sub_doc if sub_doc.text else doc, depth)
        return parts
    parts += _arg_parts(rest, doc, depth)
    return parts


def _shell_code_index(words: list[Word]) -> Optional[int]:
    for i, word in enumerate(words[1:], start=1):
        text = word.text
        if not text.startswith("-") or text == "--":
            return None
        if not text.startswith("--") and "c" in text[1:]:
            return i + 1 if i + 1 < len(words) else None
    return None


def _script_parts(script: str, path: Optional[str], depth: int) -> list[Part]:
    if depth > 8:
        return []
    try:
        parsed = parse_command(script)
    except ParseError as error:
        return [Part(word=script, kind="argument", text=f"shell code ({error})", source="shell", depth=depth)]
    return [p for _, p in sorted(_parsed_parts(parsed, path, depth, 0), key=lambda item: item[0])]


def _subcommand(name: str, words: list[Word]) -> Optional[Word]:
    if name not in SUBCOMMAND_UTILITIES:
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
SUBCOMMAND_UTILITIES = frozenset(name for name, utility in UTILITIES.items() if _has_subcommands(utility))


def _arg_parts(words: list[Word], doc: Doc, depth: int) -> list[Part]:
    parts: list[Part] = []
    i = 0
    options_done = False
    while i < len(words):
        text = words[i].text
        if options_done or not text.startswith("-") or text == "-" or len(text) < 2:
            if not doc.single_dash_long or text not in ("(", ")", "!", ",", ";", "+"):
                parts.append(Part(word=text, kind="argument", depth=depth))
            i += 1
            continue
        if text == "--":
            options_done = True
            parts.append(Part(word="--", kind="flag", text="end of options: what follows are arguments",
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
            parts.append(Part(word=word, kind="flag", text=doc.describe(name, value), source=doc.source_for(name),
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
                parts.append(Part(word=word, kind="flag", text=doc.describe(flag, value), source=doc.source_for(flag),
                                         depth=depth))
                break
            parts.append(Part(word=word, kind="flag", text=doc.describe(flag, ""), source=doc.source_for(flag),
                                     depth=depth, cluster=text if j == 0 else ""))
        i += 1
    return parts
