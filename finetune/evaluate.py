"""`python -m finetune eval`: dev accuracy through nlsh's own inference path.

The primary figure is execution accuracy on the benchmark of bench/exec_dev (finetune.exec_bench):
each answer is run by the judge (finetune.judge) on a file tree in a sandbox and is right when it
does what a reference does, whatever its spelling. It is given per source (everyday requests,
compositional tasks, tasks whose answer is a flag) and overall, over the tasks the judge can decide
(those needing network, services or hardware are counted apart as undecided), with same-utilities,
the validator's acceptance and p50 beside it. The judge's own check is in the same table: each
task's first reference judged against the task, a no-op (`true`), and a second reference written by
hand for some tasks.

Then, on the held-out split of the built data (dev.jsonl), each system answers the held-out dev instructions exactly as `nlsh --dry-run` would (llama.cpp, the
grammar, the one prompt template, the machine's retrieval), and is scored on:
- exact: the answer equals the reference (whitespace-normalised); home: the whole action list;
- same utilities: the answer uses the same set of utilities as the reference;
- valid: the validator accepts the answer (parses, reads as a command; home: every action allowed).
A shell answer the validator rejects scores wrong on exact and same utilities too: `nlsh --dry-run`
refuses it, so no user would get it.
Shell same-utilities is also given per kind of request (`shell_kind`): a tldr request that names its
tool, one that does not, and NL2Bash.
The BM25 baseline answers with the command of the most similar training instruction.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from nlsh.validator import command_utilities
from finetune.exec_bench import BENCH_DIR, BenchTask, read_bench
from finetune.records import Record, read_records


@dataclass
class EvalConfig:
    data_dir: str = "runs/data"  # a built data directory: its dev.jsonl is scored
    n_shell: int = 200  # shell dev items scored (a seeded sample; more than there are = all)
    n_home: int = 40  # home dev items scored, each in its own home's grammar and validator
    # Systems to compare, comma-separated: bm25, base (bundled model without adapter),
    # tuned (with the adapter below, merged into the model as nlsh runs it), tuned-unmerged (the
    # adapter applied at every token), tuned-path (the same, first word restricted to $PATH),
    # tuned-bare (no retrieved tool hints or examples in the prompt),
    # tuned-off:RULE+RULE (those decoding rules switched off by name, as nlsh --rules-off),
    # gemma (Gemma 3 270M base), gemma-tuned (Gemma 3 270M with the adapter below, one trained on it),
    # model=FILE.gguf (any GGUF without an adapter, e.g. a merged export).
    # A system may name its own adapter, `tuned=runs/a.gguf,gemma-tuned=runs/b.gguf`, so two bases'
    # adapters answer in one run. The model systems take turns request by request, so their p50s are
    # timed under the same load and their ratio holds on a shared machine.
    systems: str = "bm25,base,tuned"
    adapter: str = ""  # default: the shipped nlsh/data/nlsh-lora.gguf
    out: str = "runs/eval.json"  # every answer and score, as JSON (the table goes to stdout)
    # Corpus for the BM25 baseline (default: data_dir/train.jsonl); give it the whole training
    # corpus when the model was trained on a subset.
    bm25_corpus: str = ""
    seed: int = 0  # which sample of the dev items
    # "all" dev items, or only those whose reference uses utilities installed on this machine
    # (everyday commands; the split holds out whole tldr pages, mostly of tools few people have)
    subset: str = "all"
    # The execution-checked benchmark: a folder of task files ("" leaves it out)
    exec_dev: str = str(BENCH_DIR)
    n_exec: int = 0  # benchmark tasks scored (a seeded sample; 0 = all)
    judge_seed: int = 0  # the seed of the judge's file tree
    judge_workers: int = 2  # tasks judged at once (each run is a sandboxed process)


def _norm(s: str) -> str:
    return " ".join(s.split())


def _utility_match(a: str, b: str) -> tuple[bool, bool]:
    """(same utilities, same but for `sudo`), from one parse of each command."""
    ua, ub = command_utilities(a), command_utilities(b)
    if ua is None or ub is None:
        return False, False
    return set(ua) == set(ub), set(ua) - {"sudo"} == set(ub) - {"sudo"}


def same_utilities(a: str, b: str) -> bool:
    return _utility_match(a, b)[0]


def shell_kind(r: Record) -> str:
    """"tool named", "tool not named" or the record's source. The split holds out whole tldr pages,
    mostly of tools no training record mentions: unless the request names one, it is a guess for
    every system, so the two kinds are reported apart."""
    if r.source != "tldr":
        return r.source
    from finetune.tldr import tool_phrase

    tool = tool_phrase(r.group.removeprefix("tldr:"), r.answer)
    named = tool and re.search(rf"\b{re.escape(tool.lower())}\b", r.instruction.lower())
    return "tool named" if named else "tool not named"


def dev_sample(cfg: EvalConfig) -> tuple[list[Record], list[Record]]:
    import random

    if not cfg.n_shell and not cfg.n_home:
        return [], []
    dev = read_records(Path(cfg.data_dir) / "dev.jsonl")
    rng = random.Random(cfg.seed)
    shell = [r for r in dev if r.source != "home"]
    if cfg.subset == "installed":
        import shutil

        shell = [r for r in shell if all(shutil.which(u) for u in (command_utilities(r.answer) or ["?"]))]
    home = [r for r in dev if r.source == "home" and r.registry]
    rng.shuffle(shell)
    rng.shuffle(home)
    return shell[: cfg.n_shell], home[: cfg.n_home]


class BM25Baseline:
    def __init__(self, train: list[Record]):
        from nlsh.bm25 import BM25
        from nlsh.words import terms

        self.terms = terms
        self.train = [r for r in train if r.source != "home"]
        self.index = BM25([terms(r.instruction) for r in self.train])

    def answer(self, instruction: str) -> str:
        top = self.index.top(self.terms(instruction), 1)
        return self.train[top[0]].answer if top else ""


def accepted(answers: list[str]) -> list[bool]:
    """Whether the validator accepts each answer. `nlsh --dry-run` refuses the rest (a line that does
    not parse, prose such as `npm - list your starred packages`), so they reach no user."""
    from nlsh.validator import check_command

    return [bool(a) and check_command(a).valid for a in answers]


def score_shell(answers: list[str], refs: list[Record], valid: list[bool] | None = None) -> dict:
    """The shell scores; `valid` is `accepted(answers)` when the caller has it already."""
    n = max(1, len(refs))
    valid = accepted(answers) if valid is None else valid
    # tldr writes `sudo` where its author's system needed root; for a tool the model has never seen
    # that is a guess, so the share that is right but for `sudo` is reported too (the target is
    # measured without it).
    matches = [_utility_match(a, r.answer) for a, r in zip(answers, refs)]
    same = [ok and same for ok, (same, _) in zip(valid, matches)]
    sudo_aside = [ok and aside for ok, (_, aside) in zip(valid, matches)]
    by_kind: dict[str, list[bool]] = {}
    for r, ok in zip(refs, same):
        by_kind.setdefault(shell_kind(r), []).append(ok)
    return {
        "n": len(refs),
        "exact": sum(ok and _norm(a) == _norm(r.answer) for ok, a, r in zip(valid, answers, refs)) / n,
        "same_utilities": sum(same) / n,
        "same_utilities_sudo_aside": sum(sudo_aside) / n,
        # As measured before the validator told prose from commands: refused answers count too, so
        # the figure stays comparable with results measured that way.
        "same_utilities_refused_too": sum(m[0] for m in matches) / n,
        "valid": sum(valid) / n,
        "same_utilities_by_kind": {k: {"n": len(v), "same_utilities": sum(v) / len(v)} for k, v in sorted(by_kind.items())},
    }


def shell_answers(pipelines: dict, requests: list[str]) -> dict[str, tuple[list[str], list[float]]]:
    """Every pipeline answers each request before the next request; who goes first rotates, so no
    system is always the one that finds the caches cold."""
    out: dict[str, tuple[list[str], list[float]]] = {name: ([], []) for name in pipelines}
    names = list(pipelines)
    for i, request in enumerate(requests if names else []):  # --systems bm25 alone has no model to turn
        for name in names[i % len(names):] + names[: i % len(names)]:
            answers, seconds = out[name]
            t = time.perf_counter()
            try:
                answers.append(pipelines[name].generate(request).text)
            except Exception:  # one bad generation scores as wrong, it does not end the run
                answers.append("")
            seconds.append(time.perf_counter() - t)
    return out


def home_scores(system: str, adapter: str, records: list[Record]) -> dict:
    """Each home item through a pipeline of its own home (the loaded model is shared), so prompt
    listing, grammar and validator all belong to that home. `valid`: the home validator accepts the
    actions (or both sides say no_device); `dangerous`: of the references the validator rates
    dangerous, how many answers it rated dangerous too."""
    from nlsh.home.registry import Registry
    from nlsh.schema import Risk

    exact = valid = dangerous_refs = dangerous_flagged = 0
    items = []
    for r in records:
        registry = Registry.model_validate(r.registry)
        pipeline = system_translator(system, adapter, registry=registry, mode="home")
        try:
            got = pipeline.generate(r.instruction).text
        except Exception:
            got = ""
        pipeline.close()
        ok = _norm(got) == _norm(r.answer)
        verdict, ref_verdict = _home_verdict(got, registry), _home_verdict(r.answer, registry)
        accepted = verdict.valid if verdict else (r.answer.startswith("no_device") and got.startswith("no_device"))
        ref_dangerous = ref_verdict is not None and ref_verdict.risk is Risk.dangerous
        flagged = verdict is not None and verdict.risk is Risk.dangerous
        exact += ok
        valid += accepted
        dangerous_refs += ref_dangerous
        dangerous_flagged += ref_dangerous and flagged
        items.append({"instruction": r.instruction, "reference": r.answer, "answer": got, "exact": ok,
                      "valid": accepted, "risk": verdict.risk.value if verdict else None})
    n = max(1, len(records))
    return {"n": len(records), "exact": exact / n, "valid": valid / n, "dangerous_refs": dangerous_refs,
            "dangerous_flagged": dangerous_flagged, "items": items}


def _home_verdict(text: str, registry):
    from nlsh.home.answer import parse_answer
    from nlsh.home.validate import check_actions

    try:
        return check_actions(parse_answer(text, registry), registry)
    except Exception:  # no_device, or not an answer at all
        return None


def system_translator(system: str, adapter: str, **kw):
    """The Translator an --systems entry names (tuned, base, tuned-off:RULE+RULE ...), uncached."""
    from nlsh import bundled
    from nlsh.config import Config
    from nlsh.api import Translator

    systems = {
        "base": lambda: dict(lora="none"),
        "tuned": lambda: dict(lora=adapter or None),
        # the same, with the adapter applied at every token instead of merged into the weights
        "tuned-unmerged": lambda: dict(lora=adapter or None, config=Config(merge=False)),
        "tuned-path": lambda: dict(lora=adapter or None, grammar="path"),
        # Without retrieved tool hints and examples, for an adapter trained on bare prompts.
        "tuned-bare": lambda: dict(lora=adapter or None, retrieval=False),
        # Any decoding rules off by name: `tuned-off:named-tool+said-values` (nlsh --rules-off).
        "tuned-off": lambda: dict(lora=adapter or None, rules_off=off.split("+")),
        "gemma": lambda: dict(model_path=str(bundled.gemma3_path()), lora="none"),
        "gemma-tuned": lambda: dict(model_path=str(bundled.gemma3_path()), lora=adapter),
        # any GGUF on its own, e.g. a merged export: `model=runs/merged.gguf`
        "model": lambda: dict(model_path=adapter, lora="none"),
    }
    system, _, off = system.partition(":")
    if system not in systems:
        raise ValueError(f"unknown system {system}")
    return Translator(**{"config": Config(), "use_cache": False, **systems[system](), **kw})


def hold_out_bundled(pipeline, shell: list[Record], tasks: list[BenchTask] = ()) -> None:
    """nlsh shows its own everyday pairs as examples; the tasks a dev split or the benchmark holds
    out must not be."""
    held_out = frozenset([r.group for r in shell if r.source == "everyday"]
                         + [t.group for t in tasks if t.source == "everyday"])
    retriever = pipeline.retriever
    if held_out and retriever is not None and retriever.bundled is not None:
        from nlsh.examples import BundledExamples

        retriever.bundled = BundledExamples(exclude_groups=held_out)


def _systems(cfg: EvalConfig) -> dict[str, tuple[str, str]]:
    """Each entry of --systems as name -> (system, adapter)."""
    out = {}
    for entry in (e.strip() for e in cfg.systems.split(",")):
        if entry:
            system, _, adapter = entry.partition("=")
            out[entry] = (system.strip(), adapter.strip() or cfg.adapter)
    return out


def exec_sample(cfg: EvalConfig) -> list[BenchTask]:
    """The benchmark tasks scored: all, or a seeded sample of n_exec."""
    import random

    if not cfg.exec_dev or not Path(cfg.exec_dev).is_dir():
        return []
    tasks = read_bench(Path(cfg.exec_dev))
    if cfg.n_exec and cfg.n_exec < len(tasks):
        tasks = random.Random(cfg.seed).sample(tasks, cfg.n_exec)
    return tasks


def run_eval(cfg: EvalConfig) -> str:
    shell, home = dev_sample(cfg)
    tasks = exec_sample(cfg)
    systems = _systems(cfg)
    pipelines = {name: system_translator(system, adapter) for name, (system, adapter) in systems.items() if system != "bm25"}
    for pipeline in pipelines.values():
        hold_out_bundled(pipeline, shell, tasks)
    answered = shell_answers(pipelines, [r.instruction for r in shell])
    exec_answered = shell_answers(pipelines, [t.request for t in tasks])
    for pipeline in pipelines.values():
        pipeline.close()
    baseline = None
    if any(system == "bm25" for system, _ in systems.values()):
        baseline = BM25Baseline(read_records(Path(cfg.bm25_corpus or Path(cfg.data_dir) / "train.jsonl")))
    results: dict[str, dict] = {}
    exec_results: dict[str, dict] = {}
    if tasks:
        exec_answers = {name: ([baseline.answer(t.request) for t in tasks], []) if system == "bm25" else exec_answered[name]
                        for name, (system, _) in systems.items()}
        exec_results = score_exec(tasks, exec_answers, cfg)
    for name, (system, adapter) in systems.items():
        if system == "bm25":
            answers = [baseline.answer(r.instruction) for r in shell]
        else:
            answers, seconds = answered[name]
        valid = accepted(answers)
        res = {"shell": score_shell(answers, shell, valid)}
        if system != "bm25":
            seconds = sorted(seconds)
            res["shell"]["p50_s"] = seconds[len(seconds) // 2] if seconds else None
            if home:
                res["home"] = home_scores(system, adapter, home)
        res["examples"] = [{"instruction": r.instruction, "reference": r.answer, "answer": a, "kind": shell_kind(r),
                            "valid": ok, "same_utilities": ok and same_utilities(a, r.answer)}
                           for r, a, ok in zip(shell, answers, valid)]
        if name in exec_results:
            res["exec"] = exec_results[name]
        results[name] = res
    if exec_results:
        results[JUDGE_CHECK] = {k: v for k, v in exec_results.items() if k not in systems}
    Path(cfg.out).parent.mkdir(parents=True, exist_ok=True)
    Path(cfg.out).write_text(json.dumps(results, indent=2))
    parts = [exec_table(exec_results)] if exec_results else []
    if shell or home:
        parts.append(table({k: v for k, v in results.items() if k != JUDGE_CHECK}))
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# The execution-checked benchmark

JUDGE_CHECK = "judge self-check"
# The judge's own check, answered like a system: the task's first reference, a command that does
# nothing, and the hand-written second reference (only tasks that have one).
FIRST_REFERENCE = "judge: first reference"
SELF_CHECKS = {FIRST_REFERENCE: lambda t: t.references[0], "judge: no-op `true`": lambda t: "true",
               "judge: second reference": lambda t: t.alt}


def score_exec(tasks: list[BenchTask], answers: dict[str, tuple[list[str], list[float]]], cfg: EvalConfig) -> dict:
    """Execution accuracy of each system's answers, and of the judge's own checks.

    A task is undecided when no reference can run here; it is counted apart, and accuracy is over
    the decided tasks. An answer the validator refuses is wrong, as for the dev split: nlsh --dry-run
    would not give it."""
    from concurrent.futures import ThreadPoolExecutor

    from finetune.judge import judge_many

    valid = {name: accepted(a) for name, (a, _) in answers.items()}

    def one(i: int) -> list:
        t = tasks[i]
        names = [n for n in answers if valid[n][i]]
        cands = [answers[n][0][i] for n in names] + [check(t) for check in SELF_CHECKS.values() if check(t)]
        verdicts = iter(judge_many(cands, t.references, t.expect, seed=cfg.judge_seed))
        got = {n: next(verdicts) for n in names}
        got.update({c: next(verdicts) for c, check in SELF_CHECKS.items() if check(t)})
        return got

    with ThreadPoolExecutor(max(1, cfg.judge_workers)) as pool:
        per_task = list(pool.map(one, range(len(tasks))))
    out = {}
    undecided = [got[FIRST_REFERENCE].right is None for got in per_task]
    for name, (ans, seconds) in answers.items():
        rows = [_exec_row(t, a, ok, got.get(name), u) for t, a, ok, got, u in zip(tasks, ans, valid[name], per_task, undecided)]
        out[name] = _exec_summary(rows, seconds)
    for check, pick in SELF_CHECKS.items():
        rows = [_exec_row(t, pick(t), True, got[check], u) for t, got, u in zip(tasks, per_task, undecided) if check in got]
        out[check] = _exec_summary(rows, [])
    return out


def _exec_row(t: BenchTask, answer: str, valid: bool, verdict, task_undecided: bool) -> dict:
    from finetune.judge import Verdict

    if verdict is None:  # refused by the validator: not run
        verdict = Verdict(right=False, why="the validator refuses it")
    # a task is undecided when no reference of it can run here, whatever the answer
    undecided = task_undecided
    return {"id": t.id, "request": t.request, "reference": t.references[0], "answer": answer, "source": t.source,
            "family": t.family, "valid": valid, "right": None if undecided else verdict.right, "why": verdict.why, "undecided": undecided,
            "same_utilities": valid and any(same_utilities(answer, r) for r in t.references)}


def _exec_summary(rows: list[dict], seconds: list[float]) -> dict:
    def acc(rs: list[dict]) -> dict:
        decided = [r for r in rs if not r["undecided"]]
        return {"n": len(rs), "decided": len(decided), "right": sum(bool(r["right"]) for r in decided),
                "exec": sum(bool(r["right"]) for r in decided) / len(decided) if decided else None}

    n = max(1, len(rows))
    by_source = {s: acc([r for r in rows if r["source"] == s]) for s in sorted({r["source"] for r in rows})}
    by_family = {f: acc([r for r in rows if r["family"] == f]) for f in sorted({r["family"] for r in rows})}
    seconds = sorted(seconds)
    return {**acc(rows), "undecided": sum(r["undecided"] for r in rows),
            "same_utilities": sum(r["same_utilities"] for r in rows) / n, "valid": sum(r["valid"] for r in rows) / n,
            "p50_s": seconds[len(seconds) // 2] if seconds else None,
            "by_source": by_source, "by_family": by_family, "items": rows}


def exec_table(results: dict[str, dict]) -> str:
    sources = sorted({s for res in results.values() for s in res["by_source"]})
    lines = ["| execution-checked benchmark | exec accuracy |" + "".join(f" {s} |" for s in sources)
             + " undecided | same-utilities | validator-accepted | p50 s/instr |",
             "|---|---|" + "---|" * len(sources) + "---|---|---|---|"]

    def pct(a: dict) -> str:
        return f"{a['exec']:.1%} of {a['decided']}" if a.get("exec") is not None else "-"

    for name, res in results.items():
        per_source = "".join(f" {pct(res['by_source'][s])} |" if s in res["by_source"] else " - |" for s in sources)
        p50 = f"{res['p50_s']:.2f}" if res.get("p50_s") else "-"
        # the judge's checks are references and a no-op, not answers: utilities and validity say nothing
        same = f"{res['same_utilities']:.1%}" if name not in SELF_CHECKS else "-"
        valid = f"{res['valid']:.1%}" if name not in SELF_CHECKS else "-"
        lines.append(f"| {name} | {pct(res)} |{per_source} {res['undecided']} | {same} | {valid} | {p50} |")
    return "\n".join(lines)


def table(results: dict) -> str:
    kinds = sorted({k for res in results.values() for k in res["shell"].get("same_utilities_by_kind", {})})
    lines = ["| system | shell exact | shell same-utilities |" + "".join(f" {k} |" for k in kinds)
             + " same-utilities, sudo aside | same-utilities, refused answers counted | shell valid | p50 s/instr |"
             + " same-utilities points per s |"
             + " home exact | home valid | home dangerous flagged |",
             "|---|---|---|" + "---|" * len(kinds) + "---|---|---|---|---|---|---|---|"]
    for name, res in results.items():
        s, h = res["shell"], res.get("home", {})
        by_kind = s.get("same_utilities_by_kind", {})
        per_kind = "".join(f" {by_kind[k]['same_utilities']:.0%} of {by_kind[k]['n']} |" if k in by_kind else " - |"
                           for k in kinds)
        p50 = f"{s['p50_s']:.2f}" if s.get("p50_s") else "-"
        # Accuracy per unit of the time a user waits: how the issue ranks one base against another.
        per_s = f"{100 * s['same_utilities'] / s['p50_s']:.1f}" if s.get("p50_s") else "-"
        home_exact = f"{h['exact']:.1%}" if h else "-"
        home_valid = f"{h['valid']:.1%}" if h else "-"
        danger = f"{h['dangerous_flagged']}/{h['dangerous_refs']}" if h else "-"
        aside = f"{s['same_utilities_sudo_aside']:.1%}" if "same_utilities_sudo_aside" in s else "-"
        refused_too = f"{s['same_utilities_refused_too']:.1%}" if "same_utilities_refused_too" in s else "-"
        lines.append(f"| {name} | {s['exact']:.1%} | {s['same_utilities']:.1%} |{per_kind} {aside} | {refused_too} "
                     f"| {s['valid']:.1%} | {p50} | {per_s} "
                     f"| {home_exact} | {home_valid} | {danger} |")
    return "\n".join(lines)
