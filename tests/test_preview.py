"""Safety preview: what a deleting or overwriting command would hit, found without running it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlsh.preview import Preview, preview_effects


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("a.log", "b.log", ".hidden.log", "c.txt", "build/x.o", "build/sub/y.o", "build/sub/z.txt",
                 "dst/c.txt", "dst/build/x.o"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    (tmp_path / "out.txt").write_text("hello world\n")
    return tmp_path


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def _preview(command: str, root: Path, limit: int = 20) -> Preview | None:
    before = _snapshot(root)
    preview = preview_effects(command, cwd=str(root), limit=limit)
    assert _snapshot(root) == before, "a preview must never change anything"
    return preview


def test_rm_glob_lists_matches_like_the_shell(tree: Path) -> None:
    preview = _preview("rm *.log", tree)
    assert preview.paths == ["a.log", "b.log"]  # no dotfiles, like bash
    assert preview.total == 2 and preview.exact
    assert preview.summary == "rm would delete 2 files"


def test_rm_recursive_counts_everything_under_directories(tree: Path) -> None:
    preview = _preview("rm -rf build", tree)
    assert preview.total == 5  # build/, build/sub/ and three files
    assert preview.summary == "rm would delete 3 files and 2 directories"
    assert preview.paths[0] == "build/"
    assert set(preview.paths) == {"build/", "build/sub/", "build/x.o", "build/sub/y.o", "build/sub/z.txt"}


def test_rm_reports_missing_files_and_directories_it_would_refuse(tree: Path) -> None:
    preview = _preview("rm nothere.txt c.txt build", tree)
    assert preview.paths == ["c.txt"] and preview.total == 1
    assert "not found: nothere.txt" in preview.summary
    assert "left alone (no -r): build" in preview.summary


def test_quoted_glob_is_a_literal_name(tree: Path) -> None:
    preview = _preview("rm '*.log'", tree)
    assert preview.total == 0 and "not found: *.log" in preview.summary


def test_braces_tilde_and_home_are_expanded(tree: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tree))
    assert _preview("rm {a,b}.log", tree).paths == ["a.log", "b.log"]
    assert _preview("rm ~/c.txt", tree).paths == [str(tree / "c.txt")]
    assert _preview("rm -r $HOME/build/sub", tree).total == 3
    assert _preview("rm ${HOME}/a.log", tree).total == 1


def test_limit_caps_the_list_not_the_count(tree: Path) -> None:
    many = tree / "many"
    many.mkdir()
    for i in range(30):
        (many / f"f{i:02}.tmp").write_text("x")
    preview = _preview("rm many/*.tmp", tree, limit=5)
    assert preview.total == 30 and len(preview.paths) == 5
    assert preview.paths[0] == "many/f00.tmp"


def test_find_delete_runs_find_without_its_action(tree: Path) -> None:
    preview = _preview("find . -name '*.o' -delete", tree)
    assert sorted(preview.paths) == ["./build/sub/y.o", "./build/x.o", "./dst/build/x.o"]
    assert preview.total == 3
    assert preview.summary == "find would delete 3 paths"


def test_find_exec_rm_is_previewed_the_same_way(tree: Path) -> None:
    preview = _preview("find build -type f -exec rm -f {} \\;", tree)
    assert sorted(preview.paths) == ["build/sub/y.o", "build/sub/z.txt", "build/x.o"]
    assert _preview("find build -name '*.txt' -exec sh -c 'rm \"$1\"' _ {} \\;", tree).paths == ["build/sub/z.txt"]
    # A long option holding a c (--rcfile FILE) is not the -c that names the script.
    assert _preview("find build -name '*.txt' -exec bash --rcfile x -c 'rm \"$1\"' _ {} \\;", tree).paths == ["build/sub/z.txt"]


def test_find_that_deletes_nothing_has_no_preview(tree: Path) -> None:
    assert _preview("find . -name '*.o' -exec grep -l x {} +", tree) is None
    assert _preview("find . -name '*.o' -print0", tree) is None


def test_mv_onto_existing_files(tree: Path) -> None:
    into_dir = _preview("mv c.txt dst/", tree)
    assert into_dir.paths == ["dst/c.txt"] and into_dir.summary == "mv would overwrite 1 existing file"
    assert _preview("mv c.txt out.txt", tree).paths == ["out.txt"]
    assert _preview("mv -t dst c.txt a.log", tree).paths == ["dst/c.txt"]
    assert _preview("mv c.txt fresh.txt", tree) is None
    assert _preview("mv -n c.txt out.txt", tree) is None


def test_cp_onto_existing_files_including_recursive(tree: Path) -> None:
    assert _preview("cp c.txt dst", tree).paths == ["dst/c.txt"]
    recursive = _preview("cp -r build dst/", tree)
    assert recursive.paths == ["dst/build/x.o"]
    assert _preview("cp a.log new.log", tree) is None


def test_redirect_onto_an_existing_file(tree: Path) -> None:
    preview = _preview("echo hi > out.txt", tree)
    assert preview.paths == ["out.txt"]
    assert preview.summary == "> would overwrite out.txt (12 bytes)"
    assert _preview("echo hi >> out.txt", tree) is None
    assert _preview("echo hi > brand-new.txt", tree) is None
    assert _preview("ls 2>/dev/null", tree) is None
    assert _preview("ls | tee out.txt", tree).paths == ["out.txt"]
    assert _preview("ls | tee -a out.txt", tree) is None


def test_wrappers_and_shell_strings_are_followed(tree: Path) -> None:
    assert _preview("sudo rm -r build/sub", tree).total == 3
    assert _preview("sh -c 'rm a.log'", tree).paths == ["a.log"]
    assert _preview("ls && rm b.log", tree).paths == ["b.log"]


def test_what_cannot_be_known_is_said_plainly(tree: Path) -> None:
    substitution = _preview("rm $(cat list.txt)", tree)
    assert substitution.summary.startswith("cannot preview") and not substitution.exact
    unknown_variable = _preview("rm -rf $NLSH_SURELY_UNSET_VARIABLE/x", tree)
    assert "cannot preview" in unknown_variable.summary and "$NLSH_SURELY_UNSET_VARIABLE" in unknown_variable.summary
    assert "cannot preview" in _preview("ls | xargs rm", tree).summary
    assert "cannot preview" in _preview('for f in *.log; do rm "$f"; done', tree).summary


def test_harmless_and_unparseable_commands_have_no_preview(tree: Path) -> None:
    for command in ("ls -la", "grep -r rm .", 'echo "rm -rf /"', "cat out.txt", "rm &&", ""):
        assert _preview(command, tree) is None, command


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40) | st.lists(st.sampled_from(
    ["rm", "-r", "mv", "cp", "a", "b/", "*", "'*'", ">", "out", "find", ".", "-delete", "-exec", "{}", "\\;",
     "$(x)", "$HOME", "~", "{a,b}", "{1..3}", "|", "xargs", "tee", "&&", "sh", "-c"]), max_size=8).map(" ".join))
def test_preview_never_raises(command: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "a").write_text("a")
        Path(scratch, "out").write_text("out")
        preview = preview_effects(command, cwd=scratch, limit=3)
        assert preview is None or (isinstance(preview, Preview) and len(preview.paths) <= 3)
        assert sorted(p.name for p in Path(scratch).iterdir()) == ["a", "out"]
