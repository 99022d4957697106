"""Execution and history, through real shells and real processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nlsh import history
from nlsh.execute import resolve_shell, run_command, shell_name

ROOT = Path(__file__).resolve().parents[1]

# Each shell's own version variable: non-empty only inside that shell, so it proves which one ran.
SHELL_PROBES = {
    "bash": ("bash", "echo \"$BASH_VERSION\""),
    "zsh": ("zsh", "echo \"$ZSH_VERSION\""),
    "fish": ("fish", "echo $FISH_VERSION"),
}


def run_python(code: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    """Run a snippet in a fresh interpreter that imports nlsh from this checkout."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full_env,
                          capture_output=True, text=True, timeout=60, **kwargs)


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def installed(name: str) -> bool:
    return shutil.which(name) is not None


@pytest.mark.parametrize("name", ["bash", "zsh", "fish"])
def test_runs_in_the_named_shell(name, data_home):
    if not installed(name):
        pytest.skip(f"{name} is not installed")
    env_var, probe = SHELL_PROBES[name]
    proc = run_python(f"""
        import sys
        from nlsh.execute import run_command
        sys.exit(run_command({probe!r}))
        """, {"SHELL": shutil.which(name), "XDG_DATA_HOME": str(data_home)})
    assert proc.returncode == 0, proc.stderr
    # The command's output reached nlsh's own stdout: nothing captured it on the way.
    assert proc.stdout.strip() != ""
    assert proc.stdout.strip()[0].isdigit()


@pytest.mark.parametrize("shell", ["bash", "sh", "zsh", "fish"])
@pytest.mark.parametrize("status", [0, 1, 7, 255])
def test_exit_status_passes_through(shell, status, data_home):
    if not installed(shell):
        pytest.skip(f"{shell} is not installed")
    assert run_command(f"exit {status}", shell=shell) == status


def test_signal_death_reports_128_plus_n(data_home):
    assert run_command("kill -TERM $$", shell="bash") == 128 + signal.SIGTERM


def test_unknown_or_missing_shell_falls_back_to_sh(monkeypatch):
    monkeypatch.setenv("SHELL", "/usr/bin/tcsh")
    assert resolve_shell() == "/bin/sh"
    assert shell_name() == "sh"
    monkeypatch.delenv("SHELL")
    assert resolve_shell() == "/bin/sh"
    monkeypatch.setenv("SHELL", "/nonexistent/bin/bash")
    # A stale absolute path still finds the same shell elsewhere on PATH.
    assert resolve_shell() == shutil.which("bash")
    monkeypatch.setenv("SHELL", "/nonexistent/bin/bash")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert resolve_shell() == "/bin/sh"


def test_sh_fallback_really_runs_posix_sh(monkeypatch, capfd, data_home):
    monkeypatch.setenv("SHELL", "/usr/bin/csh")
    # dash has no $BASH_VERSION; if bash had run this would print a version.
    assert run_command('printf "[%s]" "$BASH_VERSION"') == 0
    assert capfd.readouterr().out == "[]"


def test_stdin_is_inherited_for_interactive_programs(data_home):
    proc = run_python("""
        import sys
        from nlsh.execute import run_command
        sys.exit(run_command('read answer; echo "got $answer"', shell='bash'))
        """, {"XDG_DATA_HOME": str(data_home)}, input="hello\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "got hello\n"


def test_history_line_appended(data_home):
    assert run_command("exit 3", shell="bash", instruction="fail on purpose") == 3
    assert run_command("true", shell="bash") == 0
    lines = (data_home / "nlsh" / "history").read_text().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["command"] == "exit 3"
    assert first["instruction"] == "fail on purpose"
    assert first["exit_code"] == 3
    assert "T" in first["time"]
    entries = history.read_entries()
    assert [e.exit_code for e in entries] == [3, 0]


def test_ctrl_c_goes_to_the_command_and_nlsh_still_records_it(data_home):
    # Like a terminal's Ctrl-C: SIGINT to the whole foreground process group.
    proc = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom nlsh.execute import run_command\n"
         "sys.exit(run_command('echo started; sleep 30', shell='bash'))"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(data_home)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    assert proc.stdout.readline() == "started\n"
    time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signal.SIGINT
    assert "Traceback" not in err
    [entry] = history.read_entries()
    assert entry.command == "echo started; sleep 30"
    assert entry.exit_code == 130


def test_concurrent_appends_never_interleave(data_home):
    # Long lines make a torn or interleaved write likely if appends were not atomic.
    writer = """
        import sys
        from nlsh import history
        tag = sys.argv[1]
        for i in range(200):
            history.record(f"echo {tag}-{i} " + tag * 3000, i % 256, instruction=f"{tag} {i}")
        """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(data_home)}
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(writer), tag], env=env)
             for tag in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=60) == 0
    lines = (data_home / "nlsh" / "history").read_bytes().split(b"\n")
    assert lines[-1] == b""
    records = [json.loads(line) for line in lines[:-1]]
    assert len(records) == 400
    for tag in ("a", "b"):
        mine = [r for r in records if r["instruction"].startswith(tag + " ")]
        assert [r["instruction"] for r in mine] == [f"{tag} {i}" for i in range(200)]
        assert all(r["command"].endswith(tag * 3000) for r in mine)


def test_unwritable_history_warns_once_and_still_runs(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    proc = run_python("""
        import sys
        from nlsh.execute import run_command
        codes = [run_command('exit 4', shell='sh'), run_command('exit 5', shell='sh')]
        print(codes)
        """, {"XDG_DATA_HOME": str(blocker)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[4, 5]"
    assert proc.stderr.count("cannot write history") == 1
    assert "Traceback" not in proc.stderr


def test_corrupt_history_lines_are_skipped(data_home):
    path = data_home / "nlsh" / "history"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"half": \n\xff\xfe garbage\n')
    assert history.record("ls", 0)
    entries = history.read_entries()
    assert [e.command for e in entries] == ["ls"]


def test_repl_history_survives_an_unwritable_file(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    hist = history.repl_history(blocker / "repl_history")
    hist.store_string("list files")  # must not raise
    assert list(hist.load_history_strings()) == []


def test_relative_xdg_data_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert history.data_dir() == tmp_path / ".local" / "share" / "nlsh"
