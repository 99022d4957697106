"""`python -m finetune export`: trained weights -> GGUF files llama.cpp (and so nlsh) loads.

- the LoRA adapter as a llama.cpp adapter GGUF (general.type=adapter), loaded beside the base GGUF;
  a full fine-tune's update goes out the same way, cut to a low rank by SVD;
- optionally a merged full model (F16 or Q8_0) for users who prefer one file;
- write_model_gguf also turns any small llama-architecture torch model into a GGUF, which the
  tests use to check that torch and llama.cpp agree on a tiny randomly initialised model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from finetune.lora import (arch_of, gguf_tensor_name, load_base, lora_by_svd, lora_from_weights, merge_lora, numpy_dtype,
                           permute_rows, write_gguf, write_lora_gguf)


@dataclass
class ExportConfig:
    weights: str = "runs/train/best"  # a directory written by train (weights.pt, train_config.json)
    base: str = ""  # the base GGUF the adapter was trained on (default: the bundled one)
    out: str = "nlsh/data/nlsh-lora.gguf"  # the adapter GGUF to write (default: the shipped one)
    dtype: str = "f16"  # f16 keeps a r=16 adapter of SmolLM2-135M near 10 MB
    merged: str = ""  # also write a merged full GGUF here
    merged_type: str = "f16"  # the merged GGUF's weights: f16, or q8_0 (about half the size)
    # A full fine-tune ships as an adapter too: each weight's update cut to this rank by SVD
    # (32 on layers 10-29 of SmolLM2-135M is 13 MB in f16).
    svd_rank: int = 32


def _matrix(value: np.ndarray, dtype: str) -> dict:
    """add_tensor's arguments for a weight matrix stored as dtype (f32, f16 or q8_0)."""
    from nlsh.merge import as_q8_0

    if dtype == "q8_0":
        # rows whose length is not a whole number of Q8_0 blocks cannot be quantized; they stay f16
        return as_q8_0(value) or {"tensor": value.astype(np.float16)}
    return {"tensor": value.astype(numpy_dtype(dtype))}


def copy_tokenizer_fields(reader, writer) -> None:
    """Carry the tokenizer (and chat template) of a source GGUF over to a new one."""
    from nlsh.merge import copy_fields

    copy_fields(reader, writer, keep=lambda key: key.startswith("tokenizer."))


def write_model_gguf(model, tokenizer_gguf: Path, out: Path, dtype: str = "f32") -> Path:
    """A llama-architecture torch model (HF layout) as a full GGUF llama.cpp can run; dtype f32, f16
    or q8_0 for the weight matrices (norms stay f32)."""
    import gguf

    cfg = model.config
    state = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    reader = gguf.GGUFReader(str(tokenizer_gguf))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    w = gguf.GGUFWriter(str(tmp), "llama")
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_attention_heads)
    w.add_head_count_kv(cfg.num_key_value_heads)
    w.add_rope_dimension_count(cfg.hidden_size // cfg.num_attention_heads)
    rope_theta = getattr(cfg, "rope_theta", None) or (getattr(cfg, "rope_parameters", None) or {}).get("rope_theta", 10000.0)
    w.add_rope_freq_base(float(rope_theta))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_vocab_size(cfg.vocab_size)
    w.add_file_type({"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16,
                     "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}[dtype])
    copy_tokenizer_fields(reader, w)
    w.add_tensor("token_embd.weight", **_matrix(state["model.embed_tokens.weight"], dtype))
    w.add_tensor("output_norm.weight", state["model.norm.weight"].astype(np.float32))
    if "lm_head.weight" in state and not getattr(cfg, "tie_word_embeddings", False):
        w.add_tensor("output.weight", **_matrix(state["lm_head.weight"], dtype))
    for key, value in state.items():
        if not key.startswith("model.layers."):
            continue
        module = key[: -len(".weight")]
        name = gguf_tensor_name(module)
        if name.endswith("attn_q"):
            value = permute_rows(value, cfg.num_attention_heads)
        elif name.endswith("attn_k"):
            value = permute_rows(value, cfg.num_key_value_heads)
        # norms stay f32: llama.cpp expects them so and they are tiny
        w.add_tensor(name + ".weight", **(_matrix(value, dtype) if value.ndim == 2 else {"tensor": value.astype(np.float32)}))
    return write_gguf(w, tmp, out)


def export(cfg: ExportConfig) -> dict:
    import torch


    if cfg.merged_type not in ("f16", "q8_0"):
        raise ValueError(f"--merged-type must be f16 or q8_0, not {cfg.merged_type!r}")
    weights_dir = Path(cfg.weights)
    train_cfg = json.loads((weights_dir / "train_config.json").read_text())
    base = cfg.base or train_cfg["base"]
    weights = torch.load(weights_dir / "weights.pt", map_location="cpu", weights_only=True)
    model, _ = load_base(base, torch.float32)
    arch = arch_of(model.config)
    result = {}
    if train_cfg.get("full"):
        lora, result["svd_kept"] = lora_by_svd(model, weights, cfg.svd_rank)
        alpha = float(cfg.svd_rank)  # scale 1: B @ A is the update itself
    else:
        lora, alpha = lora_from_weights(weights), train_cfg["lora_alpha"]
    out = write_lora_gguf(lora, arch, alpha, Path(cfg.out), cfg.dtype)
    result.update(adapter=str(out), bytes=out.stat().st_size)
    if cfg.merged:
        if train_cfg.get("full"):
            model.load_state_dict(weights, strict=False)
        else:
            merge_lora(model, lora, alpha / train_cfg["lora_r"])
        result["merged"] = str(write_model_gguf(model, Path(base), Path(cfg.merged), cfg.merged_type))
    return result
