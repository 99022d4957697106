"""Training hyper-parameters as plain values (nanoGPT style): every field is a `python -m finetune train` flag."""

from __future__ import annotations

from dataclasses import dataclass, field

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    base: str = ""  # a .gguf file (loaded through transformers' gguf_file) or a local HF model dir
    data_dir: str = "runs/data"  # what `python -m finetune data` wrote (train.jsonl, dev.jsonl)
    out_dir: str = "runs/train"  # checkpoints, best/ and last/ weights, log.json, loss.png
    init: str = ""  # start from trained weights: an earlier run's weights.pt, or an adapter GGUF (e.g. the shipped one)
    extra: list[str] = field(default_factory=list)  # more JSONL files (e.g. learned.jsonl) to train on
    max_records: int = 0  # 0 = all of train.jsonl
    # Full fine-tuning instead of LoRA: every weight of the blocks' linear layers trains (embeddings
    # and norms stay). --init may still name an adapter; it is merged into the weights first.
    full: bool = False
    lora_r: int = 16  # LoRA rank
    lora_alpha: int = 32  # LoRA scale numerator: updates are scaled by alpha / r
    lora_dropout: float = 0.05  # dropout on the LoRA input
    # Train layers >= this one only (LoRA, or the weights themselves under --full). Layers below then
    # need no backward pass at all, which is a quarter of the CPU time at 10 of 30 frozen; the top
    # layers carry most of the task anyway.
    lora_first_layer: int = 0
    lr: float = 1e-3  # peak learning rate (AdamW), after warm-up, before cosine decay to 10%
    weight_decay: float = 0.0  # AdamW weight decay
    warmup_steps: int = 30  # linear warm-up steps
    epochs: float = 1.0  # passes over the training records (fractions allowed)
    max_steps: int = 0  # 0 = from epochs
    # End this invocation after this many steps (0 = run to the end); a later run with the same
    # config resumes from the checkpoint, so CPU training can proceed in time slots.
    stop_after: int = 0
    # Wall-clock budget of this invocation in minutes (0 = none). The cosine decay follows whichever
    # runs out first, steps or minutes, so a run on a lent GPU ends on time at a low learning rate;
    # the run stops when one more step (its longest so far) would overrun the budget.
    minutes: float = 0.0
    batch_tokens: int = 2048  # tokens per micro-batch (length-bucketed, little padding)
    grad_accum: int = 1  # micro-batches per optimizer step
    max_len: int = 384  # prompt + answer tokens kept per record (the prompt is cut first)
    eval_every: int = 100  # steps between dev-loss evaluations (and early-stopping checks)
    eval_records: int = 48  # dev items decoded greedily for accuracy at each evaluation
    patience: int = 4  # evaluations without dev-loss improvement before stopping
    save_every: int = 50  # steps between checkpoints a later run resumes from
    seed: int = 0  # shuffling, dropout and initialisation
    threads: int = 0  # CPU threads (0 = torch default)
    # Matrix work in bf16 autocast ("bf16") or fp32 ("fp32"); master weights, optimizer state and
    # the loss stay fp32 either way. "auto": bf16 on a GPU, fp32 on a CPU. A CPU with avx512_bf16
    # or AMX has bf16 matmuls too; bench/train_speed.py measures what each dtype gives here.
    dtype: str = "auto"
    compile: bool = False  # torch.compile the model: 1.11x tokens/s on 2 cores after about 7 minutes of compiling
