"""Shared fixtures.

- `model`: the real default GGUF (merged with the shipped adapter, when there is one, as nlsh runs
  it), loaded once per test session through nlsh.decoding.runner.load_model.
- `isolated_home`: a fresh HOME with its own XDG config/cache/data directories, set for this test
  process and ready to pass to subprocesses (`isolated_home.env`).
- `run_nlsh`: runs the real `nlsh` entry point in a subprocess inside an isolated home and checks
  that stderr never holds a traceback.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@dataclass
class IsolatedHome:
    home: Path
    config_dir: Path  # $XDG_CONFIG_HOME/nlsh
    cache_dir: Path  # $XDG_CACHE_HOME/nlsh
    data_dir: Path  # $XDG_DATA_HOME/nlsh
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    def write_config(self, text: str) -> Path:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(text, encoding="utf-8")
        return self.config_file


@pytest.fixture(scope="session")
def cache_seed(tmp_path_factory) -> Path:
    """nlsh's cache directory as a first run leaves it, built once per session and put into each
    isolated cache: this machine's retrieval index (from `whatis`), and once a test asks for the
    model (merged_seed), the default model merged with the shipped adapter (nlsh.merge), so no
    subprocess rebuilds either."""
    from nlsh.machine.index import load_index

    cache = tmp_path_factory.mktemp("seed-cache") / "nlsh"
    load_index(cache, os.environ.get("PATH", ""))
    return cache


@pytest.fixture(scope="session")
def merged_seed(cache_seed) -> Path:
    """The seed with the merged model in it. Session-scoped, so it is built before any isolated
    home of a test that asks for it is seeded."""
    from nlsh import bundled
    from nlsh.merge import merged_model

    path = bundled.default_model_path()
    adapter = bundled.resolve_adapter(None, path, explicit_model=False)
    if adapter is not None:
        merged_model(path, adapter, cache_seed)
    return cache_seed


def seed_cache(cache: Path, seed: Path | None) -> None:
    """Put the seed's files into an nlsh cache directory: small ones copied (a test may change
    them), the merged model linked (145 MB, only ever read)."""
    if seed is None or not seed.is_dir():
        return
    cache.mkdir(parents=True, exist_ok=True)
    for item in seed.iterdir():
        if item.suffix == ".gguf":
            (cache / item.name).symlink_to(item)
        elif item.is_file():
            shutil.copy(item, cache / item.name)


def make_isolated_home(base: Path, seed: Path | None = None) -> IsolatedHome:
    """A fresh HOME under `base` with XDG directories; its `env` is for subprocesses."""
    home = base / "home"
    config, cache, data = home / ".config", home / ".cache", home / ".local" / "share"
    for d in (config, cache / "nlsh", data):
        d.mkdir(parents=True, exist_ok=True)
    seed_cache(cache / "nlsh", seed)
    values = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(config),
        "XDG_CACHE_HOME": str(cache),
        "XDG_DATA_HOME": str(data),
    }
    env = {k: v for k, v in os.environ.items() if k not in ("NLSH_CONFIG", "HISTFILE")}
    env.update(values)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return IsolatedHome(home=home, config_dir=config / "nlsh", cache_dir=cache / "nlsh", data_dir=data / "nlsh", env=env)


def run_nlsh_in(home: IsolatedHome, *args: str, input: bytes | str | None = None, timeout: float = 180,
                env: dict | None = None, new_session: bool = True) -> subprocess.CompletedProcess:
    """Run the real `nlsh` in a subprocess inside `home`; stderr must never hold a traceback.

    The subprocess starts a new session, so it has no controlling terminal: confirmation prompts
    are refused rather than hanging the test run.
    """
    if isinstance(input, str):
        input = input.encode()
    proc = subprocess.run(
        [sys.executable, "-m", "nlsh", *args],
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        env={**home.env, **(env or {})},
        cwd=home.home,
        timeout=timeout,
        start_new_session=new_session,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    return proc


@pytest.fixture
def isolated_home(tmp_path, monkeypatch, cache_seed) -> IsolatedHome:
    """An isolated HOME, also set as this test process's environment."""
    home = make_isolated_home(tmp_path, cache_seed)
    for key in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(key, home.env[key])
    for key in ("NLSH_CONFIG", "HISTFILE"):
        monkeypatch.delenv(key, raising=False)
    return home


