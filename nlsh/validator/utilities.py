"""Which utilities a command line runs, wrapped ones included (`sudo X`, `xargs X`, `find -exec X`).

Used to score answers ("same utilities") and to balance and filter training data, so training and
evaluation read commands exactly as the validator does.
"""

from __future__ import annotations

from nlsh.validator.parse import ParseError, Word, parse_command
from nlsh.validator.risk import find_exec_commands, utility_name, wrapped_command
from nlsh.validator.rules import WRAPPERS


def command_utilities(command: str) -> list[str] | None:
    """Utilities in command position, in order; None when the command does not parse."""
    try:
        parsed = parse_command(command)
    except (ParseError, RecursionError):
        return None
    found: list[str] = []
    for cmd in parsed.commands:
        _collect(cmd.words, found, depth=0)
    return found


def _collect(words: list[Word], found: list[str], depth: int) -> None:
    if not words or depth > 8:
        return
    name = utility_name(words[0].text)
    found.append(name)
    spec = WRAPPERS.get(name)
    if spec is not None:
        wrapped = wrapped_command(name, spec, words)
        if wrapped.start is not None:
            _collect(words[wrapped.start :], found, depth + 1)
    if name == "find":
        for _, inner in find_exec_commands(words):
            _collect(inner, found, depth + 1)
