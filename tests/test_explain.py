"""Explain: utilities and flags described from this machine's man pages, builtin help, --help and tldr."""

from __future__ import annotations

import shutil
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import needs_man
from nlsh.explain import Explanation, explain_command, render_explanation
from nlsh.machine.docs import documentation, man_page
from nlsh.machine.manpage import option_entries
from nlsh.machine.programs import help_output


def _parts(explanation: Explanation, kind: str) -> dict[str, str]:
    return {p.word: p.text for p in explanation.parts if p.kind == kind}


def test_find_flags_come_from_its_man_page() -> None:
    needs_man("find")
    explanation = explain_command("find ~ -type f -size +100M")
    assert explanation.error is None
    utilities = _parts(explanation, "utility")
    assert "search for files" in utilities["find"]
    flags = _parts(explanation, "flag")
    # find's single-dash primaries take a value; -type's entry also names what `f` means
    assert set(flags) == {"-type f", "-size +100M"}
    assert "regular file" in flags["-type f"]
    assert "space" in flags["-size +100M"]
    assert all(p.source == "man" for p in explanation.parts if p.kind in ("utility", "flag"))


def test_combined_short_flags_are_split() -> None:
    explanation = explain_command("ls -la")
    flags = _parts(explanation, "flag")
    assert list(flags) == ["-l", "-a"]
    assert "long listing" in flags["-l"]
    assert "entries starting with ." in flags["-a"]


def test_long_flag_with_value() -> None:
    flags = _parts(explain_command("ls --sort=size -h"), "flag")
    assert "sort by WORD" in flags["--sort=size"]
    assert "sizes" in flags["-h"]


def test_short_flag_with_attached_and_separate_values() -> None:
    flags = _parts(explain_command("tar -czf backup.tgz src"), "flag")
    assert list(flags) == ["-c", "-z", "-f backup.tgz"]
    assert "gzip" in flags["-z"]
    assert "archive" in flags["-f backup.tgz"].lower()


def test_pipelines_lists_and_redirections_are_walked_in_order() -> None:
    explanation = explain_command("ls -l | grep -v x && df -h > out.txt 2>&1")
    words = [(p.word, p.kind) for p in explanation.parts if p.kind != "argument"]
    assert words == [
        ("ls", "utility"), ("-l", "flag"), ("|", "operator"), ("grep", "utility"), ("-v", "flag"),
        ("&&", "operator"), ("df", "utility"), ("-h", "flag"), ("> out.txt", "operator"), ("2>&1", "operator"),
    ]
    texts = {p.word: p.text for p in explanation.parts}
    assert "output" in texts["|"]
    assert "succeeds" in texts["&&"]
    assert "out.txt" in texts["> out.txt"] and "replacing" in texts["> out.txt"]
    assert "errors" in texts["2>&1"]
    assert "matching" in texts["-v"] or "non-matching" in texts["-v"]
    assert "human" in texts["-h"] or "1024" in texts["-h"]


def test_shell_builtins_use_bash_help() -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    explanation = explain_command("cd /tmp && read -r line")
    utilities = {p.word: p for p in explanation.parts if p.kind == "utility"}
    assert utilities["cd"].source == "builtin"
    assert "working directory" in utilities["cd"].text
    assert "backslash" in _parts(explanation, "flag")["-r"]


def test_nested_commands_are_explained_one_level_deeper() -> None:
    explanation = explain_command("sudo find . -name '*.py' -exec grep -n TODO {} + ; sh -c 'wc -l f'")
    depth = {p.word: p.depth for p in explanation.parts if p.kind == "utility"}
    assert depth["sudo"] == 0 and depth["find"] == 1 and depth["grep"] == 2 and depth["wc"] == 1
    assert _parts(explanation, "flag")["-n"]  # grep -n, from grep's own documentation


