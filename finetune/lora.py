"""LoRA adapters between torch and llama.cpp: the base model, an adapter's math (merge, low-rank cut,
peft names) and its GGUF form. Training reads an adapter back to go on from it; export writes one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def load_base(base: str, dtype):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(base)
    if path.suffix == ".gguf":
        kw = dict(gguf_file=path.name)
        tok = AutoTokenizer.from_pretrained(str(path.parent), **kw)
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), torch_dtype=dtype, **kw)
    else:
        tok = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForCausalLM.from_pretrained(str(path), torch_dtype=dtype)
    return model, tok


# HF module name -> llama.cpp tensor name (llama architecture)
_LLAMA_NAMES = {
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
}


def gguf_tensor_name(hf_module: str) -> str:
    """`model.layers.3.self_attn.q_proj` -> `blk.3.attn_q`."""
    parts = hf_module.split(".")
    i = parts.index("layers")
    layer, rest = parts[i + 1], ".".join(parts[i + 2 :])
    return f"blk.{layer}.{_LLAMA_NAMES[rest]}"


def permute_rows(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp stores q/k rows interleaved for its RoPE kernel; transformers undoes this when it
    reads a GGUF, so everything written back (weights, and LoRA B which acts on the same rows) is
    permuted again, exactly as llama.cpp's converter does."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def unpermute_rows(w: np.ndarray, n_head: int) -> np.ndarray:
    """The inverse of permute_rows: llama.cpp's row order back to transformers'."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def arch_of(config) -> dict:
    """What the adapter GGUF needs to know of a base model's transformers config."""
    return {"architecture": "gemma3" if config.model_type.startswith("gemma3") else "llama",
            "num_attention_heads": config.num_attention_heads, "num_key_value_heads": config.num_key_value_heads}


def _rows_permuted(arch_config: dict) -> bool:
    # llama.cpp's converter permutes q/k rows for the llama architecture only (its RoPE kernel pairs
    # adjacent rows); Gemma's rotates halves as transformers does, so its rows stay as they are.
    return arch_config.get("architecture", "llama") == "llama"


def numpy_dtype(name: str):
    return {"f16": np.float16, "f32": np.float32}[name]


def write_lora_gguf(lora: dict[str, np.ndarray], arch_config: dict, alpha: float, out: Path, dtype: str = "f16") -> Path:
    """lora: {hf_module: (A [r, in], B [out, r])} as numpy arrays."""
    import gguf

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    # llama.cpp refuses an adapter whose architecture is not its base model's.
    w = gguf.GGUFWriter(str(tmp), arch_config.get("architecture", "llama"))
    w.add_string("general.type", "adapter")
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", float(alpha))
    w.add_string("general.name", "nlsh LoRA adapter")
    n_head, n_kv = arch_config["num_attention_heads"], arch_config["num_key_value_heads"]
    permuted = _rows_permuted(arch_config)
    for module, (a, b) in sorted(lora.items()):
        name = gguf_tensor_name(module)
        if permuted and name.endswith("attn_q"):
            b = permute_rows(b, n_head)
        elif permuted and name.endswith("attn_k"):
            b = permute_rows(b, n_kv)
        w.add_tensor(f"{name}.weight.lora_a", np.ascontiguousarray(a.astype(numpy_dtype(dtype))))
        w.add_tensor(f"{name}.weight.lora_b", np.ascontiguousarray(b.astype(numpy_dtype(dtype))))
    return write_gguf(w, tmp, out)


def read_lora_gguf(path: Path, arch_config: dict) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
    """The inverse of write_lora_gguf: ({hf_module: (A, B)}, alpha). Lets training continue from an
    exported adapter (the shipped one included) when its torch checkpoint is gone."""
    from nlsh.merge import read_lora_tensors

    pairs, alpha = read_lora_tensors(path)
    to_hf = {v: k for k, v in _LLAMA_NAMES.items()}
    n_head, n_kv = arch_config["num_attention_heads"], arch_config["num_key_value_heads"]
    permuted = _rows_permuted(arch_config)
    lora = {}
    for name, (a, b) in pairs.items():
        _, layer, kind, _ = name.split(".")  # blk.3.attn_q.weight
        if permuted and kind in ("attn_q", "attn_k"):
            b = unpermute_rows(b, n_head if kind == "attn_q" else n_kv)
        lora[f"model.layers.{layer}.{to_hf[kind]}"] = (a, b)
    return lora, alpha


def lora_by_svd(model, weights: dict, rank: int) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
    """A full fine-tune's update (trained weight minus the base's) as {hf_module: (A, B)} of the given
    rank; also the share of the update's energy kept, so a user sees what the cut costs."""
    deltas = {}
    for key, trained in weights.items():
        module = key[: -len(".weight")]
        base = model.get_submodule(module).weight.detach().float()
        deltas[module] = (trained.float() - base).numpy()
    return lora_of_rank(deltas, rank)


def lora_of_rank(deltas: dict[str, np.ndarray], rank: int) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
    """Weight updates {hf_module: delta} as (A, B) of the given rank with alpha = rank (scale 1), the
    best approximation of that rank (SVD); also the share of the updates' energy kept."""
    lora, kept, total = {}, 0.0, 0.0
    for module, delta in deltas.items():
        u, s, vt = np.linalg.svd(delta.astype(np.float64), full_matrices=False)
        r = min(rank, len(s))
        # Every tensor gets the full rank, zero-padded where a matrix has fewer singular values:
        # llama.cpp scales each one by alpha / its own rank.
        a, b = np.zeros((rank, delta.shape[1])), np.zeros((delta.shape[0], rank))
        a[:r] = np.sqrt(s[:r])[:, None] * vt[:r]
        b[:, :r] = u[:, :r] * np.sqrt(s[:r])
        lora[module] = (a.astype(np.float32), b.astype(np.float32))
        kept += float((s[:rank] ** 2).sum())
        total += float((s ** 2).sum())
    return lora, kept / total if total else 1.0


def merge_lora(model, lora: dict[str, tuple[np.ndarray, np.ndarray]], scale: float) -> None:
    """W += scale * B @ A for each adapted module, in place."""
    import torch

    with torch.no_grad():
        for module, (a, b) in lora.items():
            weight = model.get_submodule(module).weight
            weight += scale * (torch.from_numpy(b) @ torch.from_numpy(a)).to(weight.dtype)


def weights_from_lora(lora: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict:
    """The inverse of lora_from_weights: {hf_module: (A, B)} -> peft parameter names and tensors."""
    import torch

    weights = {}
    for module, (a, b) in lora.items():
        weights[f"base_model.model.{module}.lora_A.default.weight"] = torch.from_numpy(np.ascontiguousarray(a))
        weights[f"base_model.model.{module}.lora_B.default.weight"] = torch.from_numpy(np.ascontiguousarray(b))
    return weights


def write_gguf(writer, tmp: Path, out: Path) -> Path:
    """Write everything, then move the file into place: a reader never sees half a GGUF."""
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(out)
    return out


def lora_from_weights(weights: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """peft parameter names -> {hf_module: (A, B)}."""
    pairs: dict[str, dict[str, np.ndarray]] = {}
    for key, tensor in weights.items():
        for which in ("lora_A", "lora_B"):
            marker = f".{which}."
            if marker in key:
                module = key.split(marker)[0].replace("base_model.model.", "", 1)
                pairs.setdefault(module, {})[which] = tensor.float().numpy()
    return {m: (d["lora_A"], d["lora_B"]) for m, d in pairs.items()}
