"""The REPL on the real model: keys go in through prompt-toolkit's pipe input (and, once, through a
real terminal in tmux); the translations come from the real pipeline."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from rich.console import Console

from nlsh import history
from nlsh.errors import NlshError, UsageError
from nlsh.prompt import Example
from nlsh.repl import run_repl

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\r")
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_U = "\x15"
UP = "\x1b[A"
ENTER = "\r"


class Recorder:
    """The real translator, with a note of what the REPL asked it and what came back (a proposal or the
    error). Every answer comes from the model; this only lets the key-typing thread know when the
    REPL has moved on."""

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.calls: list[tuple[str, Example | None]] = []
        self.results: list = []
        self.changed = threading.Condition()

    def translate(self, instruction, previous=None):
        self.calls.append((instruction, previous))
        try:
            result = self.pipeline.translate(instruction, previous=previous)
        except Exception as err:
            result = err
        with self.changed:
            self.results.append(result)
            self.changed.notify_all()
        if isinstance(result, Exception):
            raise result
        return result

    def check(self, command, kind=None):
        return self.pipeline.check(command, kind)

    def result(self, n: int, timeout: float = 120):
        """The outcome of the n-th translation (1-based), once the REPL has it."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.results) >= n, timeout):
                raise AssertionError(f"translation {n} never finished")
            return self.results[n - 1]


class Session:
    """A REPL on a pipe input: run_repl in this thread, the test's keystrokes from another one.

    Keys for the review are sent only after the translation is back, so they reach the question
    that belongs to them whether the model produced a proposal or an error.
    """

    def __init__(self, pipeline):
        self.recorder = Recorder(pipeline)
        self.buffer = io.StringIO()
        self.pipe = None
        self.exited = threading.Event()

    def send(self, keys: str) -> None:
        self.pipe.send_text(keys)

    def leave(self) -> None:
        """End the session whatever the last request left open: Ctrl-D at a question drops the
        proposal and returns to the prompt, where the next Ctrl-D ends the REPL."""
        for _ in range(5):
            self.send(CTRL_D)
            if self.exited.wait(3):
                return
        raise AssertionError(f"the REPL did not end on Ctrl-D:\n{self.text[-2000:]}")

    def instruct(self, instruction: str):
        """Type an instruction and return what the pipeline made of it (a proposal or an error)."""
        n = len(self.recorder.results) + 1
        self.send(instruction + ENTER)
        return self.recorder.result(n)

    def proposal(self, *instructions: str):
        """Try instructions until the model gives a proposal; each failure must have been reported."""
        for instruction in instructions:
            result = self.instruct(instruction)
            if not isinstance(result, Exception):
                return result
            assert isinstance(result, NlshError), repr(result)
            self.wait_for(result.message)
        pytest.fail(f"the model gave no proposal for any of {instructions}")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared in:\n{self.text[-2000:]}")
            time.sleep(0.02)

    @property
    def text(self) -> str:
        return ANSI.sub("", self.buffer.getvalue())

    def run(self, script: Callable[["Session"], None], **kwargs) -> int:
        failure: list[BaseException] = []

        def typist():
            try:
                script(self)
                self.leave()
            except BaseException as err:  # noqa: BLE001 - handed to the test thread below
                failure.append(err)
                # Leave whatever question is open, then the REPL itself.
                for _ in range(3):
                    self.send(CTRL_C + CTRL_D)
                    time.sleep(0.2)

        with create_pipe_input() as pipe:
            self.pipe = pipe
            output = Vt100_Output(self.buffer, lambda: Size(rows=40, columns=100))
            console = Console(file=self.buffer, width=100, color_system=None)
            thread = threading.Thread(target=typist, daemon=True)
            thread.start()
            code = run_repl(self.recorder, None, input=pipe, output=output, console=console, **kwargs)
            self.exited.set()
            thread.join(timeout=30)
        if failure:
            raise failure[0]
        return code


# Everyday requests; the first one the model answers is used where a test needs a proposal.
EVERYDAY = ("show free disk space", "print the current directory", "list all files")


@pytest.fixture(scope="session")
def repl_pipeline(model, cache_seed, tmp_path_factory):
    """The real translator on the session's model (load_model hands back the already loaded one)."""
    from conftest import seed_cache
    from nlsh.api import Translator
    from nlsh.config import Config

    cache = tmp_path_factory.mktemp("repl-cache")
    seed_cache(cache / "nlsh", cache_seed)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(cache))
        pipeline = Translator(Config(), use_cache=False)
        assert pipeline.model is model
    yield pipeline
    pipeline.close()


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_ctrl_d_on_an_empty_line_exits_0(repl_pipeline, data_home):
    session = Session(repl_pipeline)
    assert session.run(lambda s: None) == 0
    assert session.recorder.calls == []


def test_proposal_is_shown_and_abort_runs_nothing(repl_pipeline, data_home):
    def script(s: Session):
        proposal = s.proposal(*EVERYDAY)
        s.wait_for("[e/d/x/A]")
        s.send("a")
        s.wait_for("aborted")
        s.shown = proposal

    session = Session(repl_pipeline)
    assert session.run(script) == 0
    text = session.text
    assert session.shown.command.split()[0] in text
    assert f"risk: {session.shown.risk.value}" in text
    assert history.read_entries() == []


def test_a_failed_translation_costs_one_sentence_not_the_session(repl_pipeline, data_home):
    too_long = "find the file " + "x" * 2100

    def script(s: Session):
        failure = s.instruct(too_long)
        assert isinstance(failure, UsageError)
        s.wait_for(failure.message)
        s.proposal(*EVERYDAY)  # the session goes on
        s.wait_for("[e/d/x/A]")
        s.send("a")
        s.wait_for("aborted")

    session = Session(repl_pipeline)
    assert session.run(script) == 0
    assert "Traceback" not in session.text


