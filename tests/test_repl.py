"""The REPL on the real model: keys go in through prompt-toolkit's pipe input (and, once, through a
real terminal in tmux); the translations come from the real pipeline."""

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

from nlsh import history
from nlsh.prompt import Example
from nlsh.repl import run_repl

pytest.importorskip("nlsh.pipeline", reason="the pipeline (helper B1) is not written yet")

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|\r")
CTRL_C = "\x03"
CTRL_D = "\x04"
CTRL_U = "\x15"
UP = "\x1b[A"
ENTER = "\r"


class Recorder:
    """The real pipeline, with a note of what the REPL asked it. Every answer comes from the model."""

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.calls: list[tuple[str, Example | None]] = []
        self.proposals = []

    def translate(self, instruction, previous=None):
        self.calls.append((instruction, previous))
        proposal = self.pipeline.translate(instruction, previous=previous)
        self.proposals.append(proposal)
        return proposal

    def check(self, command):
        return self.pipeline.check(command)


@pytest.fixture(scope="session")
def repl_pipeline(model, machine_index_seed, tmp_path_factory):
    """The real pipeline on the session's model (load_model hands back the already loaded one)."""
    from nlsh.config import Config
    from nlsh.pipeline import Pipeline

    cache = tmp_path_factory.mktemp("repl-cache")
    (cache / "nlsh").mkdir()
    if machine_index_seed.exists():
        shutil.copy(machine_index_seed, cache / "nlsh" / "machine-index.json")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(cache))
        pipeline = Pipeline(Config(), use_cache=False)
    assert pipeline.model is model
    yield pipeline
    pipeline.close()


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def drive(pipeline, keys: str, **kwargs) -> tuple[int, str, Recorder]:
    """Run the REPL on `keys`; return its exit code, everything it drew, and what it asked the model."""
    recorder = Recorder(pipeline)
    buffer = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        output = Vt100_Output(buffer, lambda: Size(rows=40, columns=100))
        console = Console(file=buffer, width=100, color_system=None)
        code = run_repl(recorder, None, input=pipe, output=output, console=console, **kwargs)
    return code, ANSI.sub("", buffer.getvalue()), recorder


def test_ctrl_d_on_an_empty_line_exits_0(repl_pipeline, data_home):
    code, _, recorder = drive(repl_pipeline, CTRL_D)
    assert code == 0
    assert recorder.calls == []


def test_instruction_shows_a_proposal_and_abort_runs_nothing(repl_pipeline, data_home):
    code, text, recorder = drive(repl_pipeline, "list the files in this directory" + ENTER + "a" + CTRL_D)
    assert code == 0
    [proposal] = recorder.proposals
    assert proposal.command.split()[0] in text
    assert "[e/d/x/A]" in text
    assert "aborted" in text
    assert history.read_entries() == []


def test_ctrl_c_cancels_the_line_being_typed(repl_pipeline, data_home):
    code, _, recorder = drive(repl_pipeline, "delete everything" + CTRL_C + "show the date" + ENTER + "a" + CTRL_D)
    assert code == 0
    assert [instruction for instruction, _ in recorder.calls] == ["show the date"]


def test_follow_up_refines_the_previous_turn(repl_pipeline, data_home):
    keys = "list files in the current directory" + ENTER + "a" + "only the .py ones" + ENTER + "a" + CTRL_D
    code, _, recorder = drive(repl_pipeline, keys)
    assert code == 0
    (first, none), (second, previous) = recorder.calls
    assert none is None
    assert previous == Example(instruction=first, answer=recorder.proposals[0].command)
    assert ".py" in recorder.proposals[1].command


def test_edit_and_execute_runs_records_and_learns(repl_pipeline, data_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    learned = []
    keys = ("make a file called marker" + ENTER + "d" + CTRL_U + "echo repl-ran > marker" + ENTER + "e"
            + "now list it" + ENTER + "a" + CTRL_D)
    code, _, recorder = drive(repl_pipeline, keys, learn=lambda i, c: learned.append((i, c)))
    assert code == 0
    assert (tmp_path / "marker").read_text() == "repl-ran\n"
    [entry] = history.read_entries()
    assert (entry.instruction, entry.command, entry.exit_code) == (
        "make a file called marker", "echo repl-ran > marker", 0)
    assert learned == [("make a file called marker", "echo repl-ran > marker")]
    # The follow-up refines what was run, not what was first proposed.
    assert recorder.calls[1][1] == Example(instruction="make a file called marker", answer="echo repl-ran > marker")


def test_history_persists_across_runs(repl_pipeline, data_home):
    drive(repl_pipeline, "show free disk space" + ENTER + "a" + CTRL_D)
    saved = (data_home / "nlsh" / "repl_history").read_text()
    assert "show free disk space" in saved
    # A new session: Up recalls the line typed in the previous one.
    code, _, recorder = drive(repl_pipeline, UP + ENTER + "a" + CTRL_D)
    assert code == 0
    assert [instruction for instruction, _ in recorder.calls] == ["show free disk space"]


# --- on a real terminal ------------------------------------------------------------------------

REPL_SCRIPT = """
import sys
from nlsh.config import load_config
from nlsh.pipeline import Pipeline
from nlsh.repl import run_repl
config = load_config()
sys.exit(run_repl(Pipeline(config), config))
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

    try:
        tmux("new-session", "-d", "-x", "100", "-y", "40", "-s", "t",
             f"{sys.executable} {script}; echo EXITED $?; sleep 60")
        wait_for(lambda s: "nlsh>" in s, "the prompt")
        tmux("send-keys", "-t", "t", "half a line", "C-c")
        tmux("send-keys", "-t", "t", "count the lines in README.md", "Enter")
        wait_for(lambda s: "[e/d/x/A]" in s, "the question")
        tmux("send-keys", "-t", "t", "a")
        wait_for(lambda s: s.count("nlsh>") >= 2 and "aborted" in s, "the next prompt")
        tmux("send-keys", "-t", "t", "C-d")
        screen = wait_for(lambda s: "EXITED" in s, "the exit")
        assert "EXITED 0" in screen
        assert "risk:" in screen and "confidence:" in screen
    finally:
        subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True)
        shutil.rmtree(sock_dir, ignore_errors=True)
