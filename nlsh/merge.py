"""The base model and an adapter merged into one Q8_0 GGUF, built once into nlsh's cache.

llama.cpp applies a LoRA adapter as extra matrix products at every token, and SmolLM2's Q4_1 weights
run through slower kernels than Q8_0 on x86. Merged into one Q8_0 file, the model reads a prompt
about 1.8x and writes a token about 1.3x as fast on this project's 2-core machine, for the same
answers up to rounding (README, "Merged model"). Merging needs only numpy and the `gguf` package,
no torch. The file (145 MB for SmolLM2) is named after both inputs' paths, sizes and mtimes, so an
upgraded adapter gets a new file (and its old one goes), and it is written under a temporary name,
so an interrupted build never leaves half a model behind.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

Q8_BLOCK = 32  # values per Q8_0 block: a row must hold whole blocks to be stored as Q8_0


def as_q8_0(weight: "np.ndarray") -> dict | None:
    """GGUFWriter.add_tensor's arguments for a weight matrix stored as Q8_0, or None when its rows
    do not hold whole Q8_0 blocks (the caller keeps it in a float type)."""
    import gguf
    import numpy as np

    if weight.ndim != 2 or weight.shape[1] % Q8_BLOCK:
        return None
    q8 = gguf.GGMLQuantizationType.Q8_0
    return {"tensor": gguf.quants.quantize(weight.astype(np.float32), q8), "raw_dtype": q8}


def lora_update(a: "np.ndarray", b: "np.ndarray", alpha: float) -> "np.ndarray":
    """The weight update of one LoRA pair, A [r, in] and B [out, r]: llama.cpp scales each by
    alpha / its own rank."""
    return (alpha / a.shape[0]) * (b @ a)


def read_lora_tensors(path: Path) -> tuple[dict[str, tuple["np.ndarray", "np.ndarray"]], float]:
    """An adapter GGUF as ({base tensor name: (A, B)}, alpha), in the file's own layout (llama.cpp's
    row order)."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(str(path))
    field = reader.fields.get("adapter.lora.alpha")
    if field is None:
        raise ValueError(f"{path} is not a LoRA adapter GGUF (no adapter.lora.alpha)")
    parts: dict[str, dict[str, np.ndarray]] = {}
    for t in reader.tensors:
        base_name, which = t.name.rsplit(".", 1)  # blk.3.attn_q.weight.lora_a
        parts.setdefault(base_name, {})[which] = np.array(t.data, dtype=np.float32).reshape(
            [int(n) for n in reversed(t.shape)])
    return {name: (ab["lora_a"], ab["lora_b"]) for name, ab in parts.items()}, float(field.contents())


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _family(model: Path, adapter: Path) -> str:
    """The name shared by every merge of this model with this adapter file, whatever its version."""
    return f"merged-{model.stem}-{_digest(f'{model.resolve()}|{adapter.resolve()}', 8)}"


def merged_path(model: Path, adapter: Path, cache_dir: Path) -> Path:
    """Where the merge of this model and this adapter lives; the name changes when either file does."""
    stats = [p.stat() for p in (model, adapter)]
    stamp = "|".join(f"{st.st_size}:{st.st_mtime_ns}" for st in stats)
    return cache_dir / f"{_family(model, adapter)}-{_digest(stamp, 12)}.gguf"


def copy_fields(reader, writer, keep=lambda key: True, override: dict | None = None) -> None:
    """Carry a GGUF's metadata over to a new file (the writer sets the architecture itself)."""
    import gguf

    override = override or {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture" or not keep(key):
            continue
        vtype = field.types[0]
        value = override.get(key, field.contents())
        if vtype == gguf.GGUFValueType.ARRAY:
            writer.add_key_value(key, value, vtype, sub_type=field.types[-1])
        else:
            writer.add_key_value(key, value, vtype)


def merge(model: Path, adapter: Path, out: Path) -> Path:
    """Write base + adapter as one GGUF with Q8_0 weight matrices (norms stay F32)."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(str(model))
    arch = str(reader.fields["general.architecture"].contents())
    # the adapter's B rows are already in llama.cpp's order, as the base's rows are: no permutation
    pairs, alpha = read_lora_tensors(adapter)
    updates = {name: lora_update(a, b, alpha) for name, (a, b) in pairs.items()}
    names = {t.name for t in reader.tensors}
    if not set(updates) <= names:
        raise ValueError(f"the adapter {adapter.name} does not fit the model {model.name}")
    q8 = gguf.GGMLQuantizationType.Q8_0
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer = gguf.GGUFWriter(str(tmp), arch)
        copy_fields(reader, writer, override={"general.file_type": int(gguf.LlamaFileType.MOSTLY_Q8_0)})
        for t in reader.tensors:
            if t.name not in updates and t.tensor_type in (q8, gguf.GGMLQuantizationType.F32):
                writer.add_tensor(t.name, np.array(t.data), raw_dtype=t.tensor_type)  # as it is
                continue
            weight = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
            weight = weight.reshape([int(n) for n in reversed(t.shape)])
            if t.name in updates:
                weight = weight + updates[t.name]
            writer.add_tensor(t.name, **(as_q8_0(weight) or {"tensor": weight.astype(np.float32)}))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


def model_files(model: Path, adapter: Path | None, cache_dir: Path, merge: bool = True) -> tuple[Path, Path | None]:
    """What llama.cpp loads for (model, adapter): the two merged into one file where that can be
    built (it answers as the pair does, faster), else the two as they are."""
    if adapter is not None and merge:
        merged = merged_model(model, adapter, cache_dir)
        if merged is not None:
            return merged, None
    return model, adapter


def merged_model(model: Path, adapter: Path, cache_dir: Path) -> Path | None:
    """The merged file for (model, adapter), built on first use; None when it cannot be built here
    (no numpy or gguf, no room in the cache, an adapter of another shape), so the caller runs the
    base model with the adapter as before."""
    try:
        target = merged_path(model, adapter, cache_dir)
    except OSError:
        return None
    if target.is_file():
        return target
    try:
        merge(model, adapter, target)
    except Exception:  # noqa: BLE001 - a speed-up that cannot be had must not stop nlsh: run the pair
        return None
    # An older merge of the same two files (an adapter since upgraded) is 145 MB of nothing.
    for old in cache_dir.glob(f"{_family(model, adapter)}-*.gguf"):
        if old != target:
            try:
                old.unlink()
            except OSError:
                pass
    return target
