"""GGUF models the user already has: Ollama's store, the Hugging Face hub cache, LM Studio's folder.

`--model` / config `model` takes, besides a path or a bundled name (nlsh.bundled):

    ollama:NAME[:TAG]              the GGUF blob Ollama's manifest points to (no Ollama server needed)
    hf:OWNER/REPO/FILE.gguf        a file of a repository in the Hugging Face hub cache
    hf:OWNER/REPO[:QUANT]          the repository's one GGUF file (or the one whose name holds QUANT)
    lmstudio:PUBLISHER/REPO/FILE.gguf   a file in LM Studio's models folder (any unique part of
                                   that path will do: lmstudio:qwen2.5-0.5b)

Nothing is downloaded and no server is asked: each store is read where its own tool keeps it, and
a model that is not there is one sentence saying where nlsh looked. `nlsh models` (nlsh.model_list)
lists every GGUF found here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator, Literal

from pydantic import BaseModel

from nlsh.errors import UsageError

Source = Literal["bundled", "ollama", "hf", "lmstudio"]
PREFIXES: tuple[str, ...] = ("ollama:", "hf:", "lmstudio:")

OLLAMA_REGISTRY = "registry.ollama.ai"
OLLAMA_LIBRARY = "library"
OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"


class FoundModel(BaseModel):
    """One GGUF model on this machine and the reference that names it for --model."""

    reference: str
    source: Source
    path: Path
    size: int


def is_reference(value: str | os.PathLike | None) -> bool:
    return isinstance(value, str) and value.startswith(PREFIXES)


def resolve_reference(value: str, env: dict[str, str] | None = None) -> Path:
    """The GGUF file an `ollama:`, `hf:` or `lmstudio:` reference names; UsageError when missing."""
    env = os.environ if env is None else env
    kind, _, name = value.partition(":")
    if not name.strip():
        raise UsageError(f"The model reference `{value}` names no model; `nlsh models` lists the ones found.")
    if kind == "ollama":
        return ollama_model(name, env)
    if kind == "hf":
        return hf_model(name, env)
    if kind == "lmstudio":
        return lmstudio_model(name, env)
    raise UsageError(f"Unknown model reference `{value}`; use ollama:, hf: or lmstudio:.")


def _home(env: dict[str, str]) -> Path:
    return Path(env.get("HOME") or Path.home())


def _shown(path: Path, env: dict[str, str]) -> str:
    """A path as the user would type it (~ for the home directory)."""
    try:
        return "~/" + str(path.relative_to(_home(env)))
    except ValueError:
        return str(path)


# --- Ollama --------------------------------------------------------------------------------------
# $OLLAMA_MODELS (default ~/.ollama/models) holds manifests/<host>/<namespace>/<name>/<tag>, JSON
# naming each layer by digest, and blobs/sha256-<hex>: the model layer is a plain GGUF file.


def ollama_dir(env: dict[str, str]) -> Path:
    configured = env.get("OLLAMA_MODELS")
    return Path(configured).expanduser() if configured else _home(env) / ".ollama" / "models"


def ollama_manifest_path(name: str, models: Path) -> Path:
    """Where Ollama keeps the manifest of NAME[:TAG] ("qwen2.5:0.5b", "user/model", "host/ns/model:tag")."""
    parts = name.split("/")
    last, _, tag = parts[-1].partition(":")
    parts[-1] = last
    if len(parts) == 1:
        parts = [OLLAMA_REGISTRY, OLLAMA_LIBRARY, *parts]
    elif len(parts) == 2:
        parts = [OLLAMA_REGISTRY, *parts]
    return models.joinpath("manifests", *parts, tag or "latest")


def ollama_blob(manifest: Path, models: Path) -> Path | None:
    """The model layer's blob of one manifest, or None when the manifest has none or it is gone."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    layers = data.get("layers") if isinstance(data, dict) else None
    for layer in layers if isinstance(layers, list) else []:
        if isinstance(layer, dict) and layer.get("mediaType") == OLLAMA_MODEL_LAYER:
            digest = str(layer.get("digest", ""))
            # Ollama writes sha256-<hex>; releases before 0.1.32 wrote sha256:<hex>.
            for candidate in (digest.replace(":", "-", 1), digest):
                path = models / "blobs" / candidate
                if candidate and path.is_file():
                    return path
    return None


def ollama_model(name: str, env: dict[str, str]) -> Path:
    models = ollama_dir(env)
    manifest = ollama_manifest_path(name, models)
    if not manifest.is_file():
        raise UsageError(
            f"Ollama has no model `{name}` under {_shown(models, env)} (no manifest at {_shown(manifest, env)}); "
            "`nlsh models` lists the ones found."
        )
    blob = ollama_blob(manifest, models)
    if blob is None:
        raise UsageError(f"The Ollama model `{name}` has no model file in {_shown(models / 'blobs', env)}.")
    return blob


def ollama_models(env: dict[str, str]) -> Iterator[FoundModel]:
    models = ollama_dir(env)
    root = models / "manifests"
    if not root.is_dir():
        return
    for manifest in sorted(p for p in root.glob("*/*/*/*") if p.is_file()):
        host, namespace, name, tag = manifest.relative_to(root).parts
        blob = ollama_blob(manifest, models)
        if blob is None:
            continue
        if host == OLLAMA_REGISTRY:
            label = name if namespace == OLLAMA_LIBRARY else f"{namespace}/{name}"
        else:
            label = f"{host}/{namespace}/{name}"
        yield FoundModel(reference=f"ollama:{label}:{tag}", source="ollama", path=blob, size=blob.stat().st_size)


