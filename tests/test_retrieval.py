"""Prompt hints from the user's own machine: man database, learned pairs, tldr cache (no model)."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from nlsh.grammar import prefix_rules
from nlsh.examples import BundledExamples
from nlsh.machine.index import MachineIndex, load_index
from nlsh.machine.tldr import filled, parse_page, summary_line
from nlsh.retrieval import Retriever
from nlsh.words import stem, task_terms

needs_man = pytest.mark.skipif(shutil.which("whatis") is None, reason="no man database tools here")


@needs_man
def test_disk_space_question_finds_df(isolated_home):
    hints = Retriever(tools=3, examples=0).retrieve("how much disk space is free").tools
    assert "df" in [h.name for h in hints]
    df = next(h for h in hints if h.name == "df")
    assert "space" in df.summary  # the machine's own whatis line


@needs_man
def test_only_utilities_on_path_are_hinted(isolated_home, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("ls"), bin_dir / "ls")
    r = Retriever(tools=5, examples=0, path_env=str(bin_dir))
    assert {h.name for h in r.retrieve("list directory contents").tools} == {"ls"}
    assert r.retrieve("report file system disk space usage").tools == []


@needs_man
def test_a_fresh_retriever_reads_the_cached_index_instead_of_rebuilding_it(isolated_home):
    # Rebuilding means a whatis call per utility on $PATH; a new process must not pay that again.
    Retriever().retrieve("warm the disk cache")
    cached = isolated_home.cache_dir / "machine-index.json"
    index = MachineIndex.model_validate_json(cached.read_bytes())
    assert any(t.name == "df" for t in index.tools)
    # A summary no man page has: only a reader of the cache can know it.
    index.tools = [t.model_copy(update={"summary": "tally zyxwv quota"}) if t.name == "df" else t for t in index.tools]
    cached.write_text(index.model_dump_json())
    stamp = cached.stat().st_mtime_ns
    hints = Retriever(tools=1, examples=0).retrieve("tally the zyxwv quota").tools  # a new process would start here
    assert [h.name for h in hints] == ["df"]
    assert cached.stat().st_mtime_ns == stamp


def test_index_is_rebuilt_when_path_changes(isolated_home, tmp_path):
    cache = isolated_home.cache_dir
    a = load_index(cache, "/usr/bin")
    b = load_index(cache, str(tmp_path))
    assert a.key != b.key
    assert all(t.name != "ls" for t in b.tools)


def test_learned_pairs_become_examples_at_once(isolated_home):
    learned = isolated_home.data_dir / "learned.jsonl"
    learned.parent.mkdir(parents=True, exist_ok=True)
    learned.write_text(
        json.dumps({"instruction": "show my photos folder size", "command": "du -sh ~/Pictures"}) + "\n"
        + "not json\n"
        + json.dumps({"instruction": "", "command": "x"}) + "\n"
    )
    r = Retriever(tools=0, examples=2, learned=learned, bundled=False)
    found = r.retrieve("how big is my photos folder").examples
    assert [e.answer for e in found] == ["du -sh ~/Pictures"]
    # A pair learned a moment later is used by the very next request.
    with open(learned, "a") as fh:
        fh.write(json.dumps({"instruction": "restart the web server", "command": "sudo systemctl restart nginx"}) + "\n")
    os.utime(learned, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert [e.answer for e in r.retrieve("restart the web server please").examples] == ["sudo systemctl restart nginx"]
    assert r.retrieve("an unrelated request about weather").examples == []


def test_bad_lines_of_the_learned_pairs_cost_no_hint(isolated_home, tmp_path):
    f = tmp_path / "learned.jsonl"
    f.write_bytes(b'{"instruction": "list the files", "command": "ls"}\n\xff\xfe\n[1, 2]\n{"instruction": 3, "command": "x"}\n')
    r = Retriever(tools=0, examples=2, learned=f, use_tldr=False, bundled=False)
    assert [e.answer for e in r.retrieve("list the files").examples] == ["ls"]
    assert Retriever(tools=0, examples=2, learned=tmp_path / "missing.jsonl", use_tldr=False, bundled=False).retrieve("list the files").examples == []


# A page in the tldr client's format, written for this test (not taken from tldr-pages).
TLDR_PAGE = """# ls

> Show what a folder holds.
> More information: <https://example.org/ls>.

- Show every entry, one name a line:

`ls -1`

- Show every entry, hidden ones too:

`ls {{-a|--all}}`

- Show sizes in readable units for a folder:

