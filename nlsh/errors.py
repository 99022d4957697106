"""Errors that end an nlsh call, each carrying the exit code SPEC section 1 gives it.

The CLI turns any of these into one sentence on stderr and the exit code; nothing below the CLI
prints or exits on its own.
"""

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_NO_TRANSLATION = 4
EXIT_ABORTED = 130


class NlshError(Exception):
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(NlshError):
    """Bad input: unreadable registry or config, empty instruction, bad flag combination."""

    exit_code = EXIT_USAGE


class Refused(NlshError):
    """Dangerous without interactive confirmation, or the validator rejected the proposal."""

    exit_code = EXIT_REFUSED


class NoTranslation(NlshError):
    """The model is unsure, or produced nothing valid."""

    exit_code = EXIT_NO_TRANSLATION


class Aborted(NlshError):
    exit_code = EXIT_ABORTED