# --- Hugging Face hub cache ----------------------------------------------------------------------
# <hub>/models--OWNER--REPO/snapshots/<commit>/<file>, refs/main naming the commit `main` was at.


def hf_hub_dir(env: dict[str, str]) -> Path:
    """The hub cache as huggingface_hub finds it: $HF_HUB_CACHE, $HF_HOME/hub, else the XDG cache."""
    for key in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(key):
            return Path(env[key]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    cache = Path(env["XDG_CACHE_HOME"]).expanduser() if env.get("XDG_CACHE_HOME") else _home(env) / ".cache"
    return cache / "huggingface" / "hub"


def _snapshots(repo_dir: Path) -> list[Path]:
    """A repository's snapshots, the one `main` points to first, then the newest."""
    snaps = repo_dir / "snapshots"
    if not snaps.is_dir():
        return []
    found = sorted((p for p in snaps.iterdir() if p.is_dir()), key=lambda p: -p.stat().st_mtime)
    try:
        main = (repo_dir / "refs" / "main").read_text(encoding="ascii").strip()
    except OSError:
        main = ""
    return sorted(found, key=lambda p: p.name != main)


def _gguf_files(folder: Path) -> list[Path]:
    """GGUF model files under a folder: a split model by its first part only, no vision projector."""
    out = []
    for path in sorted(folder.rglob("*.gguf")):
        name = path.name.lower()
        if name.startswith("mmproj") or ("-of-" in name and "-00001-of-" not in name):
            continue
        if path.is_file():
            out.append(path)
    return out


def hf_model(name: str, env: dict[str, str]) -> Path:
    hub = hf_hub_dir(env)
    spec, _, quant = name.partition(":")
    parts = spec.strip("/").split("/")
    if len(parts) < 2:
        raise UsageError(f"`hf:{name}` names no repository; write hf:OWNER/REPO/FILE.gguf.")
    repo, file = "/".join(parts[:2]), "/".join(parts[2:])
    repo_dir = hub / ("models--" + repo.replace("/", "--"))
    snapshots = _snapshots(repo_dir)
    if not snapshots:
        raise UsageError(
            f"The Hugging Face repository {repo} is not in the hub cache {_shown(hub, env)}; nlsh never "
            "downloads models (`huggingface-cli download` does)."
        )
    if file:
        for snap in snapshots:
            if (snap / file).is_file():
                return snap / file
        raise UsageError(f"The hub cache has {repo}, but not its file {file}; `nlsh models` lists the ones found.")
    files = _gguf_files(snapshots[0])
    if quant:
        files = [f for f in files if quant.lower() in f.name.lower()]
    if len(files) == 1:
        return files[0]
    if not files:
        raise UsageError(f"The hub cache has no GGUF file of {repo}{' matching ' + quant if quant else ''}.")
    names = ", ".join(f.name for f in files[:4])
    raise UsageError(f"{repo} has several GGUF files ({names}); name one: hf:{repo}/FILE.gguf.")


def hf_models(env: dict[str, str]) -> Iterator[FoundModel]:
    hub = hf_hub_dir(env)
    if not hub.is_dir():
        return
    for repo_dir in sorted(hub.glob("models--*--*")):
        repo = repo_dir.name[len("models--") :].replace("--", "/", 1)
        snapshots = _snapshots(repo_dir)
        if not snapshots:
            continue
        for path in _gguf_files(snapshots[0]):
            rel = path.relative_to(snapshots[0]).as_posix()
            yield FoundModel(reference=f"hf:{repo}/{rel}", source="hf", path=path, size=path.stat().st_size)


# --- LM Studio -----------------------------------------------------------------------------------
# <models>/PUBLISHER/REPO/FILE.gguf, the models folder being ~/.lmstudio/models (LM Studio 0.3),
# ~/.cache/lm-studio/models (earlier releases), or under the home ~/.lmstudio-home-pointer names.


def lmstudio_dirs(env: dict[str, str]) -> list[Path]:
    home = _home(env)
    dirs = []
    try:
        pointed = Path(home.joinpath(".lmstudio-home-pointer").read_text(encoding="utf-8").strip())
        dirs.append(pointed / "models")
    except OSError:
        pass
    dirs += [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d not in seen:
            seen.append(d)
    return seen


def lmstudio_models(env: dict[str, str]) -> Iterator[FoundModel]:
    for models in lmstudio_dirs(env):
        for path in _gguf_files(models):
            rel = path.relative_to(models).as_posix()
            yield FoundModel(reference=f"lmstudio:{rel}", source="lmstudio", path=path, size=path.stat().st_size)


def lmstudio_model(name: str, env: dict[str, str]) -> Path:
    """The file a reference names: its path under the models folder, or any part of that path
    that only one file has (case aside)."""
    found = list(lmstudio_models(env))
    wanted = name.strip("/").lower()
    exact = [m for m in found if m.reference[len("lmstudio:") :].lower() == wanted]
    matches = exact or [m for m in found if wanted in m.reference[len("lmstudio:") :].lower()]
    if len(matches) == 1:
        return matches[0].path
    if not matches:
        where = " or ".join(_shown(d, env) for d in lmstudio_dirs(env)) or _shown(_home(env) / ".lmstudio" / "models", env)
        raise UsageError(f"LM Studio has no model matching `{name}` in {where}; `nlsh models` lists the ones found.")
    names = ", ".join(m.reference for m in matches[:4])
    raise UsageError(f"Several LM Studio models match `{name}` ({names}); name one in full.")