def test_git_subcommand_uses_its_own_page() -> None:
    needs_man("git-commit")
    explanation = explain_command("git commit -am 'fix'")
    assert "Record changes" in _parts(explanation, "subcommand")["commit"]
    flags = _parts(explanation, "flag")
    assert "stage files" in flags["-a"]
    assert "commit message" in flags["-m fix"]


def test_render_aligns_one_line_per_part() -> None:
    needs_man("find")
    text = render_explanation(explain_command("find ~ -type f"))
    lines = text.splitlines()
    assert lines[0].startswith("find") and " - search for files in a directory hierarchy" in lines[0]
    assert lines[1].startswith("  -type f") and lines[1].endswith("f regular file")
    assert lines[0].index(" - ") == lines[1].index(" - ")


def test_unparseable_command_is_reported_not_raised() -> None:
    explanation = explain_command("ls &&")
    assert explanation.error and not explanation.parts
    assert render_explanation(explanation).startswith("cannot explain: ")


def test_help_text_options_are_found() -> None:
    ls = shutil.which("ls")
    text = help_output(ls)
    assert text and "--all" in text
    entries = option_entries(text)
    assert entries["-a"] is entries["--all"]
    assert "entries starting with ." in entries["-a"].text
    assert entries["--block-size"].takes_value and not entries["-a"].takes_value


def test_man_page_entries_have_values_and_descriptions() -> None:
    needs_man("grep")
    entries = option_entries(man_page("grep"))
    assert entries["-e"].takes_value and entries["-e"] is entries["--regexp"]
    assert entries["-v"].text.startswith("Invert the sense of matching")
    assert "\x08" not in man_page("grep")


@pytest.fixture
def tool_with_tldr(tmp_path, monkeypatch):
    """An unknown program outside system directories, with a page in a tldr client cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    canary = tmp_path / "ran"
    tool = bin_dir / "frobnicate"
    tool.write_text(f"#!/bin/sh\ntouch {canary}\necho 'usage: frobnicate [-x] [--verbose]'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    cache = tmp_path / "tldr"
    page = cache / "pages" / "common" / "frobnicate.md"
    page.parent.mkdir(parents=True)
    page.write_text(
        "# frobnicate\n\n> Frobnicate files in place.\n> More information: <https://example.org>.\n\n"
        "- Frobnicate a file e[x]tra hard:\n\n`frobnicate -x {{path/to/file}}`\n\n"
        "- Say what is being done:\n\n`frobnicate --verbose {{path/to/file}}`\n"
    )
    monkeypatch.setenv("TLDR_CACHE_DIR", str(cache))
    return bin_dir, canary


def test_tldr_cache_describes_what_man_does_not(tool_with_tldr) -> None:
    bin_dir, canary = tool_with_tldr
    explanation = explain_command("frobnicate -x --verbose notes.txt", path=str(bin_dir))
    utility = next(p for p in explanation.parts if p.kind == "utility")
    assert (utility.text, utility.source) == ("Frobnicate files in place.", "tldr")
    flags = _parts(explanation, "flag")
    assert flags == {"-x": "Frobnicate a file e[x]tra hard", "--verbose": "Say what is being done"}
    # a program outside the system directories is never started, not even with --help
    assert not canary.exists()


def test_documentation_is_cached() -> None:
    assert documentation("ls") is documentation("ls")


TOKENS = st.sampled_from([
    "ls", "-la", "find", ".", "-type", "f", "-exec", "rm", "{}", "\\;", "|", "&&", ">", "out", "grep", "-rn",
    "--color=auto", "sudo", "sh", "-c", "'ls -l'", "$(date)", "tar", "xzf", "a.tgz", "--", "-", "git", "commit",
    "-m", "x", "cd", "nosuchtool", "2>&1", ";", "(", ")", "'", '"', "for", "do", "done", "=", "FOO=1",
])


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=10).map(" ".join) | st.text(max_size=30))
def test_explain_never_raises(command: str) -> None:
    explanation = explain_command(command)
    assert isinstance(explanation, Explanation)
    assert isinstance(render_explanation(explanation), str)