def test_ctrl_c_cancels_the_line_being_typed(repl_pipeline, data_home):
    def script(s: Session):
        s.send("delete everything" + CTRL_C)
        result = s.instruct("show the date")
        if not isinstance(result, Exception):
            s.wait_for("[e/d/x/A]")
            s.send("a")
            s.wait_for("aborted")

    session = Session(repl_pipeline)
    assert session.run(script) == 0
    assert [instruction for instruction, _ in session.recorder.calls] == ["show the date"]


def test_ctrl_c_at_the_question_drops_the_proposal(repl_pipeline, data_home):
    def script(s: Session):
        s.proposal(*EVERYDAY)
        s.wait_for("[e/d/x/A]")
        s.send(CTRL_C)
        s.wait_for("aborted")

    session = Session(repl_pipeline)
    assert session.run(script) == 0
    assert history.read_entries() == []


def test_follow_up_carries_the_previous_turn(repl_pipeline, data_home):
    def script(s: Session):
        s.first = s.proposal(*EVERYDAY)
        s.wait_for("[e/d/x/A]")
        s.send("a")
        s.wait_for("aborted")
        s.instruct("only the .py ones")

    session = Session(repl_pipeline)
    assert session.run(script) == 0
    *_, (before, _), (follow_up, previous) = session.recorder.calls
    assert follow_up == "only the .py ones"
    assert previous == Example(instruction=before, answer=session.first.command)
    # ... and the model is shown it.
    assert f"{before} => {session.first.command}" in repl_pipeline.prompt(follow_up, previous)


def test_edit_and_execute_runs_records_and_learns(repl_pipeline, data_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    learned = []
    edited = "echo repl-ran > marker"

    def script(s: Session):
        s.proposal(*EVERYDAY)
        s.wait_for("[e/d/x/A]")
        s.send("d")
        s.send(CTRL_U + edited + ENTER)
        s.wait_for("edited by you")
        s.send("e")
        s.instruct("now show it")

    session = Session(repl_pipeline)
    assert session.run(script, learn=lambda i, c: learned.append((i, c))) == 0
    assert (tmp_path / "marker").read_text() == "repl-ran\n"
    instruction = session.recorder.calls[-2][0]
    [entry] = history.read_entries()
    assert (entry.instruction, entry.command, entry.exit_code) == (instruction, edited, 0)
    assert learned == [(instruction, edited)]
    # The follow-up refines what was run, not what was first proposed.
    assert session.recorder.calls[-1][1] == Example(instruction=instruction, answer=edited)


def test_history_persists_across_runs(repl_pipeline, data_home):
    first = Session(repl_pipeline)
    first.run(lambda s: s.send("show free disk space" + CTRL_C))  # typed, then cancelled: not history
    first.run(lambda s: _answer_and_abort(s, "show free disk space"))
    saved = (data_home / "nlsh" / "repl_history").read_text()
    assert saved.count("show free disk space") == 1
    # A new session: Up recalls the line typed in the previous one.
    second = Session(repl_pipeline)
    assert second.run(lambda s: _answer_and_abort(s, UP)) == 0
    assert [instruction for instruction, _ in second.recorder.calls] == ["show free disk space"]


def _answer_and_abort(s: Session, keys: str) -> None:
    result = s.instruct(keys)
    if isinstance(result, Exception):
        s.wait_for(result.message)
    else:
        s.wait_for("[e/d/x/A]")
        s.send("a")
        s.wait_for("aborted")


# --- on a real terminal ------------------------------------------------------------------------

REPL_SCRIPT = """
import sys
from nlsh.api import Translator
from nlsh.config import load_config
from nlsh.repl import run_repl
config = load_config()
sys.exit(run_repl(Translator(config), config))
"""


def test_repl_on_a_real_terminal(tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    sock_dir = tempfile.mkdtemp(prefix="nlsh-tmux-")
    sock = os.path.join(sock_dir, "s")
    script = tmp_path / "repl.py"
    script.write_text(REPL_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}

    def tmux(*args):
        return subprocess.run(["tmux", "-S", sock, *args], check=True, capture_output=True, text=True,
                              timeout=20, env=env).stdout

    def wait_for(predicate, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-p", "-t", "t", "-S", "-200")
            if predicate(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"never saw {what}; screen:\n{screen}")

    def answered(screen: str) -> bool:
        lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
        return "[e/d/x/A]" in lines[-1] or (lines[-1] == "nlsh>" and "nlsh> show free disk space" in lines)

    try:
        tmux("new-session", "-d", "-x", "100", "-y", "40", "-s", "t",
             f"{sys.executable} {script}; echo EXITED $?; sleep 60")
        wait_for(lambda s: "nlsh>" in s, "the prompt")
        tmux("send-keys", "-t", "t", "half a line", "C-c")
        tmux("send-keys", "-t", "t", "show free disk space", "Enter")
        # The model answers with a proposal (question) or one sentence and a fresh prompt.
        screen = wait_for(answered, "an answer")
        if "[e/d/x/A]" in screen:
            assert "risk:" in screen and "confidence:" in screen
            tmux("send-keys", "-t", "t", "a")
            wait_for(lambda s: "aborted" in s, "the abort")
        assert "half a line" in screen and "Traceback" not in screen
        tmux("send-keys", "-t", "t", "C-d")
        screen = wait_for(lambda s: "EXITED" in s, "the exit")
        assert "EXITED 0" in screen
        saved = (tmp_path / "data" / "nlsh" / "repl_history").read_text()
        assert "show free disk space" in saved and "half a line" not in saved
    finally:
        subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True)
        shutil.rmtree(sock_dir, ignore_errors=True)
