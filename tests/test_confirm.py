"""The confirmation step, driven with real key presses.

Most tests feed keys through prompt-toolkit's pipe input into review() in this process; the tmux
tests run review() in a separate process on a real pseudo-terminal, with junk on its stdin, to
show that answers come from /dev/tty and never from the pipe.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from rich.console import Console

from nlsh import confirm
from nlsh.errors import Aborted, Refused
from nlsh.schema import Action, HomeProposal, Risk, ShellProposal
from nlsh.tty import TTY

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\r")

CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_U = "\x15"  # erase the line left of the cursor (emacs mode)
ENTER = "\r"


@pytest.fixture(scope="module")
def check_command():
    try:
        from nlsh.validator import check_command
    except ImportError:
        pytest.skip("validator (helper A) not written yet")
    return check_command


def shell(command: str, risk: Risk = Risk.safe, **extra) -> ShellProposal:
    return ShellProposal(instruction="test", command=command, risk=risk, confidence=0.83, **extra)


def home(*actions: Action, risk: Risk = Risk.caution, reasons=()) -> HomeProposal:
    return HomeProposal(instruction="test", actions=list(actions), risk=risk, reasons=list(reasons), confidence=0.9)


class Screen:
    """Everything review() drew and asked, as plain text, from one pipe-input session."""

    def __init__(self, keys: str):
        self.keys = keys
        self.buffer = io.StringIO()

    def run(self, proposal, **kwargs):
        kwargs.setdefault("validate", lambda c: pytest.fail("validate must not be called"))
        kwargs.setdefault("explain", lambda c: pytest.fail("explain must not be called"))
        kwargs.setdefault("review", confirm.review)
        review = kwargs.pop("review")
        with create_pipe_input() as pipe:
            pipe.send_text(self.keys)
            output = Vt100_Output(self.buffer, lambda: Size(rows=40, columns=100))
            console = Console(file=self.buffer, width=100, color_system=None)
            return review(proposal, tty=TTY.for_streams(pipe, output, console), **kwargs)

    @property
    def text(self) -> str:
        return ANSI.sub("", self.buffer.getvalue())


def test_abort_key_returns_none_and_shows_everything():
    screen = Screen("a")
    proposal = shell("find ~ -type f -size +100M", Risk.caution, reasons=["reads your whole home"],
                     warnings=["unknown command: frob"])
    assert screen.run(proposal) is None
    text = screen.text
    assert "find ~ -type f -size +100M" in text
    assert "caution" in text and "reads your whole home" in text and "unknown command: frob" in text
    assert "83%" in text
    assert "[e/d/x/A]" in text


def test_enter_means_abort_by_default():
    assert Screen(ENTER).run(shell("ls")) is None


def test_execute_returns_the_command():
    assert Screen("e").run(shell("ls -la")) == "ls -la"


def test_other_keys_are_ignored_and_case_does_not_matter():
    assert Screen("qz1 E").run(shell("ls -la")) == "ls -la"


def test_configured_default_execute():
    screen = Screen(ENTER)
    assert screen.run(shell("ls"), default="execute") == "ls"
    assert "[E/d/x/a]" in screen.text


def test_explain_prints_and_asks_again():
    pytest.importorskip("nlsh.explain", reason="explain (helper A) not written yet")
    screen = Screen("x" + "e")
    # Execute after eXplain: the question came back instead of the review ending.
    assert screen.run(shell("ls -la"), explain=confirm.explain_text) == "ls -la"
    expected = confirm.explain_text("ls -la")
    assert expected.strip()
    first_line = expected.strip().splitlines()[0].strip()
    assert first_line in screen.text
    assert screen.text.index(first_line) > screen.text.index("[e/d/x/A]")


def test_edit_is_prefilled_and_revalidated(check_command):
    screen = Screen("d" + " /tmp" + ENTER + "e")
    final = screen.run(shell("ls -la"), validate=check_command, review=confirm.review_proposal)
    # Typing " /tmp" after the prefilled text proves the editor started with the command in it.
    assert final.command == "ls -la /tmp"
    verdict = check_command("ls -la /tmp")
    assert final.risk == verdict.risk
    assert "edited by you" in screen.text
    assert screen.text.count("ls -la /tmp") >= 1


def test_edit_to_a_riskier_command_takes_the_new_verdict(check_command):
    new = "rm -rf ~/old-photos"
    verdict = check_command(new)
    assert verdict.risk is not Risk.safe
    confirm_keys = "yes" + ENTER if verdict.risk is Risk.dangerous else ""
    screen = Screen("d" + CTRL_U + new + ENTER + "e" + confirm_keys)
    final = screen.run(shell("ls ~/old-photos"), validate=check_command, review=confirm.review_proposal)
    assert final.command == new
    assert final.risk == verdict.risk
    assert final.reasons == verdict.reasons
    for reason in verdict.reasons:
        assert reason in screen.text


def test_edited_command_that_cannot_parse_is_never_executed(check_command):
    broken = "echo 'unterminated"
    assert check_command(broken).valid is False
    screen = Screen("d" + CTRL_U + broken + ENTER + "e" + "a")
    assert screen.run(shell("echo ok"), validate=check_command) is None
    assert "cannot be run" in screen.text


def test_empty_edit_keeps_the_command():
    screen = Screen("d" + CTRL_U + ENTER + "e")
    assert screen.run(shell("ls")) == "ls"
    assert "keeping the previous one" in screen.text


def test_dangerous_needs_the_word_yes():
    proposal = shell("rm -rf ~", Risk.dangerous, reasons=["deletes your home directory"])
    screen = Screen("e" + "y" + ENTER + "e" + ENTER + "e" + "yes please" + ENTER + "e" + "yes" + ENTER)
    assert screen.run(proposal) == "rm -rf ~"
    assert screen.text.count("Not confirmed") == 3
    assert "Type yes" in screen.text


def test_dangerous_without_yes_then_abort_runs_nothing():
    screen = Screen("e" + "no" + ENTER + "a")
    assert screen.run(shell("dd if=/dev/zero of=/dev/sda", Risk.dangerous)) is None


@pytest.mark.parametrize("keys", [CTRL_C, CTRL_D, "d" + CTRL_C, "e" + CTRL_C])
def test_ctrl_c_and_ctrl_d_abort(keys):
    with pytest.raises(Aborted) as caught:
        Screen(keys).run(shell("chmod -R 777 /", Risk.dangerous))
    assert caught.value.exit_code == 130


def test_preview_is_shown_before_a_delete(tmp_path):
    pytest.importorskip("nlsh.preview", reason="preview (helper A) not written yet")
    for name in ("a.log", "b.log", "keep.txt"):
        (tmp_path / name).write_text(name)
    screen = Screen("a")
    proposal = shell("rm *.log", Risk.caution)
    assert screen.run(proposal, preview=lambda c: confirm.preview_text(c, cwd=str(tmp_path))) is None
    text = screen.text
    assert "a.log" in text and "b.log" in text and "keep.txt" not in text
    assert text.index("a.log") < text.index("[e/d/x/A]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.log", "b.log", "keep.txt"]


def test_home_offers_execute_explain_abort_only():
    proposal = home(Action(device="light.kitchen", action="turn_off"),
                    Action(device="climate.living_room", action="set_temperature", args={"temperature": 21}))
    screen = Screen("d" + "x" + "e")
    answer = screen.run(proposal)
    assert json.loads(answer) == [a.model_dump() for a in proposal.actions]
    text = screen.text
    assert "[e/x/A]" in text
    assert "light.kitchen" in text and "set_temperature" in text and "temperature=21" in text
    assert "2. set temperature climate.living_room" in text
    assert "edit>" not in text


def test_home_dangerous_needs_yes():
    proposal = home(Action(device="lock.front_door", action="unlock"), risk=Risk.dangerous,
                    reasons=["unlocks a door"])
    screen = Screen("e" + ENTER + "e" + "yes" + ENTER)
    final = screen.run(proposal, review=confirm.review_proposal)
    assert final == proposal
    assert "unlocks a door" in screen.text and "Not confirmed" in screen.text


def test_no_terminal_is_refused():
    # A new session has no controlling terminal, like cron or a CI job.
    code = """
        import sys
        from nlsh.confirm import review
        from nlsh.errors import Refused
        from nlsh.schema import ShellProposal
        p = ShellProposal(instruction='x', command='ls', confidence=0.5)
        try:
            review(p, validate=None, explain=None)
        except Refused as err:
            print(err.message)
            sys.exit(err.exit_code)
        """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], input="e\n", capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
                          timeout=60)
    assert proc.returncode == 3
    assert proc.stdout.startswith("no terminal to confirm on")


def test_unopenable_terminal_is_refused(tmp_path):
    with pytest.raises(Refused):
        TTY.open(str(tmp_path / "missing-tty"))


# --- on a real terminal ------------------------------------------------------------------------

class Tmux:
    """One tmux server on a private socket, running one program in a 100x40 pane."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="nlsh-tmux-")  # short path: sockets have a length limit
        self.socket = os.path.join(self.dir, "s")

    def tmux(self, *args, **kwargs):
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True,
                              text=True, timeout=20, **kwargs)

    def start(self, command: str, env: dict):
        self.tmux("new-session", "-d", "-x", "100", "-y", "40", "-s", "t", command,
                  env={**os.environ, **env})
        self.tmux("set-option", "-t", "t", "remain-on-exit", "on")

    def send(self, *keys: str):
        self.tmux("send-keys", "-t", "t", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t", "-S", "-200").stdout

    def wait_for(self, text: str, count: int = 1, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared {count} time(s); screen:\n{self.screen()}")

    def close(self):
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def term():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    t = Tmux()
    yield t
    t.close()


REVIEW_SCRIPT = """
import sys
from nlsh.confirm import review
from nlsh.schema import ShellProposal, Verdict
risk = sys.argv[2]
p = ShellProposal(instruction='x', command=sys.argv[3], risk=risk, reasons=['test reason'], confidence=0.5)
piped = sys.stdin.read()
answer = review(p, validate=lambda c: Verdict(command=c, risk=risk), explain=lambda c: 'EXPLAINED ' + c)
with open(sys.argv[1], 'w') as f:
    f.write(repr((piped, answer)))
"""


def run_review_in_tmux(term: Tmux, tmp_path: Path, risk: str, command: str) -> Path:
    script = tmp_path / "review.py"
    script.write_text(REVIEW_SCRIPT)
    result = tmp_path / "result"
    # stdin is a pipe full of keys that would confirm; only the terminal may answer.
    line = f"printf 'e\\nyes\\n' | {sys.executable} {script} {result} {risk} '{command}'"
    term.start(line, {"PYTHONPATH": str(ROOT)})
    term.wait_for("[e/d/x/A]")
    return result


def wait_for_file(path: Path, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


def test_tty_edit_then_execute(term, tmp_path):
    result = run_review_in_tmux(term, tmp_path, "safe", "ls -la")
    term.send("x")
    term.wait_for("EXPLAINED ls -la")
    term.send("d")
    term.wait_for("edit> ls -la")
    term.send("C-u", "echo edited", "Enter")
    term.wait_for("edited by you")
    term.send("e")
    assert wait_for_file(result) == repr(("e\nyes\n", "echo edited"))


def test_tty_dangerous_requires_typed_yes(term, tmp_path):
    result = run_review_in_tmux(term, tmp_path, "dangerous", "rm -rf ~")
    screen = term.screen()
    assert "dangerous" in screen and "test reason" in screen
    term.send("e")
    term.wait_for("Type yes")
    term.send("y", "Enter")
    term.wait_for("Not confirmed")
    term.send("e")
    term.wait_for("Type yes", count=2)
    term.send("yes", "Enter")
    assert wait_for_file(result) == repr(("e\nyes\n", "rm -rf ~"))


def test_tty_enter_aborts(term, tmp_path):
    result = run_review_in_tmux(term, tmp_path, "safe", "ls")
    term.send("Enter")
    assert wait_for_file(result) == repr(("e\nyes\n", None))
