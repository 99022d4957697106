"""The `nlsh` command through real subprocesses on the real model (SPEC section 1).

Each subprocess that translates loads the model, so the model-backed checks are grouped: one
--batch run finds which of a few instructions the current model answers, and the single-shot
modes are then checked against those answers.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import make_isolated_home, run_nlsh_in
from nlsh.validator import check_command

PROPOSAL_KEYS = ["kind", "instruction", "command", "risk", "reasons", "confidence", "warnings", "model"]
FAILURE_KEYS = {"instruction", "error"}
VERDICT_KEYS = ["command", "risk", "reasons", "valid", "warnings"]

INSTRUCTIONS = [
    "print the current date",
    "list all files in the current directory",
    "show running processes",
    "delete all .tmp files here",
    "count the lines in notes.txt",
    "show the first 5 lines of notes.txt",
    "make a directory called build",
    "print the name of the current directory",
]


def one_line(stderr: bytes) -> str:
    text = stderr.decode()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


def permissive(isolated_home):
    # The plumbing is under test here, not the model's certainty.
    isolated_home.write_config("min_confidence = 0.0\n")


@pytest.fixture(scope="module")
def answered(tmp_path_factory, cache_seed):
    """{instruction: proposal} for the sample instructions the model turns into a proposal.

    One --batch run for the whole module; the single-shot modes are compared against it.
    """
    home = make_isolated_home(tmp_path_factory.mktemp("batch"), cache_seed)
    permissive(home)
    proc = run_nlsh_in(home, "--batch", "-", input="\n".join(INSTRUCTIONS) + "\n", timeout=600)
    assert proc.returncode == 0
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["instruction"] for r in rows] == INSTRUCTIONS
    out = {r["instruction"]: r for r in rows if "command" in r}
    if not out:
        pytest.fail(f"the model answered none of {len(INSTRUCTIONS)} plain instructions: {rows}")
    return out


# --- no model needed -------------------------------------------------------------------------------


def test_check_prints_the_verdict_and_exits_3_only_when_dangerous(run_nlsh):
    # --model points nowhere: --check must not touch the model at all.
    safe = run_nlsh("--model", "/nonexistent.gguf", "--check", "ls -la")
    assert safe.returncode == 0, safe.stderr
    verdict = json.loads(safe.stdout)
    assert list(verdict) == VERDICT_KEYS
    assert verdict["command"] == "ls -la" and verdict["risk"] == "safe" and verdict["valid"] is True

    bad = run_nlsh("--check", "rm -rf /")
    assert bad.returncode == 3
    verdict = json.loads(bad.stdout)
    assert verdict["risk"] == "dangerous" and verdict["reasons"]
    assert len(bad.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--dry-run", ""],
        ["--dry-run", "   "],
        ["--dry-run", "--json", "\t"],
        ["--check", ""],
        ["--bogus-flag"],
        ["--batch", "/nonexistent/requests.txt"],
        ["--model", "/nonexistent.gguf", "--dry-run", "list files"],
        ["--devices", "/nonexistent/home.yaml", "--dry-run", "lights off"],
        ["--alternatives", "0", "list files"],
        ["--grammar", "fancy", "--dry-run", "list files"],
        ["--home", "--dry-run", "lights off"],  # --home without any registry
        ["--rules-off", "named-tool,no-such-rule", "--dry-run", "list files"],
        [],  # no instruction and stdin is not a terminal
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(run_nlsh, args):
    proc = run_nlsh(*args)
    assert proc.returncode == 2, (args, proc.stderr)
    if "--json" in args:
        # scripts reading --json get the failure as JSON as well
        assert set(json.loads(proc.stdout)) == FAILURE_KEYS
    else:
        assert proc.stdout == b""
    assert one_line(proc.stderr).startswith("nlsh: ")


def test_a_file_that_is_not_gguf_is_refused_as_a_model_and_as_an_adapter(run_nlsh, isolated_home):
    junk = isolated_home.home / "junk.gguf"
    junk.write_text("not a model")
    for flag in ("--model", "--lora"):
        proc = run_nlsh(flag, str(junk), "--dry-run", "list files")
        assert proc.returncode == 2
        assert "not a GGUF file" in one_line(proc.stderr)


def test_bad_config_names_file_and_key(run_nlsh, isolated_home):
    isolated_home.write_config("colour = 'never'\n")
    proc = run_nlsh("--dry-run", "list files")
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert str(isolated_home.config_file) in line and "colour" in line


def test_subcommand_names_and_free_text_coexist(run_nlsh):
    proc = run_nlsh("explain", "ls -la")
    assert proc.returncode == 0, proc.stderr
    assert b"ls" in proc.stdout
    # A quoted instruction that merely starts with a subcommand's name is an instruction: with an
    # empty model path it fails as a translation would (exit 2 from the model), not as `explain`.
    proc = run_nlsh("--model", "/nonexistent.gguf", "--dry-run", "explain what ls does")
    assert proc.returncode == 2 and b"/nonexistent.gguf" in proc.stderr


# --- the real model ---------------------------------------------------------------------------------


def test_batch_keeps_count_and_order_through_bad_lines(run_nlsh, isolated_home):
    permissive(isolated_home)
    lines = [
        b"print the current date",
        b"",
        b"   ",
        b"@@@ ### !!! ;;; ```",
        b"x" * (1024 * 1024),
        b"show running processes \xff\xfe\xc3\x28",
        b"list files\r",
        b"\x00\x01\x02",
    ]
    proc = run_nlsh("--batch", "-", input=b"\n".join(lines) + b"\n", timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().splitlines()
    assert len(out) == len(lines)
    rows = [json.loads(line) for line in out]
    for row in rows:
        assert set(row) == FAILURE_KEYS or list(row) == PROPOSAL_KEYS, row
    assert rows[1]["error"] and rows[2]["error"]  # blank lines
    assert "error" in rows[4] and "longer" in rows[4]["error"]  # the 1 MB line
    assert "error" in rows[5] and "UTF-8" in rows[5]["error"]
    assert "error" in rows[7]  # nothing readable
    assert rows[6].get("instruction") == "list files"


def test_batch_from_a_file_without_final_newline(run_nlsh, isolated_home):
    permissive(isolated_home)
    requests = isolated_home.home / "requests.txt"
    requests.write_bytes(b"print the current date\n\nlist files")
    proc = run_nlsh("--batch", str(requests))
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 3


def test_dry_run_prints_exactly_the_command_batch_gives(run_nlsh, isolated_home, answered):
    permissive(isolated_home)
    instruction, row = next(iter(answered.items()))
    proc = run_nlsh("--dry-run", instruction)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == row["command"] + "\n"
    assert proc.stderr == b""

    proc = run_nlsh("--dry-run", "--json", instruction)
    assert proc.returncode == 0
    obj = json.loads(proc.stdout)
    assert list(obj) == PROPOSAL_KEYS
    assert obj["kind"] == "shell" and obj["command"] == row["command"]
    assert 0.0 <= obj["confidence"] <= 1.0
    assert obj["risk"] in ("safe", "caution", "dangerous")
    assert len(proc.stdout.splitlines()) == 1


def test_unquoted_words_are_one_instruction(run_nlsh, isolated_home, answered):
    permissive(isolated_home)
    instruction, row = next(iter(answered.items()))
    proc = run_nlsh("--dry-run", *instruction.split())
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == row["command"]


def test_low_confidence_exits_4_instead_of_guessing(run_nlsh, isolated_home, answered):
    instruction = next(iter(answered))
    isolated_home.write_config("min_confidence = 1.0\n")
    proc = run_nlsh("--dry-run", instruction)
    assert proc.returncode == 4
    assert proc.stdout == b""
    assert "unsure" in one_line(proc.stderr)
    proc = run_nlsh("--dry-run", "--json", instruction)
    assert proc.returncode == 4
    assert set(json.loads(proc.stdout)) == FAILURE_KEYS


def test_a_base_model_describing_a_tool_is_refused_not_printed(run_nlsh, isolated_home):
    """Without the adapter, SmolLM2 answers these requests with lines bash would parse as commands
    (`tool: kill -send a signal to a process, ...`, `sudo fc-list - list all available fonts.`). Its
    next answers are tried, and where none is a command either, a script reading --dry-run's
    stdout must get nothing, and the user one sentence saying why."""
    permissive(isolated_home)
    refused = 0
    for request in ["send new stories to an email address", "list all available fonts",
                    "compress the logs folder into logs.tar.gz"]:
        proc = run_nlsh("--dry-run", "--lora", "none", request)
        if proc.returncode == 0:
            assert check_command(proc.stdout.decode().strip()).valid, proc.stdout
            continue
        assert proc.stdout == b""
        assert proc.returncode in (3, 4), proc.stderr  # 4: every answer looped or ran on
        if "prose, not a command" in one_line(proc.stderr):
            assert proc.returncode == 3
            refused += 1
    assert refused >= 2, "pick other requests: the base model's answers to these are commands now"


def test_without_a_terminal_nothing_runs(run_nlsh, isolated_home, answered):
    permissive(isolated_home)
    instruction = next(iter(answered))
    proc = run_nlsh(instruction)  # no --dry-run, no --yes, and no /dev/tty to ask on
    assert proc.returncode == 3
    assert proc.stdout == b""
    assert "terminal" in one_line(proc.stderr)


def test_yes_runs_a_safe_proposal(run_nlsh, isolated_home, answered):
    safe = [i for i, row in answered.items() if row["risk"] == "safe"]
    if not safe:
        pytest.skip("the current model proposed nothing safe for the sample instructions")
    permissive(isolated_home)
    proc = run_nlsh("--yes", safe[0], env={"SHELL": "/bin/sh"})
    command = answered[safe[0]]["command"]
    assert f"running: {command}" in proc.stderr.decode()
    # The command's own exit status comes back, whatever it is.
    direct = subprocess.run(["/bin/sh", "-c", command], cwd=isolated_home.home, capture_output=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == direct.returncode


def test_alternatives_are_distinct_lines(run_nlsh, isolated_home, answered):
    permissive(isolated_home)
    instruction = next(iter(answered))
    proc = run_nlsh("--dry-run", "--json", "--alternatives", "3", instruction)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert 1 <= len(rows) <= 3
    commands = [r["command"] for r in rows]
    assert len(set(commands)) == len(commands)
    assert commands[0] == answered[instruction]["command"]
