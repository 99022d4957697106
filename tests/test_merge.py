"""The model merged with its adapter (nlsh.merge): same computation, built once, never half-written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlsh.merge import merged_model, merged_path
from nlsh.decoding.runner import load_llama

PROMPTS = [
    "<|im_start|>user\nlist large files in home<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>user\nshow free disk space<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>user\nkitchen lights off<|im_end|>\n<|im_start|>assistant\n",
]


@pytest.fixture(scope="module")
def shipped(model_paths):
    path, adapter = model_paths
    if adapter is None:
        pytest.skip("this build ships no adapter")
    return path, adapter


def _logits(model: Path, adapter: Path | None) -> list[np.ndarray]:
    from llama_cpp import llama_get_logits_ith

    llm = load_llama(model, lora_path=str(adapter) if adapter else None, n_ctx=256, n_threads=1, verbose=False)
    try:
        out = []
        for prompt in PROMPTS:
            llm.reset()
            llm.eval(llm.tokenize(prompt.encode(), special=True))
            ptr = llama_get_logits_ith(llm._ctx.ctx, -1)
            out.append(np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),)).copy())
        return out
    finally:
        llm.close()


def test_the_merged_model_computes_what_the_model_and_adapter_compute(shipped, cache_seed):
    path, adapter = shipped
    merged = merged_model(path, adapter, cache_seed)
    assert merged is not None
    pair, one, base = _logits(path, adapter), _logits(merged, None), _logits(path, None)
    for want, got, plain in zip(pair, one, base):
        assert np.corrcoef(want, got)[0, 1] > 0.99
        assert int(want.argmax()) == int(got.argmax())
        # and the adapter is really in it: the base alone computes something else
        assert np.corrcoef(want, plain)[0, 1] < 0.95


def test_built_once_and_rebuilt_when_the_adapter_changes(shipped, tmp_path):
    path, shipped_adapter = shipped
    adapter = tmp_path / "lora.gguf"
    shutil.copy(shipped_adapter, adapter)
    cache = tmp_path / "cache"
    first = merged_model(path, adapter, cache)
    assert first is not None and first.is_file()
    built = first.stat().st_mtime_ns
    assert merged_model(path, adapter, cache) == first and first.stat().st_mtime_ns == built
    assert sorted(p.name for p in cache.iterdir()) == [first.name]  # no temporary file left behind

    # another adapter gets its own merge beside it ...
    other = merged_model(path, shipped_adapter, cache)
    assert other is not None and other != first and first.is_file()
    # ... and an upgraded adapter replaces its old merge
    os.utime(adapter, ns=(1, 1))
    second = merged_model(path, adapter, cache)
    assert second is not None and second not in (first, other)
    assert sorted(p.name for p in cache.iterdir()) == sorted([second.name, other.name])


def test_an_adapter_that_does_not_fit_gives_no_merge_and_leaves_nothing(shipped, tmp_path):
    path, adapter = shipped
    cache = tmp_path / "cache"
    cut = tmp_path / "cut-lora.gguf"
    cut.write_bytes(adapter.read_bytes()[: 4096])  # a download or copy that stopped early
    assert merged_model(path, cut, cache) is None
    assert merged_model(path, path, cache) is None  # a model, not an adapter
    assert not cache.exists() or not any(cache.iterdir())
    assert not merged_path(path, adapter, cache).exists()


def test_the_translator_runs_the_merge_unless_told_not_to(shipped, isolated_home):
    from nlsh.config import Config
    from nlsh.api import Translator

    path, adapter = shipped
    files = Translator(Config(), use_cache=False).model_files()
    assert files == (merged_path(path, adapter, isolated_home.cache_dir), None)
    assert Translator(Config(merge=False), use_cache=False).model_files() == (path, adapter)
    # A user's own model and adapter are merged too, into the same cache.
    own = isolated_home.home / "own-lora.gguf"
    shutil.copy(adapter, own)
    os.utime(own, ns=(1, 1))
    files = Translator(Config(lora=str(own)), use_cache=False).model_files()
    assert files == (merged_path(path, own, isolated_home.cache_dir), None) and files[0].is_file()
    assert merged_path(path, adapter, isolated_home.cache_dir).exists()  # the shipped one's stays
