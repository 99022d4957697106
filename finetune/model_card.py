"""The model card that goes beside an adapter, in Hugging Face's model-card sections.

What holds for every adapter `finetune` trains (what it is for, the data it may be trained on with
their licenses and attribution, its risks) is written here once. `write_model_card` adds what one
run knows: the base, the hyper-parameters, the data counts, a note on the run and the evaluation
table. The shipped adapter's card (nlsh/data/MODEL_CARD.md) has the same sections and the same
fixed parts, which tests/test_model_card.py checks.
"""

from __future__ import annotations

import json
from pathlib import Path

SECTIONS = (
    "Model details",
    "Intended use and limits",
    "Training data",
    "Training procedure",
    "Evaluation",
    "Risks and limitations",
)

INTENDED_USE = """\
Made for nlsh: turning one request in English into one shell command line for bash, zsh or fish on
Linux, or into smart-home actions in nlsh's answer format (`light.kitchen turn_off; ...`), inside
nlsh's pipeline, which gives it its prompt template (`nlsh.prompt`), an answer grammar, decoding
rules, a validator that grades the command's risk, and a confirmation step before anything runs.

Out of scope: running its answers without a person reading them first; chat, explanations or any
other task; other prompt formats (a program using this adapter should build prompts with
`nlsh.prompt` and read requests as `nlsh.prompt.as_read` does, without closing punctuation or words
such as "please" and "can you", which no training request carries); languages other than English."""

TRAINING_DATA = """\
Read from the shared data folder at training time only: none of it is in the repository or the
package, and the adapter is what ships. `python -m finetune data` draws from:

- **tldr pages**: CC BY 4.0, © the **tldr-pages team and contributors**
  (https://github.com/tldr-pages/tldr). Examples were rewritten: placeholders filled with concrete
  values, descriptions turned into requests, some naming the page's tool as people do.
- **NL2Bash** (Lin et al., LREC 2018): MIT.
- **home-llm piles** (acon96/home-llm): MIT. Their request phrasings, answered in random homes
  generated in nlsh's format.
- **Everyday pairs** (`nlsh/data/everyday_pairs.jsonl`): 302 requests as people type them for 92
  everyday tasks ("whats my ip", "biggest files in downloads"), written for this project.

The dev split holds out whole tldr pages, NL2Bash command templates, home phrase templates (in homes
generated with a seed no training run used) and, optionally, everyday tasks; a held-out group with a
near-duplicate in training trains instead."""

RISKS = """\
- It is a 135M-parameter model and is often wrong: it knows everyday programs far better than rare
  ones, and a request that neither names a rare tool nor asks for an everyday one is close to a
  guess. It invents options and paths for tools it knows (`df -b`, `tail -n 20 /var/log/app.log`).
- Whether a command needs `sudo` is a guess from the tool's name.
- Its logits are often near-tied, so another CPU's kernels change some answers (an AVX2 build of
  llama.cpp changed about one in five, with the same score).
- It grades nothing: risk ratings, warnings and refusals come from nlsh's validator, and a person
  confirms every command (`dangerous` ones with a typed `yes`). Used outside nlsh, it has none of
  these safeguards.
- Its training data is English and mostly GNU/Linux; commands for macOS, BSD or Windows are rare."""


def render_card(details: str, procedure: str, evaluation: str, front_matter: str = "") -> str:
    """The card's text: the fixed parts above and what one adapter adds, under SECTIONS."""
    bodies = (details, INTENDED_USE, TRAINING_DATA, procedure, evaluation, RISKS)
    head = f"---\n{front_matter.strip()}\n---\n\n" if front_matter.strip() else ""
    parts = [f"{head}# nlsh LoRA adapter"]
    parts += [f"## {title}\n\n{body.strip()}" for title, body in zip(SECTIONS, bodies)]
    return "\n\n".join(parts) + "\n"


def write_model_card(path: Path, train_config: dict, data_counts: dict, eval_table: str, training_note: str) -> Path:
    """Write the card for an adapter trained with `train_config` (train_config.json of the run) on
    data with `data_counts` (counts.json of the data build), evaluated as `eval_table` says."""
    hp = {k: train_config[k] for k in ("full", "lora_r", "lora_alpha", "lora_dropout", "lora_first_layer", "lr",
                                        "warmup_steps", "epochs", "max_steps", "batch_tokens", "max_len", "seed")
          if k in train_config}
    base = Path(str(train_config.get("base") or "the bundled SmolLM2-135M-Instruct GGUF")).name
    details = (f"A llama.cpp LoRA adapter for `{base}`, trained by nlsh's `finetune` package, that turns a "
               "request into one shell command or into smart-home actions in nlsh's answer format. "
               "Load it with its base model: `nlsh --model BASE.gguf --lora ADAPTER.gguf`.")
    procedure = (f"Hyper-parameters: `{json.dumps(hp)}`. AdamW, warm-up then cosine decay to 10% of the "
                 "learning rate, loss on answer tokens only, length-bucketed batches.\n\n"
                 f"Data counts: `{json.dumps(data_counts)}`.\n\n{training_note.strip()}")
    path.write_text(render_card(details, procedure, eval_table), encoding="utf-8")
    return path
