"""Turn one shell command line into a flat list of the simple commands it would run.

bashlex gives a syntax tree; the validator, Explain and the safety preview all want the same thing
from it: every simple command anywhere in the line (inside pipelines, lists, subshells, functions,
`$(...)`, backticks and `<(...)`), its words as written and as the shell would see them, its
redirections, and how it is connected to the others (pipeline stage, enclosing substitution).
"""

from __future__ import annotations

import re
from typing import Literal, Optional

from nlsh.validator import bashlex_tables

bashlex_tables.install()  # before bashlex is imported: its parse table from nlsh's cache

import bashlex  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

MAX_LENGTH = 20_000


class ParseError(ValueError):
    """The line is not one command bash would accept (or not one we can analyse)."""


class Word(BaseModel):
    text: str  # after quote removal, as bashlex gives it
    raw: str  # exactly as written in the line
    start: int
    end: int
    substitution: bool = False  # holds $(...), `...` or <(...)

    @property
    def quoted(self) -> bool:
        return any(c in self.raw for c in "'\"\\")

    @property
    def expands(self) -> bool:
        """Holds something only the shell can fill in at run time ($VAR, $(...), `...`)."""
        return "$" in self.raw or "`" in self.raw or self.substitution

    @property
    def glob(self) -> bool:
        """Has an unquoted *, ? or [ that the shell would expand into file names."""
        return _has_unquoted_glob(self.raw)


class Redirect(BaseModel):
    op: str  # '>', '>>', '>|', '&>', '<', '<<', '<<<', '<>', '>&', '<&'
    fd: Optional[int] = None
    target: str  # file name, or the fd number for duplications ('>&' 1)
    raw_target: str = ""
    start: int
    end: int
    command: Optional[int] = None  # the simple command it belongs to; None for `{ ...; } > f`

    @property
    def duplicates(self) -> bool:
        return self.op in (">&", "<&") and (self.target.isdigit() or self.target == "-")


class SimpleCommand(BaseModel):
    words: list[Word]
    assignments: list[str] = Field(default_factory=list)
    start: int
    end: int
    pipeline: int  # id of the innermost pipeline (every command has one, usually of one stage)
    stage: int = 0
    background: bool = False  # followed by '&'
    parent: Optional[int] = None  # command whose word holds the substitution this runs in
    parent_word: Optional[int] = None  # index of that word in the parent's words
    nested_in: Optional[Literal["command_substitution", "process_substitution"]] = None
    function: Optional[str] = None  # name of the function whose body holds it
    in_loop: bool = False  # inside a for/while/until body: may run many times over many files

    @property
    def argv(self) -> list[str]:
        return [w.text for w in self.words]


class Operator(BaseModel):
    """A connector or keyword between commands, kept for Explain."""

    op: str
    start: int
    kind: Literal["operator", "keyword"] = "operator"


class FunctionDef(BaseModel):
    name: str
    commands: list[int]


class ParsedCommand(BaseModel):
    source: str
    commands: list[SimpleCommand] = Field(default_factory=list)
    redirects: list[Redirect] = Field(default_factory=list)
    operators: list[Operator] = Field(default_factory=list)
    functions: list[FunctionDef] = Field(default_factory=list)
    pipelines: list[list[list[int]]] = Field(default_factory=list)  # pipeline -> stage -> commands
    rewritten: list[str] = Field(default_factory=list)  # constructs blanked out before parsing


def parse_command(text: str) -> ParsedCommand:
    """Parse one command line; raise ParseError with a readable message if bash would not run it."""
    if not isinstance(text, str):
        raise ParseError("the command is not text")
    line = text.strip()
    if not line:
        raise ParseError("the command is empty")
    if "\n" in line or "\r" in line:
        raise ParseError("the command spans several lines")
    if "\x00" in line:
        raise ParseError("the command contains a NUL byte")
    if len(line) > MAX_LENGTH:
        raise ParseError(f"the command is longer than {MAX_LENGTH} characters")
    trees, rewritten = _bashlex_parse(text)
    walker = _Walker(text, rewritten)
    for tree in trees:
        walker.visit(tree)
    return walker.result


# --- bashlex and its gaps ------------------------------------------------------------------------

# bashlex refuses some everyday bash (`time`, `[[ ]]`, `$(( ))`). Each rewrite keeps the length of
# the line, so positions still point into the original text, and keeps every command that would
# run; they are tried only when the line as written fails.
_COMMAND_START = r"(?:^|(?<=[;&|(!{])|" + "|".join(
    rf"(?<=\b{k})" for k in ("if", "then", "do", "else", "elif", "while", "until", "time")) + r")\s*"
_REWRITES: list[tuple[str, re.Pattern[str]]] = [
    ("time", re.compile(_COMMAND_START + r"(time(?:\s+-p)?)(?=\s)")),
    ("arithmetic", re.compile(r"\$\(\((?:[^()`$]|\$(?!\()|\([^()]*\))*\)\)")),
    ("[[", re.compile(_COMMAND_START + r"(\[\[\s.*?\s\]\])(?=\s|;|&|\||\)|$)")),
]


