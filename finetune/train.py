"""`python -m finetune train`: supervised fine-tuning with the loss on the answer tokens only.

Readable in one sitting: config as plain values, one loop. LoRA (peft) by default, full fine-tuning
with --full. Runs on CPU or GPU, in fp32 or bf16 autocast (--dtype), and under torchrun/accelerate
launch as DDP unchanged.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import time
from dataclasses import asdict
from pathlib import Path

import torch

from finetune.config import LORA_TARGETS, TrainConfig
from finetune.lora import arch_of, load_base, lora_from_weights, merge_lora, read_lora_gguf, weights_from_lora
from finetune.records import Record, read_records
from nlsh.learned import load
from nlsh.prompt import chat_format_for, render_answer, render_prompt

# --- data ----------------------------------------------------------------------------------------


def read_learned(path: Path) -> list[Record]:
    """The user's own pairs (nlsh.learned's file: the latest command for each request) as extra
    training records."""
    return [Record(instruction=p.instruction, answer=p.command, source="learned", group="learned") for p in load(path)]


def encode(records: list[Record], tokenizer, fmt, max_len: int) -> list[tuple[list[int], int]]:
    """(token ids, index where the answer starts). Prompt and answer are tokenised apart, the way
    llama.cpp sees them: it tokenises the prompt, then the model emits the answer token by token."""
    out = []
    for r in records:
        p = tokenizer(render_prompt(r.instruction, r.context, fmt), add_special_tokens=False)["input_ids"]
        a = tokenizer(render_answer(r.answer, fmt), add_special_tokens=False)["input_ids"]
        ids = (p + a)[-max_len:]
        start = max(1, len(ids) - len(a))
        out.append((ids, start))
    return out


def batches(encoded, batch_tokens: int, rng: random.Random):
    """Length-bucketed batches: sort by length inside large shuffled pools so padding stays small."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    pool = 256
    result = []
    for i in range(0, len(order), pool):
        chunk = sorted(order[i : i + pool], key=lambda j: len(encoded[j][0]))
        cur: list[int] = []
        longest = 0
        for j in chunk:
            n = len(encoded[j][0])
            if cur and max(longest, n) * (len(cur) + 1) > batch_tokens:
                result.append(cur)
                cur, longest = [], 0
            cur.append(j)
            longest = max(longest, n)
        if cur:
            result.append(cur)
    rng.shuffle(result)
    return result


