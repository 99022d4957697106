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


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _family(model: Path, adapter: Path) -> str:
    """The name shared by every merge of this model with this adapter file, whatever its version."""
    return f"merged-{model.stem}-{_digest(f'{model.resolve()}|{adapter.resolve()}', 8)}"


def merged_path(model: Path, adapter: Path, cache_dir: Path) -> Path:
    """Where the merge of this model and this adapter lives; the name changes when either file does."""
    stamp = "|".join(f"{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in (model, adapter))
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


def _lora_updates(adapter: Path) -> dict[str, "np.ndarray"]:
    """{base tensor name: scale * B @ A} in the base file's own layout (the adapter's B rows are
    already in llama.cpp's order, so no permutation is needed)."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(str(adapter))
    alpha = float(reader.fields["adapter.lora.alpha"].contents())
    parts: dict[str, dict[str, np.ndarray]] = {}
    for t in reader.tensors:
        base_name, which = t.name.rsplit(".", 1)  # blk.3.attn_q.weight.lora_a
        data = np.array(t.data, dtype=np.float32).reshape([int(n) for n in reversed(t.shape)])
        parts.setdefault(base_name, {})[which] = data
    updates = {}
    for name, ab in parts.items():
        a, b = ab["lora_a"], ab["lora_b"]  # [r, in], [out, r]
        updates[name] = (alpha / a.shape[0]) * (b @ a)
    return updates


def merge(model: Path, adapter: Path, out: Path) -> Path:
    """Write base + adapter as one GGUF with Q8_0 weight matrices (norms stay F32)."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(str(model))
    arch = str(reader.fields["general.architecture"].contents())
    updates = _lora_updates(adapter)
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
            if weight.ndim == 2 and weight.shape[1] % Q8_BLOCK == 0:
                writer.add_tensor(t.name, gguf.quants.quantize(weight, q8), raw_dtype=q8)
            else:
                writer.add_tensor(t.name, weight.astype(np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


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