def _blank_time(m: re.Match[str]) -> str:
    whole = m.group(0)
    keyword = m.group(1)
    return whole.replace(keyword, " " * len(keyword), 1)


def _blank_arithmetic(m: re.Match[str]) -> str:
    # A parameter of the same length: one word that expands at run time, like the real thing.
    return "$" + "_" * (len(m.group(0)) - 1)


def _blank_test(m: re.Match[str]) -> str:
    """`[[ a && $(b) < c ]]` -> `[  a __ $(b) _ c  ]`: a plain `[` command whose substitutions still run."""
    whole = m.group(0)
    body = m.group(1)
    text = body[2:-2]
    inner, depth, quote = [], 0, None
    for i, c in enumerate(text):
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"" and depth == 0:
            quote = c
        elif c == "(" and i and text[i - 1] == "$":
            depth += 1
        elif c == ")" and depth:
            depth -= 1
            inner.append(c)
            continue
        if depth == 0 and not quote and c in "&|<>()!;" and not (c == "(" and i and text[i - 1] == "$"):
            c = "_"
        inner.append(c)
    return whole.replace(body, "[ " + "".join(inner) + " ]", 1)


_REWRITERS = {"time": _blank_time, "arithmetic": _blank_arithmetic, "[[": _blank_test}


def _bashlex_parse(text: str):
    try:
        return bashlex.parse(text), []
    except RecursionError:
        raise ParseError("the command is nested too deeply to analyse") from None
    except Exception as first:  # bashlex raises several unrelated types
        error = first
    rewritten_text, applied = text, []
    for name, pattern in _REWRITES:
        new = pattern.sub(_REWRITERS[name], rewritten_text)
        if new != rewritten_text:
            applied.append(name)
            rewritten_text = new
    if applied:
        try:
            return bashlex.parse(rewritten_text), applied
        except RecursionError:
            raise ParseError("the command is nested too deeply to analyse") from None
        except Exception:
            pass
    raise ParseError(_describe(error)) from None


_UNSUPPORTED_NAMES = {"pattern": "case statements", "select command": "select loops", "coproc": "coprocesses"}


def _describe(error: Exception) -> str:
    message = str(error).strip() or type(error).__name__
    if isinstance(error, NotImplementedError):
        match = re.search(r"type = \{([^}]*)\}", message)
        construct = match.group(1) if match else message
        construct = _UNSUPPORTED_NAMES.get(construct, construct)
        return f"cannot analyse: the parser does not support {construct}"
    message = re.sub(r"\s*\(position \d+\)$", "", message)
    return f"cannot parse: {message}"


def _has_unquoted_glob(raw: str) -> bool:
    quote = None
    i = 0
    while i < len(raw):
        c = raw[i]
        if quote:
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"':
                i += 1
        elif c == "\\":
            i += 1
        elif c in "'\"":
            quote = c
        elif c == "$" and raw[i + 1 : i + 2] == "{":
            end = raw.find("}", i)
            i = end if end != -1 else len(raw)  # ${arr[@]}, ${x:-*} are not globs
        elif c in "*?":
            return True
        elif c == "[" and "]" in raw[i + 1 :]:
            return True
        i += 1
    return False


# --- tree walk ----------------------------------------------------------------------------------