@pytest.fixture
def run_nlsh(isolated_home, merged_seed):
    """run_nlsh(*args, input=..., timeout=..., env=...) -> CompletedProcess, in isolated_home."""

    def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return run_nlsh_in(isolated_home, *args, **kwargs)

    return run


@pytest.fixture(scope="session")
def model_paths(merged_seed):
    """(model path, adapter path or None) of the default configuration."""
    from nlsh import bundled

    path = bundled.default_model_path()
    return path, bundled.resolve_adapter(None, path, explicit_model=False)


@pytest.fixture(scope="session")
def model(model_paths, merged_seed):
    """The real model as the default configuration runs it (merged with the shipped adapter),
    loaded once for the whole session."""
    from nlsh.merge import model_files
    from nlsh.decoding.runner import load_model

    loaded = load_model(*model_files(*model_paths, merged_seed))
    yield loaded
    # Freed here, not at interpreter exit, when llama_cpp's module globals may already be gone.
    loaded.close()


@pytest.fixture(scope="session")
def base_model(model_paths, model):
    """The base model without any adapter (the same object as `model` when no adapter ships)."""
    from nlsh.decoding.runner import load_model

    path, adapter = model_paths
    if adapter is None:
        yield model
        return
    loaded = load_model(path, None)
    yield loaded
    loaded.close()


def greedy_answer(translator, request: str):
    """The model's own greedy answer to `request` through the translator's prompt, grammar and
    guide, before the re-decoding rules decode again (loops, invented or help options)."""
    return translator.model.generate(translator.prompt(request), translator.grammar(request),
                                     guide=translator.guide(request))


# home-llm's piles, which the home training-data generators draw templates from: CI checks shared/
# out beside the clone.
PILES = REPO.parent / "shared" / "data" / "home-llm" / "piles"
needs_piles = pytest.mark.skipif(
    not (PILES / "english" / "pile_of_templated_actions.csv").is_file(),
    reason=f"home-llm piles not found at {PILES} (CI checks shared/ out beside the clone)",
)


def needs_man(name: str) -> None:
    """Skip a test that reads NAME's man page where this machine has none."""
    from nlsh.machine.docs import man_page

    if man_page(name) is None:
        pytest.skip(f"no man page for {name} on this machine")


# The fast lane, `python -m pytest -m unit`: the product's tests that need no model and start no
# server, broker, terminal or nlsh process, picked by what they ask for, so a new test joins it or
# not by its fixtures alone. The training side's tests (those that import finetune: corpora,
# evaluation) build data for minutes and stay out. `python -m pytest` still runs everything.
NEEDS_MORE_THAN_A_UNIT = frozenset({
    "model", "model_paths", "base_model", "merged_seed", "run_nlsh", "answered", "pipeline", "local_pipeline",
    "repl_pipeline", "served_model", "stub_server", "broker", "fake_ha", "home_assistant", "term", "tiny",
    "tiny_base", "tiny_data", "shipped", "walker", "sample_run",
})
_IMPORTS_FINETUNE = re.compile(r"^\s*(?:from|import) finetune\b", re.M)


def _trains(item) -> bool:
    """Whether a test is one of the training side's: its module, the test or one of its fixtures
    imports finetune."""
    functions = [item.function] + [d.func for defs in item._fixtureinfo.name2fixturedefs.values() for d in defs]
    sources = [inspect.getsource(item.module)] + [inspect.getsource(f) for f in functions]
    return any(_IMPORTS_FINETUNE.search(text) for text in sources)


def pytest_ignore_collect(collection_path, config):
    """The fast lane does not even import the training side's test modules (torch, corpora)."""
    if config.option.markexpr == "unit" and collection_path.name.startswith("test_") and collection_path.suffix == ".py":
        return bool(re.search(r"^(?:from|import) finetune\b", collection_path.read_text(), re.M)) or None
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (item.get_closest_marker("slow") is None and not NEEDS_MORE_THAN_A_UNIT & set(item.fixturenames)
                and not _trains(item)):
            item.add_marker(pytest.mark.unit)