def collate(encoded, idx: list[int], pad_id: int, device):
    seqs = [encoded[j] for j in idx]
    width = max(len(s) for s, _ in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    labels = torch.full((len(seqs), width), -100, dtype=torch.long)
    for row, (s, start) in enumerate(seqs):
        ids[row, : len(s)] = torch.tensor(s)
        mask[row, : len(s)] = 1
        labels[row, start : len(s)] = torch.tensor(s[start:])
    return ids.to(device), mask.to(device), labels.to(device)


# --- model ---------------------------------------------------------------------------------------


def _core(model):
    """The causal LM itself: under LoRA, the model peft wraps."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def compile_in_place(model) -> None:
    """torch.compile the transformer body in place, so parameter names (and so checkpoints and
    export) stay the same; the body only, because answer_loss calls it directly. Bucketed batches
    vary in shape, hence dynamic."""
    _core(model).model.compile(dynamic=True)


def answer_loss(model, ids, mask, labels):
    """Cross-entropy on answer tokens, computing the output layer only where there is a label:
    with a 49k vocabulary the logits of prompt positions would be a large, useless share of the work."""
    core = _core(model)
    hidden = core.model(input_ids=ids, attention_mask=mask).last_hidden_state
    target = labels[:, 1:]
    sel = target != -100
    logits = core.lm_head(hidden[:, :-1][sel]).float()
    return torch.nn.functional.cross_entropy(logits, target[sel]), int(sel.sum())


class AnswerLoss(torch.nn.Module):
    """The model with answer_loss as its forward. DDP synchronises gradients only for what runs through
    its own forward, and answer_loss reaches past the model's forward, so DDP wraps this instead."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids, mask, labels):
        return answer_loss(self.model, ids, mask, labels)


@torch.no_grad()
def greedy(model, tok, prompt_ids: list[int], stop_ids: set[int], max_new: int = 48) -> list[int]:
    core = _core(model)
    device = next(core.parameters()).device
    out = core.generate(
        torch.tensor([prompt_ids], device=device), max_new_tokens=max_new, do_sample=False,
        eos_token_id=list(stop_ids), pad_token_id=tok.pad_token_id or 0,
    )
    return out[0, len(prompt_ids):].tolist()


def evaluate(model, tok, fmt, dev_enc, dev_records, cfg, device, pad_id) -> dict:
    model.eval()
    total, n_tok = 0.0, 0
    for idx in batches(dev_enc, cfg.batch_tokens, random.Random(0)):
        ids, mask, labels = collate(dev_enc, idx, pad_id, device)
        with torch.no_grad(), autocast(device, cfg.dtype):
            loss, n = answer_loss(model, ids, mask, labels)
        total += float(loss) * n
        n_tok += n
    stop = {tok.convert_tokens_to_ids(fmt.end_of_turn), tok.eos_token_id}
    correct = 0
    sample = dev_records[: cfg.eval_records]
    for r in sample:
        p = tok(render_prompt(r.instruction, r.context, fmt), add_special_tokens=False)["input_ids"]
        gen = tok.decode(greedy(model, tok, p, stop), skip_special_tokens=True).strip()
        correct += " ".join(gen.split()) == " ".join(r.answer.split())
    model.train()
    return {"dev_loss": total / max(1, n_tok), "dev_exact": correct / max(1, len(sample))}


DTYPES = ("auto", "fp32", "bf16")


def autocast(device, dtype: str = "auto"):
    """bf16 autocast for the matrix work (weights stay fp32), or none. "auto" is bf16 on a GPU only:
    a CPU without avx512_bf16 or AMX has no fast bf16 matmul."""
    if dtype not in DTYPES:
        raise ValueError(f"--dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
    bf16 = dtype == "bf16" or (dtype == "auto" and device.type == "cuda")
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)


# --- the loop ------------------------------------------------------------------------------------


def train(cfg: TrainConfig) -> dict:
    ddp = int(os.environ.get("WORLD_SIZE", "1")) > 1
    rank = int(os.environ.get("RANK", "0"))
    if ddp:
        torch.distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    main = rank == 0

    autocast(device, cfg.dtype)  # an unknown --dtype is refused before the model loads
    # fp32 master weights; bf16 (--dtype) is autocast around the forward pass.
    model, tok = load_base(cfg.base, torch.float32)
    arch = getattr(model.config, "model_type", "llama")
    fmt = chat_format_for(arch, getattr(tok, "chat_template", None))
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id

    n_layers = model.config.num_hidden_layers
    if cfg.full:
        init = load_init(cfg, model.config) if cfg.init else {}
        if any(".lora_A." in k for k in init):  # an adapter to go on from: fold it into the weights first
            merge_lora(model, lora_from_weights(init), cfg.lora_alpha / cfg.lora_r)
            init = {}
        freeze_for_full(model, cfg.lora_first_layer)
        if init:
            _trainable_load(model, init)
    else:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(
            r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
            target_modules=LORA_TARGETS, task_type="CAUSAL_LM",
            layers_to_transform=list(range(cfg.lora_first_layer, n_layers))))
        if cfg.init:
            _trainable_load(model, load_init(cfg, model.config))
    model.to(device)
    if cfg.compile:
        compile_in_place(model)
    step_model = AnswerLoss(model)
    if ddp:
        step_model = torch.nn.parallel.DistributedDataParallel(step_model, device_ids=[local] if device.type == "cuda" else None)

    data_dir = Path(cfg.data_dir)
    train_records = read_records(data_dir / "train.jsonl") if (data_dir / "train.jsonl").exists() else []
    if cfg.max_records:
        train_records = train_records[: cfg.max_records]
    for extra in cfg.extra:
        train_records += read_learned(Path(extra)) if "learned" in Path(extra).name else read_records(Path(extra))
    dev_records = read_records(data_dir / "dev.jsonl") if (data_dir / "dev.jsonl").exists() else []
    rng = random.Random(cfg.seed)
    rng.shuffle(dev_records)
    dev_records = dev_records[: max(cfg.eval_records * 4, 64)]
    train_enc = encode(train_records, tok, fmt, cfg.max_len)
    dev_enc = encode(dev_records, tok, fmt, cfg.max_len)

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(batches(train_enc, cfg.batch_tokens, random.Random(0))) / cfg.grad_accum)
    total_steps = cfg.max_steps or max(1, int(steps_per_epoch * cfg.epochs))

    t0 = time.time()  # tokens/s and the time budget count from here, after loading and tokenising
    # The longest step so far, its evaluation and saving included (saving a new best can take longer
    # than a step). The budget is judged one such step ahead, so the run stops before it would overrun
    # and the steps that an evaluation or a save delays already run at the decay's floor. The
    # invocation's first step, which pays one-off costs, is left out.
    longest_step = 0.0

    def time_spent() -> float:  # share of this invocation's --minutes used by the end of the next step
        return (time.time() - t0 + longest_step) / (cfg.minutes * 60) if cfg.minutes else 0.0

    def lr_at(step):  # warm-up, then cosine decay to 10% over the steps or the minutes, whichever ends first
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        t = max((step - cfg.warmup_steps) / max(1, total_steps - cfg.warmup_steps), time_spent())
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    state = {"step": 0, "epoch": 0, "batch_in_epoch": 0, "best": float("inf"), "bad_evals": 0, "log": []}
    ckpt = out / "checkpoint.pt"
    if ckpt.exists():
        saved = torch.load(ckpt, map_location=device, weights_only=False)
        _trainable_load(model, saved["weights"])
        opt.load_state_dict(saved["opt"])
        sched.load_state_dict(saved["sched"])
        state = saved["state"]
        torch.set_rng_state(saved["rng"])  # dropout masks continue as if never interrupted
        if main:
            print(f"resumed from {ckpt} at step {state['step']}")

    from tqdm import tqdm

    bar = tqdm(total=total_steps, initial=state["step"], disable=not main, dynamic_ncols=True)
    model.train()
    seen_tokens = 0
    first_step = state["step"]
    done = False
    while not done:
        epoch_batches = batches(train_enc, cfg.batch_tokens, random.Random(cfg.seed + state["epoch"]))
        if ddp:
            epoch_batches = epoch_batches[rank :: torch.distributed.get_world_size()]
        while state["batch_in_epoch"] < len(epoch_batches):
            step_start = time.time()
            acc_loss = 0.0
            for _ in range(cfg.grad_accum):
                if state["batch_in_epoch"] >= len(epoch_batches):
                    break
                idx = epoch_batches[state["batch_in_epoch"]]
                state["batch_in_epoch"] += 1
                ids, mask, labels = collate(train_enc, idx, pad_id, device)
                with autocast(device, cfg.dtype):
                    loss, _ = step_model(ids, mask, labels)
                (loss / cfg.grad_accum).backward()
                acc_loss += float(loss.detach()) / cfg.grad_accum
                seen_tokens += int(mask.sum())
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            state["step"] += 1
            rate, lr = seen_tokens / max(1e-9, time.time() - t0), sched.get_last_lr()[0]
            bar.set_postfix(loss=f"{acc_loss:.3f}", tok_s=f"{rate:.0f}", lr=f"{lr:.2e}")
            bar.update(1)
            state["log"].append({"step": state["step"], "loss": acc_loss, "tok_s": rate, "time": time.time(), "lr": lr})
            if main and state["step"] % cfg.eval_every == 0 and dev_records:
                ev = evaluate(model, tok, fmt, dev_enc, dev_records, cfg, device, pad_id)
                state["log"][-1].update(ev)
                bar.write(f"step {state['step']}: dev loss {ev['dev_loss']:.4f}, dev exact {ev['dev_exact']:.1%}")
                if ev["dev_loss"] < state["best"] - 1e-4:
                    state["best"], state["bad_evals"] = ev["dev_loss"], 0
                    save_weights(model, tok, cfg, out / "best")
                else:
                    state["bad_evals"] += 1
                if state["bad_evals"] >= cfg.patience:
                    bar.write("early stop: dev loss stopped improving")
                    done = True
            if main and (state["step"] % cfg.save_every == 0 or done):
                save_checkpoint(model, opt, sched, state, ckpt)
            if cfg.stop_after and state["step"] - first_step >= cfg.stop_after:
                done = True
            if state["step"] > first_step + 1:
                longest_step = max(longest_step, time.time() - step_start)
            if time_spent() >= 1.0:
                bar.write(f"time budget of {cfg.minutes:g} minutes spent at step {state['step']} (one more step would overrun it)")
                done = True
            if state["step"] >= total_steps or done:
                done = True
                break
        else:
            state["epoch"] += 1
            state["batch_in_epoch"] = 0
            if main:  # the figure a GPU run is judged by: minutes per pass over the data
                minutes = (time.time() - t0) / 60
                bar.write(f"epoch {state['epoch']} done at step {state['step']}: {minutes:.2f} minutes "
                          f"since start, {seen_tokens / max(1e-9, minutes * 60):.0f} tokens/s")
    bar.close()
    if ddp:
        _check_ranks_agree(params)
    if main:
        save_checkpoint(model, opt, sched, state, ckpt)
        save_weights(model, tok, cfg, out / "last")
        if not (out / "best").exists():
            save_weights(model, tok, cfg, out / "best")
        (out / "log.json").write_text(json.dumps(state["log"]))
        plot_loss(state["log"], out / "loss.png")
    if ddp:
        torch.distributed.destroy_process_group()
    return state


