"""The terminal a person answers on.

Confirmation must come from a person, never from piped stdin: `echo x | nlsh "..."` has to ask the
terminal, and a script without one must be refused rather than auto-confirmed. So answers are read
from /dev/tty and the proposal is drawn there too, leaving stdout to the command that runs.
Tests build a TTY from prompt-toolkit's pipe input instead.
"""

from __future__ import annotations

import io
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.input import Input, create_input
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import Output, create_output
from prompt_toolkit.lexers import PygmentsLexer
from pygments.lexers.shell import BashLexer
from rich.console import Console

from nlsh.errors import Aborted, Refused

TTY_PATH = "/dev/tty"


class TTY:
    """prompt-toolkit input/output for answers plus a rich console for drawing, on one terminal."""

    def __init__(self, input: Input, output: Output, console: Console, files: tuple[TextIO, ...] = ()):
        self.input = input
        self.output = output
        self.console = console
        self._files = files

    @classmethod
    def open(cls, path: str = TTY_PATH, *, color: bool | None = None) -> "TTY":
        """Open the controlling terminal; Refused when there is none (cron, CI, a detached script)."""
        try:
            reader = open(path, "r", encoding="utf-8", errors="replace")
        except OSError as err:
            raise Refused(
                f"no terminal to confirm on ({err.strerror or err}); "
                "use --dry-run to print the command, or --yes to run safe commands"
            ) from None
        try:
            writer = open(path, "w", encoding="utf-8", errors="replace")
        except OSError as err:
            reader.close()
            raise Refused(f"no terminal to confirm on ({err.strerror or err})") from None
        console = Console(
            file=writer,
            force_terminal=True,
            no_color=None if color is None else not color,
            highlight=False,
        )
        return cls(create_input(reader), create_output(stdout=writer), console, (reader, writer))

    @classmethod
    def for_streams(cls, input: Input, output: Output, console: Console | None = None) -> "TTY":
        """A TTY over given prompt-toolkit streams (pipe input in tests, the REPL's own streams)."""
        return cls(input, output, console or Console(file=io.StringIO(), highlight=False))

    def close(self) -> None:
        for f in self._files:
            try:
                f.close()
            except OSError:
                pass
        self._files = ()

    def __enter__(self) -> "TTY":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def print(self, *objects, **kwargs) -> None:
        self.console.print(*objects, **kwargs)

    def read_key(self, message: str, keys: str, default: str) -> str:
        """Wait for one of `keys` (case-insensitive); Enter answers `default`. Other keys are ignored.

        Ctrl-C and Ctrl-D raise Aborted: leaving the question is leaving the whole proposal.
        """
        bindings = KeyBindings()

        def answer(key: str):
            def handler(event) -> None:
                event.app.current_buffer.text = key  # echo the choice, like a shell prompt would
                event.app.exit(result=key)

            return handler

        for key in keys:
            bindings.add(key)(answer(key))
            if key.upper() != key:
                bindings.add(key.upper())(answer(key))
        bindings.add("enter")(answer(default))
        bindings.add("c-c")(_abort)
        bindings.add("c-d")(_abort)

        @bindings.add(Keys.Any)
        def _other(event) -> None:
            pass  # a stray key must neither be typed into the answer nor choose anything

        session = PromptSession(message, key_bindings=bindings, input=self.input, output=self.output)
        return self._run(session, "")

    def read_line(self, message: str, default: str = "", shell_syntax: bool = False) -> str:
        """A line editor prefilled with `default` (history-less: editing one command is its own task)."""
        lexer = PygmentsLexer(BashLexer) if shell_syntax else None
        session = PromptSession(message, input=self.input, output=self.output, lexer=lexer)
        return self._run(session, default)

    def _run(self, session: PromptSession, default: str) -> str:
        self.console.file.flush()
        try:
            return session.prompt(default=default)
        except (KeyboardInterrupt, EOFError):
            raise Aborted("aborted") from None


def _abort(event) -> None:
    event.app.exit(exception=KeyboardInterrupt())
