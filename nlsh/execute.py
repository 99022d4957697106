"""Running a confirmed command in the user's own shell, attached to the user's terminal."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading

SUPPORTED_SHELLS = ("bash", "zsh", "fish")
FALLBACK_SHELL = "/bin/sh"


def resolve_shell(shell: str | None = None) -> str:
    """The shell to run commands in: `shell` or $SHELL if it is bash, zsh or fish and exists, else /bin/sh.

    Commands are translated for a known shell family; handing them to some other shell (csh, nu,
    xonsh) would run them under rules the model never saw, so anything unknown gets POSIX sh.
    """
    candidate = shell or os.environ.get("SHELL") or ""
    name = os.path.basename(candidate).lstrip("-")  # login shells are sometimes recorded as -bash
    if name not in SUPPORTED_SHELLS:
        return FALLBACK_SHELL
    if os.path.isabs(candidate) and os.path.basename(candidate) == name and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(name)
    return found or FALLBACK_SHELL


def shell_name(shell: str | None = None) -> str:
    """'bash', 'zsh', 'fish' or 'sh': the family the prompt should ask the model to write for."""
    name = os.path.basename(resolve_shell(shell))
    return name if name in SUPPORTED_SHELLS else "sh"


def run_command(command: str, shell: str | None = None, *, instruction: str | None = None) -> int:
    """Run `command` with `<shell> -c`, on nlsh's own stdin/stdout/stderr, and return its exit status.

    Nothing is captured, so pagers, editors and prompts inside the command work. A command killed
    by signal N reports 128+N, as shells do. The command and its status go to the history file.
    """
    # Imported here: it brings prompt-toolkit, and a --dry-run only asks for shell_name.
    from nlsh import history

    argv = [resolve_shell(shell), "-c", command]
    with _signals_go_to_child():
        try:
            status = subprocess.call(argv)
        except OSError as err:
            print(f"nlsh: cannot start {argv[0]}: {err.strerror or err}.", file=sys.stderr)
            status = 127
    code = 128 - status if status < 0 else status
    history.record(command, code, instruction)
    return code


class _signals_go_to_child:
    """While the child runs, Ctrl-C and Ctrl-\\ are for the child, not for nlsh.

    The terminal sends SIGINT to the whole foreground group; nlsh must survive it to record the
    exit status. A Python-level no-op handler (unlike SIG_IGN) is reset to the default on exec,
    so the child still gets the usual behaviour.
    """

    _SIGNALS = (signal.SIGINT, signal.SIGQUIT)

    def __enter__(self):
        self._saved = {}
        if threading.current_thread() is threading.main_thread():
            for sig in self._SIGNALS:
                self._saved[sig] = signal.signal(sig, _ignore)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        return False


def _ignore(signum, frame) -> None:
    pass
