"""`python -m finetune soup`: average the updates of several adapters into one (a "model soup").

Adapters trained on from one another (each run resuming the last one's adapter) each fix answers
the others break; the mean of their weight updates keeps what they agree on and costs nothing at
run time, unlike an ensemble that would run every adapter per token. Each adapter's update is B @ A scaled
by its alpha / rank; the mean is cut back to one rank by SVD, so the soup is an adapter of the
same size and speed as its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from finetune.lora import lora_of_rank, read_lora_gguf, write_lora_gguf
from nlsh.merge import lora_update


@dataclass
class SoupConfig:
    adapters: str = ""  # comma-separated adapter GGUFs, all trained on the same base and layers
    weights: str = ""  # comma-separated mixing weights, one per adapter (default: equal)
    base: str = ""  # the base GGUF they were trained on (default: the bundled one)
    out: str = "runs/soup.gguf"  # the adapter GGUF to write
    rank: int = 16  # rank of the written adapter (the mean of n rank-r updates has rank up to n*r)
    dtype: str = "f16"  # f16 or f32 tensors in the written adapter


def arch_of_gguf(path: Path) -> dict:
    """What write_lora_gguf needs, read from the base GGUF's header (no torch, no transformers)."""
    from nlsh.bundled import read_gguf_metadata

    meta = read_gguf_metadata(path)
    arch = str(meta["general.architecture"])
    return {"architecture": arch, "num_attention_heads": int(meta[f"{arch}.attention.head_count"]),
            "num_key_value_heads": int(meta[f"{arch}.attention.head_count_kv"])}


def mean_update(adapters: list[tuple[dict, float]], weights: list[float]) -> dict[str, np.ndarray]:
    """{hf_module: sum_i w_i * (alpha_i / r_i) * B_i @ A_i}, the weights normalised to sum 1."""
    modules = set(adapters[0][0])
    for lora, _ in adapters[1:]:
        if set(lora) != modules:
            raise ValueError("the adapters adapt different modules; a soup needs the same layers in each")
    total = float(sum(weights))
    deltas: dict[str, np.ndarray] = {}
    for (lora, alpha), w in zip(adapters, weights):
        for module, (a, b) in lora.items():
            part = (w / total) * lora_update(a.astype(np.float64), b.astype(np.float64), alpha)
            deltas[module] = deltas[module] + part if module in deltas else part
    return deltas


def soup(cfg: SoupConfig) -> dict:
    paths = [Path(p) for p in cfg.adapters.split(",") if p.strip()]
    if len(paths) < 2:
        raise ValueError("a soup needs at least two adapters (--adapters A.gguf,B.gguf)")
    weights = [float(w) for w in cfg.weights.split(",")] if cfg.weights else [1.0] * len(paths)
    if len(weights) != len(paths) or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("--weights needs one non-negative weight per adapter, not all zero")
    if not cfg.base:
        from nlsh.bundled import default_model_path

        cfg.base = str(default_model_path())
    arch = arch_of_gguf(Path(cfg.base))
    adapters = [read_lora_gguf(p, arch) for p in paths]
    lora, kept = lora_of_rank(mean_update(adapters, weights), cfg.rank)
    out = write_lora_gguf(lora, arch, float(cfg.rank), Path(cfg.out), cfg.dtype)
    return {"adapter": str(out), "bytes": out.stat().st_size, "rank": cfg.rank, "svd_kept": round(kept, 4),
            "parts": [str(p) for p in paths], "weights": weights}