`ls -lh {{path/to/directory}}`
"""


def test_tldr_pages_parse():
    page = parse_page(TLDR_PAGE)
    assert page.name == "ls" and summary_line(page) == "Show what a folder holds"
    assert [filled(e).answer for e in page.examples] == ["ls -1", "ls -a|--all", "ls -lh path/to/directory"]
    assert page.examples[1].instruction == "Show every entry, hidden ones too"


def test_tldr_client_cache_is_used_when_present(isolated_home):
    pages = isolated_home.home / ".cache" / "tldr" / "pages" / "common"
    pages.mkdir(parents=True)
    (pages / "ls.md").write_text(TLDR_PAGE)
    (pages / "no-such-tool-here.md").write_text("# no-such-tool-here\n\n> Imaginary.\n\n- Do it:\n\n`no-such-tool-here --all`\n")
    r = Retriever(tools=3, examples=2, path_env=os.environ["PATH"])
    found = r.retrieve("show every entry including hidden ones")
    assert "ls -a|--all" in [e.answer for e in found.examples]
    assert all("no-such-tool-here" not in e.answer for e in found.examples)


def test_zero_k_retrieves_nothing(isolated_home):
    assert Retriever(tools=0, examples=0).retrieve("how much disk space is free").model_dump() == {"tools": [], "examples": []}


def test_stemming_meets_in_the_middle():
    assert stem("files") == stem("file") == "file"
    assert stem("directories") == stem("directory")
    assert stem("processes") == stem("process")


def test_prefix_rules_leaves_literals_and_classes_alone():
    g = 'root ::= word " root " [a-z]\nword ::= "word" | root\n'
    out = prefix_rules(g, "p-")
    assert out.splitlines() == ['p-root ::= p-word " root " [a-z]', 'p-word ::= "word" | p-root']


def test_value_words_weigh_less_than_task_words():
    words = task_terms("extract backup.tar.gz into ~/old")
    assert words["extract"] == 1.0
    assert words["backup"] == words["gz"] == words["old"] < 0.5


def _bundled(tmp_path, pairs):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps({"instruction": i, "answer": a, "group": g}) + "\n" for i, a, g in pairs))
    return BundledExamples(path)


def test_a_bundled_pair_matches_by_what_is_asked_not_by_file_names(tmp_path):
    bundled = _bundled(tmp_path, [
        ("list contents of backup.tar.gz", "tar -tzf backup.tar.gz", "list-tar"),
        ("extract data.tar.bz2", "tar -xjf data.tar.bz2", "extract-tar"),
        ("unpack the tarball data.tar.bz2", "tar -xjf data.tar.bz2", "extract-tar"),
        ("how much memory do i have", "free -h", "memory"),
    ])
    # Two wordings of one command are one example, not two.
    assert [e.answer for e in bundled.matches("extract backup.tar.gz", 2)] == ["tar -xjf data.tar.bz2"]
    assert [e.answer for e in bundled.matches("how much ram do i have", 2)] == ["free -h"]
    # A shared file name alone, or nothing shared, is no match: a wrong example is worse than none.
    assert bundled.matches("delete backup.tar.gz", 2) == []
    assert bundled.matches("what is the weather in Oslo", 2) == []


def test_learned_pairs_come_before_bundled_ones(isolated_home, tmp_path):
    learned = isolated_home.data_dir / "learned.jsonl"
    learned.parent.mkdir(parents=True, exist_ok=True)
    learned.write_text(json.dumps({"instruction": "how much memory is in this box", "command": "free -g"}) + "\n")
    r = Retriever(tools=0, examples=2, learned=learned, use_tldr=False)
    r.bundled = _bundled(tmp_path, [("how much memory do i have", "free -h", "memory")])
    assert [e.answer for e in r.retrieve("how much memory do i have").examples] == ["free -g", "free -h"]
    assert Retriever(tools=0, examples=2, learned=learned, use_tldr=False, bundled=False).retrieve(
        "how much memory do i have").examples[1:] == []


def test_the_shipped_pairs_are_found():
    # The package's own file, as `pip install` lays it out: everyday questions get an example.
    found = BundledExamples().matches("how much ram do i have", 2)
    assert found and found[0].answer == "free -h"


def test_a_request_asking_the_opposite_is_told_from_a_request_in_other_words():
    from nlsh.words import opposed

    assert opposed("stop the dev server", "start the dev server")
    assert opposed("unmount the usb drive", "mount the usb drive")
    assert not opposed("print my todo list", "show my todo list")
    assert not opposed("restart nginx", "restart nginx now")
    assert not opposed("start and stop the timer", "stop the timer")  # says the word itself too


def test_the_pairs_taught_for_a_request_are_those_its_prompt_shows(tmp_path):
    learned = tmp_path / "learned.jsonl"
    learned.write_text(json.dumps({"instruction": "show my todo list", "command": "cat ~/notes/todo.md"}) + "\n")
    retriever = Retriever(tools=0, examples=2, learned=learned, use_tldr=False, bundled=False)
    assert [e.answer for e in retriever.taught("print my todo list")] == ["cat ~/notes/todo.md"]
    assert retriever.retrieve("print my todo list").examples == retriever.taught("print my todo list")
    assert retriever.taught("free disk space") == []
