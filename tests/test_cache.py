"""The translation cache (nlsh.cache): a repeat is answered before the prompt is built, without the
model, and an entry is never served once anything that shaped its prompt or decoding has changed.

The key is looked up from what is cheap to know (nlsh.api.Translator.answer_key); each test below
changes one of its inputs and checks that the key follows, or that the model has to answer again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from nlsh.config import Config
from nlsh.prompt import Example

REQUEST = "show free disk space"


def translator(**kw):
    from nlsh.api import Translator

    config = kw.pop("config", Config())
    return Translator(config, use_cache=True, **kw)


def key(t, request: str = REQUEST, previous: Example | None = None) -> str:
    return t.answer_key(request, previous)


def test_the_key_is_the_same_for_the_same_inputs(isolated_home):
    assert key(translator()) == key(translator())
    assert key(translator()) != key(translator(), "show the disk usage of this folder")


def test_a_learned_pair_changes_the_key(isolated_home):
    from nlsh.learned import learn

    before = key(translator())
    learn("how full are my disks", "df -h")
    # The new pair may be shown as an example: the prompt changes, so must the key.
    assert key(translator()) != before


def test_a_file_replaced_whole_within_one_clock_tick_changes_the_key(isolated_home):
    from nlsh.config import learned_path

    path = learned_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"instruction": "how full are my disks", "command": "df -h"}\n')
    before, stamp = key(translator()), path.stat()
    # Same size, same mtime, another file: as os.replace leaves it when both land in one tick.
    new = path.with_name("learned.new")
    new.write_text('{"instruction": "how full are my disks", "command": "du -h"}\n')
    os.utime(new, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    os.replace(new, path)
    assert key(translator()) != before


@pytest.mark.parametrize("config", [
    Config(grammar="path"),
    Config(merge=False),
    Config(retrieval={"tools": 1}),
    Config(retrieval={"examples": 0}),
    Config(retrieval={"tldr": False}),
    Config(retrieval={"bundled": False}),
    Config(rules_off=["close-compounds"]),
])
def test_each_setting_that_shapes_the_answer_changes_the_key(isolated_home, config):
    assert key(translator(config=config)) != key(translator())


def test_a_setting_applied_after_decoding_keeps_the_key(isolated_home):
    # min_confidence judges an answer already made: the same entry serves both.
    assert key(translator(config=Config(min_confidence=0.9))) == key(translator())


def test_rules_switched_off_by_the_translator_change_the_key(isolated_home):
    assert key(translator(rules_off=["taught-command"])) != key(translator())


def test_the_previous_turn_changes_the_key(isolated_home):
    t = translator()
    first = Example(instruction="list files", answer="ls")
    other = Example(instruction="list files", answer="ls -a")
    assert len({key(t), key(t, previous=first), key(t, previous=other)}) == 3


REGISTRY = "devices:\n  - id: light.kitchen\n    name: Kitchen light\n"


def test_the_device_registry_changes_the_key(isolated_home, tmp_path):
    home = tmp_path / "home.yaml"
    home.write_text(REGISTRY)
    with_home = key(translator(registry=str(home)))
    home.write_text(REGISTRY + "  - id: light.hall\n    name: Hall light\n")
    assert len({key(translator()), with_home, key(translator(registry=str(home)))}) == 3
    assert key(translator(registry=str(home), mode="shell")) != key(translator(registry=str(home)))
    # The listing keeps the file's order: the same home in another order is another prompt.
    both = key(translator(registry=str(home)))
    home.write_text("devices:\n  - id: light.hall\n    name: Hall light\n  - id: light.kitchen\n    name: Kitchen light\n")
    assert key(translator(registry=str(home))) != both


def test_a_rebuilt_or_outdated_machine_index_changes_the_key(isolated_home, monkeypatch):
    from nlsh.machine.index import INDEX_FILE

    before = key(translator())
    index = isolated_home.cache_dir / INDEX_FILE
    os.utime(index, ns=(index.stat().st_atime_ns, index.stat().st_mtime_ns + 1_000_000))
    rewritten = key(translator())
    assert rewritten != before
    # Another $PATH makes load_index rebuild the index (whatever the file holds now).
    monkeypatch.setenv("PATH", os.environ["PATH"] + os.pathsep + str(isolated_home.home))
    assert key(translator()) != rewritten


def test_a_program_the_request_names_changes_the_key_when_it_appears(isolated_home, monkeypatch):
    bin_dir = isolated_home.home / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ["PATH"])
    request = "use frobctl to list the widgets"
    before = key(translator(), request)
    tool = bin_dir / "frobctl"
    tool.write_text("#!/bin/sh\necho 'usage: frobctl [list|add] NAME'\n")
    tool.chmod(0o755)
    # Its --help line may now be a hint.
    assert key(translator(), request) != before


def test_the_shell_history_counts_as_the_ranking_reads_them(isolated_home):
    history = isolated_home.home / ".bash_history"
    history.write_text("ls\n" * 30 + "du -sh .\n")
    first = key(translator())
    with history.open("a") as fh:
        fh.write("ls -la\n")  # ls was typed 30 times already: its bonus is at its cap
    assert key(translator()) == first
    with history.open("a") as fh:
        fh.write("du -sh ~\n")  # du's count still moves its bonus
    assert key(translator()) != first


def test_nlsh_own_pairs_held_out_change_the_key(isolated_home):
    from nlsh.examples import BundledExamples

    t = translator()
    before = key(t)
    t.retriever.bundled = BundledExamples(exclude_groups=frozenset({"disk-free"}))
    assert key(t) != before


def test_a_new_model_file_changes_the_key(isolated_home, tmp_path, model_paths):
    path, _ = model_paths
    copy = tmp_path / "model.gguf"
    shutil.copy(path, copy)
    before = key(translator(model_path=str(copy), lora="none"))
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 1_000_000))
    assert key(translator(model_path=str(copy), lora="none")) != before


def test_a_change_to_nlsh_itself_changes_the_key(isolated_home, monkeypatch):
    from nlsh import cache

    before = key(translator())
    stamp = cache.source_stamp()
    monkeypatch.setattr(cache, "_SOURCE_STAMP", [stamp[0], stamp[1] + 1, *stamp[2:]])
    assert key(translator()) != before


@pytest.mark.slow
def test_a_repeat_is_answered_without_reading_the_model(run_nlsh, model_paths, tmp_path):
    """The model file is spoiled after the first answer (same size and mtime, a header llama.cpp
    cannot load): the repeat still answers, so it never read the model."""
    path, _ = model_paths
    copy = tmp_path / "model.gguf"
    shutil.copy(path, copy)
    args = ["--dry-run", "--json", "--model", str(copy), "--lora", "none", "print the working directory"]
    first = run_nlsh(*args)
    stamp = copy.stat()
    with open(copy, "r+b") as fh:
        fh.seek(4)  # keeps the GGUF magic, so only loading it would fail
        fh.write(b"\xff" * 4096)
    os.utime(copy, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    second = run_nlsh(*args)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    assert json.loads(second.stdout)["instruction"] == "print the working directory"
    # With the cache off the spoiled model must be read, and fails.
    assert run_nlsh("--no-cache", *args).returncode != 0


@pytest.mark.slow
def test_a_stale_entry_is_never_served(isolated_home, model_paths):
    from nlsh.learned import learn

    path, adapter = model_paths
    lora = str(adapter) if adapter else "none"
    first = translator(model_path=path, lora=lora)
    first.generate(REQUEST)
    again = translator(model_path=path, lora=lora)
    again.generate(REQUEST)
    assert again._model is None  # answered from the cache
    learn("how much room is left on my disks", "df -h")
    after = translator(model_path=path, lora=lora)
    after.generate(REQUEST)
    assert after._model is not None  # the pair may be in the prompt now: the model answered again


def test_a_cached_dry_run_imports_no_model_runtime_and_no_terminal_ui(run_nlsh, isolated_home):
    """What a repeat must not load: llama.cpp (and numpy under it), rich, prompt-toolkit."""
    script = (
        "import sys\n"
        "from nlsh.cli import run_main\n"
        "code = run_main(['--dry-run', 'print the working directory'])\n"
        "heavy = {'llama_cpp', 'numpy', 'torch', 'rich', 'prompt_toolkit', 'jinja2', 'urllib.request'}\n"
        "print(sorted(m for m in heavy if m in sys.modules), code, file=sys.stderr)\n"
    )
    run = lambda: subprocess.run([sys.executable, "-c", script], env=isolated_home.env, cwd=isolated_home.home,  # noqa: E731
                                 capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    first = run()
    assert "llama_cpp" in first.stderr  # the first answer needed the model
    second = run()
    assert second.stderr.strip().endswith("[] 0"), second.stderr
    assert second.stdout == first.stdout
