"""check_command: the validator's one entry point, behind `nlsh --check` and every proposal."""

from __future__ import annotations

from typing import Optional

from nlsh.schema import Risk, Verdict
from nlsh.validator.intent import with_intent
from nlsh.validator.anatomy import anatomy
from nlsh.validator.files import missing_file_warnings
from nlsh.validator.git_commands import git_command_warnings
from nlsh.validator.options import option_warnings
from nlsh.validator.parse import ParsedCommand, ParseError, parse_command
from nlsh.validator.prose import prose_sign
from nlsh.validator.risk import Context, analyse


def check_command(command: str, path: Optional[str] = None, request: Optional[str] = None) -> Verdict:
    """Parse and rate one command line; never raises.

    `path` is the PATH to resolve executables against (None: this process's PATH). A line that does
    not parse, is empty, spans several lines or reads as prose (a model describing a tool instead of
    using it) is `valid=False` and rated `dangerous`, so that anything keyed on the risk alone still
    refuses to run it. `request` is what the command was written for: where it asks for something
    dangerous that the command is not rated as, the verdict warns and is at least `caution`.
    """
    text = command if isinstance(command, str) else ""
    result = _analysis(text, path)
    if isinstance(result, str):
        return _invalid(text, result)
    parsed, analysis = result
    verdict = Verdict(command=text, risk=analysis.risk, reasons=analysis.reasons, valid=True,
                      warnings=analysis.warnings + _machine_warnings(text, parsed, path))
    return with_intent(verdict, request if isinstance(request, str) else None)


def is_command(command: str, path: Optional[str] = None) -> bool:
    """check_command(...).valid, without reading man pages for the option warnings (about 100 ms a
    program the first time), for a caller choosing among a model's answers."""
    return not isinstance(_analysis(command if isinstance(command, str) else "", path), str)


def _analysis(text: str, path: Optional[str]):
    """The parsed command line and its risk analysis, or why the line is no command."""
    try:
        parsed = parse_command(text)
    except ParseError as error:
        return str(error)
    except Exception as error:  # bashlex has more ways to fail than it documents
        return f"cannot parse: {type(error).__name__}"
    sign = prose_sign(parsed)
    if sign:
        return f"prose, not a command ({sign})"
    try:
        return parsed, analyse(parsed, Context(path=path))
    except RecursionError:
        return "the command is nested too deeply to analyse"
    except Exception as error:
        return f"cannot analyse the command ({type(error).__name__})"


def _machine_warnings(text: str, parsed: ParsedCommand, path: Optional[str]) -> list[str]:
    """What this machine says against the command, all from the one parse: options its programs'
    documentation lacks and git commands git lacks (both read off the line's anatomy), files it
    reads that are not here."""
    try:
        parts = anatomy(parsed, path)
    except Exception:  # a line nested too deeply to walk: its words are not judged
        parts = []
    warnings: list[str] = []
    for check in (lambda: git_command_warnings(parts, path), lambda: option_warnings(text, parts, path),
                  lambda: missing_file_warnings(parsed)):
        try:
            warnings += check()
        except Exception:  # the machine's own pages and files: one it cannot read is no verdict
            pass
    return warnings


def _invalid(text: str, reason: str) -> Verdict:
    return Verdict(command=text, risk=Risk.dangerous, reasons=[reason], valid=False)
