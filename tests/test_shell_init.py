"""`nlsh init bash|zsh|fish` in the real shells: each one starts in tmux with an rc file that evals the
snippet, an instruction is typed, Ctrl-G pressed, and the command line read back from the screen.

What the line must then hold is whatever `nlsh --dry-run` prints for that instruction in the same
isolated home with the same model (asked in a separate process, cache off). A failing nlsh must leave
the typed text alone and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nlsh.errors import UsageError
from nlsh.shell_init import Key, nlsh_invocation, snippet

# Simple requests the model translates; the first one `nlsh --dry-run` answers is used. (More than
# one, so that a new adapter that happens to fumble one of them does not fail these tests.)
INSTRUCTIONS = ["print working directory", "list files", "show the current date"]
PROMPT = "$ "
BAD_CONFIG = "bogus_key = 1\n"  # an unknown key: nlsh exits 2 at once, before any model loads

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def nlsh_argv() -> list[str]:
    """The installed `nlsh` script next to this Python when there is one (what users eval), else -m."""
    script = Path(sys.executable).parent / "nlsh"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "nlsh"]


class Tmux:
    """One private tmux server running one program in one pane."""

    def __init__(self, env: dict[str, str], cwd: Path, width: int = 220, height: int = 40):
        self.dir = tempfile.mkdtemp(prefix="nlsh-tmux-")  # socket paths must stay short
        self.socket = os.path.join(self.dir, "s")
        self.env = {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}
        self.env["TERM"] = "xterm-256color"
        self.cwd = cwd
        self.size = (width, height)

    def __call__(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], check=True,
                              capture_output=True, text=True, timeout=20, env=self.env).stdout

    def start(self, *argv: str) -> None:
        # Several words: tmux runs the program itself, not through $SHELL (which may be fish).
        self("new-session", "-d", "-x", str(self.size[0]), "-y", str(self.size[1]), "-c", str(self.cwd), *argv)

    def keys(self, *keys: str) -> None:
        self("send-keys", *keys)

    def type(self, text: str) -> None:
        self("send-keys", "-l", text)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-J")

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        """The screen once it satisfies `predicate` and has stopped changing (no half-drawn line)."""
        deadline = time.monotonic() + timeout
        screen, previous = "", None
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen) and screen == previous:
                return screen
            previous = screen if predicate(screen) else None
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], check=False, capture_output=True, env=self.env)
        shutil.rmtree(self.dir, ignore_errors=True)


def last_prompt_line(screen: str) -> str | None:
    """The text after the last prompt on the screen: the command line being edited."""
    lines = [line.rstrip() for line in screen.splitlines()]
    for line in reversed(lines):
        if line.startswith(PROMPT.rstrip()):
            return line[len(PROMPT):] if len(line) >= len(PROMPT) else ""
    return None


def write_rc(shell: str, home, snippet_text: str) -> list[str]:
    """Put the snippet in the shell's own rc file in the isolated home; return the argv to start it."""
    if shell == "bash":
        (home.home / ".bashrc").write_text(snippet_text + f"PS1='{PROMPT}'\n")
        return ["bash", "-i"]
    if shell == "zsh":
        (home.home / ".zshrc").write_text(snippet_text + f"PROMPT='{PROMPT}'\nunsetopt PROMPT_SP\nbindkey -e\n")
        return ["zsh", "-i"]
    config = Path(home.env["XDG_CONFIG_HOME"]) / "fish"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.fish").write_text(
        snippet_text + "set -g fish_greeting ''\nfunction fish_prompt; printf '%s' '" + PROMPT + "'; end\n"
    )
    return ["fish", "-i"]


