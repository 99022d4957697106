"""The GBNF grammars that shape the model's answer.

`format` (grammars/shell.gbnf) only fixes the shape: one command line, nothing around it.
`path` also restricts the first word to executables on the user's $PATH plus shell builtins and
keywords, built at run time as a compact prefix tree so the grammar engine keeps few live stacks,
and to the words the request itself names ("oma: install nginx" may start with `oma` though it is
not installed: the user asked for it, and the validator still says it is missing).
Home grammars come from nlsh.home (one per registry); `union` joins one with a shell grammar when an
instruction may be either.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from importlib.resources import files

from nlsh.errors import UsageError
from nlsh.machine.programs import executables_on_path

GRAMMAR_MODES = ("format", "path")

# Builtins and reserved words of bash, zsh and fish that can start a command line. They are never
# on $PATH, yet a command such as `cd /tmp && ls` or `for f in *.txt; do ...` must stay possible.
BUILTINS = frozenset(
    """
    . : [ [[ alias bg bind break builtin caller case cd command compgen complete continue declare dirs
    disown do done echo elif else enable esac eval exec exit export false fc fg fi for function getopts
    hash help history if in jobs kill let local logout mapfile popd printf pushd pwd read readarray
    readonly return select set shift shopt source suspend test then time times trap true type typeset
    ulimit umask unalias unset until wait while
    autoload bindkey noglob repeat setopt unsetopt whence where which zmodload
    abbr and begin contains count end funced funcsave math not or set_color string switch
    """.split()
)

# Reserved words that only continue a compound command (`elif`, `done`): a line cannot start with one.
CONTINUATIONS = frozenset("do done elif else esac fi in then".split())

# What may follow the first word: a blank or a closing parenthesis, or an operator, which (blanks
# between allowed) may open a subshell: `ls; (cd x)` but never `setup (x)`, as in the format grammar.
_AFTER_WORD = r'[ \t)] | [;|&<>] [ \t]* "("*'


def load_grammar(name: str) -> str:
    """A grammar shipped in nlsh.grammars, by file stem (e.g. "shell")."""
    try:
        return files("nlsh.grammars").joinpath(f"{name}.gbnf").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise UsageError(f"The grammar {name}.gbnf is missing from this nlsh installation.") from exc


@functools.lru_cache(maxsize=None)
def format_grammar() -> str:
    return load_grammar("shell")


def shell_grammar(mode: str = "format", path: str | None = None, named: Iterable[str] = ()) -> str:
    """The shell grammar for a --grammar mode; `named`: words of the request a command may start with."""
    if mode == "format":
        return format_grammar()
    if mode == "path":
        return path_grammar(path if path is not None else os.environ.get("PATH", ""), named)
    raise UsageError(f"Unknown grammar mode `{mode}`; use one of: {', '.join(GRAMMAR_MODES)}.")


# A first word the grammar can spell: no blanks, quotes, control or shell-special characters.
_WORD_OK = re.compile(r"^[A-Za-z0-9_.+@%,:\[\]=-][^\s\"'`$\\;|&<>(){}*?#!~]*$")


def path_grammar(path: str, named: Iterable[str] = ()) -> str:
    """A grammar whose first word is an executable on `path`, a builtin, or one of `named`."""
    words, rules = _path_rules(path)
    extra = sorted({w for w in named if _WORD_OK.match(w)} - words - CONTINUATIONS)
    first = "(exe | named)" if extra else "exe"
    lines = [
        "# Generated: one command line whose first word exists on this machine or is named in the request.",
        f"root ::= {first} (({_AFTER_WORD}) tail)? | other tail",
        rules,
    ]
    if extra:
        lines.append("named ::= " + " | ".join(_literal(w) for w in extra))
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=8)
def _path_rules(path: str) -> tuple[frozenset[str], str]:
    """The words a command may start with on `path`, and the rules below `root` (the slow part:
    a prefix tree over a few thousand names), cached per $PATH so a request only adds its own words."""
    words = frozenset(w for w in (executables_on_path(path) | BUILTINS) - CONTINUATIONS if _WORD_OK.match(w))
    rules: list[str] = []
    trie_root = _radix_rules(sorted(words), rules)
    lines = [
        f"exe ::= {trie_root}",
        # Paths, subshells, groups and variables start a command without naming it up front.
        # Assignments (`X=1 cmd`) are left out: like capitals in the format grammar, they were the
        # way around the word list into free text (`sudokillall_x=...`).
        r"""other ::= "./" | "../" | "/" | "~/" | "(" | "{ " | "! " | "$" """,
        *rules,
        # The rest of the line as the format grammar has it (quotes that close, one line).
        *(line for line in format_grammar().splitlines() if _RULE_DEF.match(line) and not line.startswith(("root ", "head "))),
    ]
    return words, "\n".join(lines)


def _literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _radix_rules(words: list[str], rules: list[str]) -> str:
    """GBNF alternatives for a sorted word list, as a radix tree: one rule per branching node."""

    def build(group: list[str]) -> str:
        # group: suffixes sharing the prefix already emitted; "" means a word may end here.
        ends = "" in group
        rest = [w for w in group if w]
        alts: list[str] = []
        by_first: dict[str, list[str]] = {}
        for w in rest:
            by_first.setdefault(w[0], []).append(w)
        for _, members in sorted(by_first.items()):
            prefix = os.path.commonprefix(members)
            tails = [m[len(prefix):] for m in members]
            if tails == [""]:
                alts.append(_literal(prefix))
            else:
                alts.append(_literal(prefix) + " " + build(tails))
        if not alts:
            return '""'
        body = " | ".join(alts)
        name = f"w{len(rules)}"
        rules.append("")  # reserve the slot so nested rules get later numbers
        idx = len(rules) - 1
        rules[idx] = f"{name} ::= {body}" if not ends else f"{name} ::= ({body})?"
        return name

    return build(words)


# --- joining grammars ----------------------------------------------------------------------------

_RULE_DEF = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)(\s*::=)", re.M)


def prefix_rules(grammar: str, prefix: str) -> str:
    """Rename every rule of a GBNF grammar with a prefix, so two grammars can live in one file.

    Only rule names outside string literals and character classes are touched.
    """
    names = {m[0] for m in _RULE_DEF.findall(grammar)}
    if not names:
        return grammar
    out: list[str] = []
    for line in grammar.splitlines():
        if line.lstrip().startswith("#"):
            continue
        out.append(_rename_line(line, names, prefix))
    return "\n".join(out) + "\n"


def _rename_line(line: str, names: set[str], prefix: str) -> str:
    result: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == '"':  # string literal: copy through its closing quote
            j = i + 1
            while j < n and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            result.append(line[i : j + 1])
            i = j + 1
        elif c == "[":  # character class
            j = i + 1
            while j < n and line[j] != "]":
                j += 2 if line[j] == "\\" else 1
            result.append(line[i : j + 1])
            i = j + 1
        elif c == "#":  # comment to end of line
            break
        elif c.isalpha():
            j = i
            while j < n and (line[j].isalnum() or line[j] in "-_"):
                j += 1
            word = line[i:j]
            result.append(prefix + word if word in names else word)
            i = j
        else:
            result.append(c)
            i += 1
    return "".join(result)


def union(*grammars: str) -> str:
    """One grammar accepting what any of the given grammars accepts (each keeps its own rules)."""
    parts, roots = [], []
    for i, g in enumerate(grammars):
        prefix = f"g{i}-"
        parts.append(prefix_rules(g, prefix))
        roots.append(f"{prefix}root")
    return f"root ::= {' | '.join(roots)}\n" + "".join(parts)