class _Walker:
    def __init__(self, source: str, rewritten: list[str]):
        self.source = source
        self.result = ParsedCommand(source=source, rewritten=rewritten)
        self.stage_stack: list[tuple[int, int]] = []  # active (pipeline, stage) pairs, outermost first
        self.parent: Optional[tuple[int, Optional[int], str]] = None  # (command, word index, substitution kind)
        self.function: Optional[str] = None
        self.loops = 0

    def visit(self, node) -> None:
        handler = getattr(self, "_" + node.kind, None)
        if handler is not None:
            handler(node)
            return
        for child in _children(node):
            self.visit(child)

    # connectors
    def _list(self, node) -> None:
        parts = node.parts
        for i, part in enumerate(parts):
            if part.kind == "operator":
                self.result.operators.append(Operator(op=part.op, start=part.pos[0]))
                if part.op == "&" and i > 0:
                    self._mark_background(parts[i - 1])
                continue
            self.visit(part)

    def _pipeline(self, node) -> None:
        pipeline = len(self.result.pipelines)
        self.result.pipelines.append([[]])
        stage = 0
        for part in node.parts:
            if part.kind == "pipe":
                self.result.operators.append(Operator(op=part.pipe, start=part.pos[0]))
                stage += 1
                self.result.pipelines[pipeline].append([])
                continue
            if part.kind == "reservedword":
                self.result.operators.append(Operator(op=part.word, start=part.pos[0], kind="keyword"))
                continue
            self.stage_stack.append((pipeline, stage))
            try:
                self.visit(part)
            finally:
                self.stage_stack.pop()

    def _mark_background(self, node) -> None:
        start, end = node.pos
        for command in self.result.commands:
            if start <= command.start and command.end <= end:
                command.background = True

    def _reservedword(self, node) -> None:
        self.result.operators.append(Operator(op=node.word, start=node.pos[0], kind="keyword"))

    def _operator(self, node) -> None:
        self.result.operators.append(Operator(op=node.op, start=node.pos[0]))

    def _pipe(self, node) -> None:
        self.result.operators.append(Operator(op=node.pipe, start=node.pos[0]))

    # commands
    def _command(self, node) -> None:
        index = len(self.result.commands)
        if self.stage_stack:
            pipeline, stage = self.stage_stack[-1]
        else:
            pipeline, stage = len(self.result.pipelines), 0
            self.result.pipelines.append([[]])
        parent = self.parent
        command = SimpleCommand(
            words=[],
            start=node.pos[0],
            end=node.pos[1],
            pipeline=pipeline,
            stage=stage,
            parent=parent[0] if parent else None,
            parent_word=parent[1] if parent else None,
            nested_in=parent[2] if parent else None,
            function=self.function,
            in_loop=self.loops > 0,
        )
        self.result.commands.append(command)
        for p, s in self.stage_stack or [(pipeline, stage)]:
            self.result.pipelines[p][s].append(index)
        nested = []
        for part in node.parts:
            if part.kind == "word":
                word = self._make_word(part)
                command.words.append(word)
                if word.substitution:
                    nested.append((len(command.words) - 1, part))
            elif part.kind == "assignment":
                command.assignments.append(part.word)
                nested.append((None, part))
            elif part.kind == "redirect":
                self._redirect(part, index)
                nested.append((None, part))
        saved_stack, saved_parent = self.stage_stack, self.parent
        try:
            for word_index, part in nested:
                self.stage_stack = saved_stack
                self._substitutions(part, index, word_index)
        finally:
            self.stage_stack, self.parent = saved_stack, saved_parent

    def _substitutions(self, node, command: Optional[int], word_index: Optional[int]) -> None:
        for child in _children(node):
            if child.kind in ("commandsubstitution", "processsubstitution"):
                kind = "command_substitution" if child.kind == "commandsubstitution" else "process_substitution"
                saved = self.parent
                self.parent = (command, word_index, kind) if command is not None else None
                try:
                    self.visit(child.command)
                finally:
                    self.parent = saved
            else:
                self._substitutions(child, command, word_index)

    def _make_word(self, node) -> Word:
        start, end = node.pos
        return Word(
            text=node.word,
            raw=self.source[start:end],
            start=start,
            end=end,
            substitution=_holds_substitution(node),
        )

    def _redirect(self, node, command: Optional[int]) -> None:
        output = node.output
        if isinstance(output, int):
            target, raw = str(output), str(output)
        elif isinstance(output, str):
            target, raw = output, output
        elif output is not None and getattr(output, "kind", None) == "word":
            target, raw = output.word, self.source[output.pos[0] : output.pos[1]]
        else:
            target, raw = "", ""
        fd = node.input if isinstance(getattr(node, "input", None), int) else None
        self.result.redirects.append(
            Redirect(
                op=node.type, fd=fd, target=target, raw_target=raw, start=node.pos[0], end=node.pos[1], command=command
            )
        )

    # compound commands
    def _compound(self, node) -> None:
        for part in node.list:
            self.visit(part)
        for redirect in getattr(node, "redirects", None) or []:
            self._redirect(redirect, None)
            self._substitutions(redirect, None, None)

    def _function(self, node) -> None:
        name = node.name.word if getattr(node, "name", None) is not None else ""
        first = len(self.result.commands)
        self.result.operators.append(Operator(op=f"{name}()", start=node.pos[0], kind="keyword"))
        saved = self.function
        self.function = name
        try:
            self.visit(node.body)
        finally:
            self.function = saved
        self.result.functions.append(FunctionDef(name=name, commands=list(range(first, len(self.result.commands)))))

    def _word(self, node) -> None:
        # a word outside any simple command (a for-list, a case subject): only its substitutions run
        self._substitutions(node, None, None)

    def _if(self, node) -> None:
        self._generic(node)

    def _for(self, node) -> None:
        self.loops += 1
        try:
            self._generic(node)
        finally:
            self.loops -= 1

    _while = _until = _for

    def _generic(self, node) -> None:
        for part in node.parts:
            self.visit(part)


def _children(node) -> list:
    out = []
    for attr in ("parts", "list"):
        value = getattr(node, attr, None)
        if isinstance(value, list):
            out.extend(value)
    for attr in ("command", "output", "body"):
        value = getattr(node, attr, None)
        if value is not None and hasattr(value, "kind"):
            out.append(value)
    return out


def _holds_substitution(node) -> bool:
    for child in _children(node):
        if child.kind in ("commandsubstitution", "processsubstitution") or _holds_substitution(child):
            return True
    return False