def init_snippet(home, shell: str, *options: str) -> str:
    proc = subprocess.run([*nlsh_argv(), "init", shell, *options], check=False, capture_output=True, text=True,
                          env=home.env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_key_replaces_the_line_with_the_dry_run_command(shell, isolated_home, run_nlsh):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    argv = write_rc(shell, isolated_home, init_snippet(isolated_home, shell))
    # The request from a separate process with the cache off: what the binding must put on the line
    # is exactly what nlsh --dry-run prints, for the shell the command is for.
    instruction, command, failures = None, None, []
    for candidate in INSTRUCTIONS:
        expected = run_nlsh("--dry-run", "--no-cache", candidate, env={"SHELL": shell})
        if expected.returncode == 0:
            instruction, command = candidate, expected.stdout.decode().strip()
            break
        failures.append(f"{candidate!r}: exit {expected.returncode}, {expected.stderr.decode().strip()}")
    assert instruction is not None, "nlsh --dry-run translated none of the requests: " + "; ".join(failures)
    assert command and "\n" not in command

    env = {**isolated_home.env, "SHELL": shutil.which(shell)}
    tmux = Tmux(env, isolated_home.home)
    try:
        tmux.start(*argv)
        tmux.wait_for(lambda s: last_prompt_line(s) == "", "the prompt")
        tmux.type(instruction)
        tmux.wait_for(lambda s: last_prompt_line(s) == instruction, "the typed instruction")
        tmux.keys("C-g")
        screen = tmux.wait_for(lambda s: last_prompt_line(s) not in (instruction, "", None), "the translation")
        assert last_prompt_line(screen) == command, screen
        # Nothing ran: the only prompt with text on it is the one holding the proposal.
        busy = [ln.rstrip() for ln in screen.splitlines() if ln.strip() and ln.strip() != PROMPT.strip()]
        assert busy == [PROMPT + command], screen

        # Failure: nlsh exits non-zero (here a config file it refuses), the typed text stays on
        # the line, and nlsh's own sentence is shown.
        isolated_home.write_config(BAD_CONFIG)
        tmux.keys("C-e", "C-u")
        tmux.wait_for(lambda s: last_prompt_line(s) == "", "an empty line")
        screen = press_and_keep(tmux, "list files", "C-g")
        assert "unknown key `bogus_key`" in screen
        assert "Traceback" not in screen
    finally:
        tmux.close()


def press_and_keep(tmux, text: str, key: str) -> str:
    """Type text, press the binding while nlsh fails (bad config): the text stays, the error shows."""
    tmux.type(text)
    tmux.wait_for(lambda s: last_prompt_line(s) == text, "the typed text")
    tmux.keys(key)
    screen = tmux.wait_for(lambda s: "bogus_key" in s, "the error message", timeout=30)
    assert last_prompt_line(screen) == text, screen
    return screen


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_other_key_is_bound_and_failure_keeps_the_text(isolated_home):
    """--key alt-t in bash: Alt-T calls nlsh (which fails at once here), Ctrl-G is left alone."""
    isolated_home.write_config(BAD_CONFIG)
    argv = write_rc("bash", isolated_home, init_snippet(isolated_home, "bash", "--key", "alt-t"))
    tmux = Tmux(isolated_home.env, isolated_home.home)
    try:
        tmux.start(*argv)
        tmux.wait_for(lambda s: last_prompt_line(s) == "", "the prompt")
        screen = press_and_keep(tmux, "show disk usage", "M-t")
        assert screen.count("bogus_key") == 1
    finally:
        tmux.close()


# -- the snippet itself ------------------------------------------------------------------------------


SYNTAX_CHECK = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("key", ["ctrl-g", "alt-e", "C-x", "^o"])
def test_snippet_parses_in_its_shell(shell, key, tmp_path):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    # A path with a space and a quote must survive each shell's quoting.
    argv = [str(tmp_path / "odd dir's" / "nlsh")]
    text = snippet(shell, key, argv)
    file = tmp_path / f"snippet.{shell}"
    file.write_text(text)
    proc = subprocess.run([*SYNTAX_CHECK[shell], str(file)], check=False, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "--dry-run" in text


def test_fish_quoting_round_trips(tmp_path):
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    from nlsh.shell_init import fish_quote

    word = "a b'c\\d\"$e(f)"
    proc = subprocess.run(["fish", "--no-config", "-c", f"printf '%s' {fish_quote(word)}"],
                          check=False, capture_output=True, text=True, timeout=30)
    assert proc.stdout == word


def test_snippet_calls_the_nlsh_that_printed_it(isolated_home, run_nlsh):
    proc = run_nlsh("init", "bash")  # started as `python -m nlsh`
    assert proc.returncode == 0
    text = proc.stdout.decode()
    assert f"{sys.executable} -m nlsh --dry-run" in text
    script = Path(sys.executable).parent / "nlsh"
    if script.is_file():
        proc = subprocess.run([str(script), "init", "zsh"], check=False, capture_output=True, text=True,
                              env=isolated_home.env, timeout=60)
        assert proc.returncode == 0
        assert f"{script} --dry-run" in proc.stdout


def test_invocation_falls_back_to_this_python(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/nonexistent/nlsh"])
    assert nlsh_invocation() == [os.path.abspath(sys.executable), "-m", "nlsh"]


@pytest.mark.parametrize("spec,bash,zsh,fish", [
    ("ctrl-g", "\\C-g", "^G", "\\cg"),
    ("Ctrl+K", "\\C-k", "^K", "\\ck"),
    ("alt-e", "\\ee", "^[e", "\\ee"),
    ("M-5", "\\e5", "^[5", "\\e5"),
])
def test_key_spellings(spec, bash, zsh, fish):
    key = Key.parse(spec)
    assert (key.readline(), key.zsh(), key.fish()) == (bash, zsh, fish)


@pytest.mark.parametrize("spec", ["ctrl-c", "ctrl-m", "ctrl-5", "g", "ctrl-", "shift-g", "ctrl-gg", ""])
def test_bad_keys_are_usage_errors(spec):
    with pytest.raises(UsageError):
        Key.parse(spec)


@pytest.mark.parametrize("args", [["tcsh"], [], ["bash", "--key", "ctrl-c"], ["zsh", "--key", "banana"]])
def test_bad_input_is_one_sentence_and_exit_2(args, run_nlsh):
    proc = run_nlsh("init", *args)
    assert proc.returncode == 2
    assert proc.stdout == b""
    err = proc.stderr.decode().strip()
    assert err.startswith("nlsh: ") and "\n" not in err