def _check_ranks_agree(params) -> None:
    """Only rank 0 saves: ranks whose gradients were not synchronised would each hold another model."""
    sums = torch.stack([p.detach().double().sum() for p in params])  # on the params' device, as nccl needs
    gathered = [torch.zeros_like(sums) for _ in range(torch.distributed.get_world_size())]
    torch.distributed.all_gather(gathered, sums)
    if not all(torch.allclose(g, gathered[0], rtol=1e-6, atol=1e-8) for g in gathered):
        raise RuntimeError("DDP ranks ended with different weights: gradients were not synchronised")


def _trainable_state(model) -> dict:
    return {k: v.detach().cpu() for k, v in model.named_parameters() if v.requires_grad}


def _trainable_load(model, weights: dict) -> None:
    missing = set(weights) - {k for k, _ in model.named_parameters()}
    if missing:
        raise ValueError(f"checkpoint does not fit this model: {sorted(missing)[:3]}")
    model.load_state_dict(weights, strict=False)


def freeze_for_full(model, first_layer: int) -> None:
    """Full fine-tuning trains every weight of the blocks' linear layers (from first_layer up), the
    weights LoRA adapts. Embeddings and norms stay as they are, so the whole update is one a LoRA
    adapter can carry: export writes it as one (by SVD) that ships beside the quantised base."""
    for name, p in model.named_parameters():
        parts = name.split(".")
        p.requires_grad = (len(parts) > 3 and parts[-2] in LORA_TARGETS and parts[-1] == "weight"
                           and int(parts[parts.index("layers") + 1]) >= first_layer)


