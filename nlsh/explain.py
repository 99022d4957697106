"""Explain a command line one utility and one flag at a time, from documentation on this machine.

Descriptions come from the man page, else the builtin's `help`, else `CMD --help` (only for
well-known executables in system directories, with a short timeout), and the user's own tldr client
cache where there is one (nlsh.machine.docs). No model and no network: what it says is what the
installed programs document about themselves, so it is right for this OS's flags.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field

from nlsh.validator.anatomy import Part, anatomy
from nlsh.validator.parse import ParseError, parse_command


class Explanation(BaseModel):
    command: str
    parts: list[Part] = Field(default_factory=list)
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
        parts = anatomy(parsed, path)
    except RecursionError:
        return Explanation(command=command, error="the command is nested too deeply to explain")
    return Explanation(command=command, parts=parts)


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


def _label(part: Part) -> str:
    indent = "  " * part.depth + ("  " if part.kind in ("flag", "argument", "subcommand") else "")
    return indent + part.word
