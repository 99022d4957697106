"""The shell validator: parse a command line, resolve its executables, rate its risk (SPEC section 2)."""

from nlsh.validator.parse import ParsedCommand, ParseError, Redirect, SimpleCommand, Word, parse_command
from nlsh.machine.resolve import Resolution, resolve_executable
from nlsh.validator.shell import check_command, is_command
from nlsh.validator.utilities import command_utilities

__all__ = [
    "check_command",
    "is_command",
    "command_utilities",
    "parse_command",
    "ParsedCommand",
    "ParseError",
    "SimpleCommand",
    "Redirect",
    "Word",
    "resolve_executable",
    "Resolution",
]