def load_init(cfg: TrainConfig, arch) -> dict:
    """Starting weights: a weights.pt, a checkpoint.pt, or an exported adapter GGUF."""
    if Path(cfg.init).suffix != ".gguf":
        init = torch.load(cfg.init, map_location="cpu", weights_only=False)
        return init.get("weights", init)
    lora, alpha = read_lora_gguf(Path(cfg.init), arch_of(arch))
    rank = next(iter(lora.values()))[0].shape[0]
    if (rank, alpha) != (cfg.lora_r, cfg.lora_alpha):
        raise ValueError(f"{cfg.init} has LoRA r={rank}, alpha={alpha:g}: train with --lora-r {rank} --lora-alpha {alpha:g}")
    return weights_from_lora(lora)


def save_checkpoint(model, opt, sched, state, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"weights": _trainable_state(model), "opt": opt.state_dict(), "sched": sched.state_dict(),
                "state": state, "rng": torch.get_rng_state()}, tmp)
    tmp.replace(path)


def save_weights(model, tok, cfg: TrainConfig, path: Path) -> None:
    """The trained weights with what export needs: adapter (or full) weights and the config."""
    path.mkdir(parents=True, exist_ok=True)
    torch.save(_trainable_state(model), path / "weights.pt")
    (path / "train_config.json").write_text(json.dumps(asdict(cfg), indent=2))


def plot_loss(log: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    steps, losses = [r["step"] for r in log], [r["loss"] for r in log]
    ax.plot(steps, losses, label="train loss", alpha=0.3)
    # Length-bucketed batches hold one kind of record each (long home prompts with easy answers, short
    # shell ones with hard answers), so step losses swing widely; the running mean shows the trend.
    window = max(1, len(losses) // 20)
    if window > 1:
        cum = [0.0, *itertools.accumulate(losses)]
        mean = [(cum[i + 1] - cum[max(0, i + 1 - window)]) / min(window, i + 1) for i in range(len(losses))]
        ax.plot(steps, mean, label=f"train loss, mean of {window} steps")
    ev = [r for r in log if "dev_loss" in r]
    if ev:
        ax.plot([r["step"] for r in ev], [r["dev_loss"] for r in ev], "o-", label="dev loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (answer tokens)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
