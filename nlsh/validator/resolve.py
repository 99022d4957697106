"""Moved to nlsh.machine.resolve; this name stays until the validator's risk module imports it from there."""

from nlsh.machine.resolve import BUILTINS, KEYWORDS, Resolution, resolve_executable  # noqa: F401
