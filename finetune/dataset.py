"""`python -m finetune data`: build train/dev JSONL from ../shared/data in nlsh's prompt format.

The data is read here, at training time, and never stored in the project: only the trained weights ship.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from finetune import nl2bash, tldr
from finetune.exec_bench import BENCH_DIR, LeakFilter, read_bench
from finetune.families import utility_family
from nlsh.validator import command_utilities
from finetune.records import Record
from nlsh.bm25 import BM25
from nlsh.bundled import EXAMPLES_FILE, data_file
from nlsh.words import terms
from nlsh.prompt import Example, PromptContext, ToolHint


@dataclass
class DataConfig:
    data_root: Path = Path("../shared/data")  # tldr/, nl2bash/, home-llm/ as the shared data lays them out
    out_dir: Path = Path("runs/data")  # where train.jsonl, dev.jsonl, counts.json and DATA_CARD.md go
    seed: int = 0  # sampling (values, subsets, context); the dev split has its own seed
    split_seed: int = 0  # which groups the hash holds out: keep it fixed so dev splits stay comparable
    dev_fraction: float = 0.06  # share of groups (tldr pages, NL2Bash templates, home templates) held out
    # tldr examples of utilities this machine has are filled twice (different values), others once:
    # everyday tools matter most to users, and the model must not learn that every request is `find`.
    fills_installed: int = 2
    fills_other: int = 1  # fills of each example of a tool this machine lacks
    # Share of tldr instructions that name the page's tool, as people often do (see tldr.fill).
    tool_share: float = 0.5
    # Copies of each NL2Bash pair whose command starts with `find` (a fraction keeps that share of
    # them, drawn by the seed): every distinct NL2Bash pair trains, and `find` is 5,009 of its 12,041
    # pairs. The execution-checked benchmark's accuracy chooses it; 1.0 keeps NL2Bash's proportion.
    nl2bash_find_weight: float = 1.0
    # Run every NL2Bash command in the judge's sandbox and count, in the data card, how many run
    # (needs bubblewrap; the judge caches each verdict, so only a first build pays for it)
    nl2bash_verify: bool = True
    # The execution-checked benchmark (bench/exec_dev): training records that leak one of its tasks
    # (the same command or request, values masked) are dropped ("" keeps them all)
    exec_bench_dir: str = str(BENCH_DIR)
    # Home examples, as a share of the shell examples (0 disables them).
    home_share: float = 0.35
    # Share of the home examples in people's words (finetune.home_spoken: implied devices, number
    # words, capabilities, groups, negations, speech); the rest come from templates.
    home_spoken_share: float = 0.4
    # Longest device listing (characters) a home example may carry: every listing token is paid
    # for at every step, so CPU runs train on the smaller homes (0 = no limit).
    home_max_listing: int = 0
    # Share of training prompts that carry no retrieved context: the model must work with none.
    no_context_share: float = 0.45
    max_tools: int = 3  # most tool hints in a training prompt, as nlsh retrieves at run time
    max_examples: int = 2  # most retrieved examples in a training prompt
    # Share of the prompts with examples whose first example is another wording of the same task
    # (another record of the item's group). At run time a user's learned pair or one of nlsh's
    # bundled examples is often just that, and a model that only ever saw neighbours learns to pass
    # examples over instead of following one and changing its values.
    task_example_share: float = 0.0
    # Hint the tools this machine lacks with their tldr page's summary too. Hints come from this
    # machine's man pages, and most tldr tools are not installed here, so the answer's tool is rarely
    # among a training prompt's hints and the model learns to pass hints over; on a user's machine
    # the tool asked for is usually installed and its man page hint is right.
    page_hints: bool = False
    # Share of shell prompts that also carry a random home's device listing: with a registry
    # configured every prompt has one, and a listing must not turn every request into device actions.
    shell_with_listing_share: float = 0.08
    # Cap on training records (0 = all). CPU training sees only a subset; it is drawn favouring
    # utilities this machine has (everyday tools) and NL2Bash's composed commands.
    train_limit: int = 0
    # Sampling weight of an NL2Bash record in that subset (tldr's: TLDR_*_WEIGHT below): NL2Bash
    # is where composed commands (pipes, find/xargs, comm) come from.
    nl2bash_weight: float = 2.0
    # Times each training pair of nlsh/data/everyday_pairs.jsonl is repeated (0 leaves them out).
    everyday_repeat: int = 0
    everyday_dev_fraction: float = 0.2  # share of everyday tasks held out as dev
    # Verified core-utility pairs written by `python -m finetune core` (finetune/core_tasks): "find
    # pngs bigger than 2mb in photos" with a command the judge ran on its tree. Their templates train
    # whole: the benchmark's held-out templates are never in the file.
    core_pairs: Path = Path("runs/core/pairs.jsonl")
    core_count: int = 0  # core pairs added to training, a seeded sample (0 leaves them out)


# Requests as people type them ("whats my ip", "biggest files in downloads") for the tasks they ask
# a terminal for most, written for this project (no third-party data): tldr describes what an
# option does ("display the amount of free and used memory"), and a model trained on that alone
# answers "show free memory" with `systemd-free`.
EVERYDAY_PAIRS = data_file(EXAMPLES_FILE)


def tldr_group(page: str) -> str:
    """A tldr page's near-duplicate group: the dev split holds out whole pages."""
    return f"tldr:{page}"


# tldr pages of the tools people reach for first (coreutils, findutils, procps, the archivers, the
# network basics). They always train: the split draws whole pages by hash, and it once held out
# `head`, `du`, `free`, `top`, `pidof`, `realpath`, `gunzip` and `tree`, so the shipped model had
# never seen "show free memory" answered (`systemd-free`) or "list large files in home" (`ls --home`).
# The dev split measures reaching the tools training left out; the basics are not among them.
CORE_PAGES = frozenset(
    """alias apt awk base64 basename bg bzip2 cal cat cd chgrp chmod chown cmp column comm cp crontab curl cut
    date df diff dirname dmesg dpkg du echo egrep env export fg file find fold free git grep groups gunzip gzip
    head history hostname htop id ip ifconfig jobs join journalctl kill killall less ln locate ls lsblk lscpu
    lsof lspci lsusb man md5sum mkdir more mount mv netstat nl nohup nproc passwd paste pgrep pidof ping pkill
    printf ps pstree pwd readlink realpath reboot rev rm rmdir rsync scp sed seq sha256sum shutdown sleep sort
    split ss ssh stat su sudo systemctl tac tail tar tee time top touch tr tree type umount uname uniq unzip
    uptime useradd usermod w watch wc wget whereis which who whoami xargs xz yes zcat zip""".split()
)
CORE_GROUPS = frozenset(tldr_group(p) for p in CORE_PAGES)


def _hashed_to_dev(group: str, fraction: float, seed: int) -> bool:
    h = hashlib.sha1(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(h[:4], "big") / 2**32 < fraction


def group_is_dev(group: str, fraction: float, seed: int) -> bool:
    return group not in CORE_GROUPS and _hashed_to_dev(group, fraction, seed)


def keep_twins_in_train(train: list[Record], dev: list[Record]) -> tuple[list[Record], list[Record], int]:
    """Move to train every dev group that shares a twin key with a training record, until none does.

    Groups alone let near-duplicates straddle the split: a tool's example repeated on another of its
    tldr pages, an NL2Bash task asked with another value. A BM25 lookup answers such an item by
    copying its twin, so they flattered the baseline. A linked group trains rather than the other
    way round, so whatever a model was trained on never becomes dev (NL2Bash's own split moves such
    pairs to train too). Returns train, dev and the number of groups moved."""
    keys = {k for r in train for k in r.twin_keys}
    moved: set[str] = set()
    while hit := {r.group for r in dev if r.group not in moved and not keys.isdisjoint(r.twin_keys)}:
        moved |= hit
        keys |= {k for r in dev if r.group in hit for k in r.twin_keys}
    return train + [r for r in dev if r.group in moved], [r for r in dev if r.group not in moved], len(moved)


def hint_summaries(whatis: dict[str, str], pages: list[tldr.TldrPage], train_groups: set[str]) -> dict[str, str]:
    """Hint summaries for training prompts: the man database's, and for tools it lacks the summary of
    their tldr page, for pages in training only (a dev tool never appears in a training prompt)."""
    summaries = dict(whatis)
    for page in pages:
        if page.summary and page.name not in summaries and tldr_group(page.name) in train_groups:
            summaries[page.name] = page.summary.rstrip(".")
    return summaries


def whatis_summaries() -> dict[str, str]:
    """name -> one-line summary from this machine's man database (sections 1 and 8), as nlsh sees it."""
    try:
        out = subprocess.run(["whatis", "-w", "*"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    summaries = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+) \((1|8)\w*\)\s+- (.+)$", line)
        if m and m.group(1) not in summaries:
            summaries[m.group(1)] = m.group(3).strip()
    return summaries


# Descriptions that name no task of their own ("Display help"): every page has them.
_AMBIGUOUS = re.compile(r"^(view documentation|display (the )?(help|version)|show (the )?(help|version)|print (the )?(help|version))", re.I)


def tldr_records(cfg: DataConfig, rng: random.Random) -> tuple[list[Record], dict[str, int], list[tldr.TldrPage]]:
    pages = tldr.load_pages(cfg.data_root / "tldr")
    records: list[Record] = []
    stats = Counter()
    for page in pages:
        fills = cfg.fills_installed if shutil.which(page.name) else cfg.fills_other
        for ex in page.examples:
            if ex.template.startswith("tldr ") or _AMBIGUOUS.match(ex.description):
                stats["skipped_meta"] += 1
                continue
            seen = set()
            for _ in range(fills):
                filled = tldr.fill(ex, rng, cfg.tool_share)
                if filled is None or filled.command in seen:
                    continue
                utils = command_utilities(filled.command)
                if not utils:
                    stats["unparseable"] += 1
                    continue
                seen.add(filled.command)
                records.append(
                    Record(
                        instruction=filled.instruction,
                        answer=filled.command,
                        context=PromptContext(os_family=tldr.PLATFORMS[page.platform]),
                        source="tldr",
                        group=tldr_group(page.name),
                        utility=utils[0],
                        twin_keys=tldr.twin_keys(ex),
                    )
                )
    stats["records"] = len(records)
    return records, dict(stats), pages


def nl2bash_records(cfg: DataConfig, known: set[str], rng: random.Random) -> tuple[list[Record], dict[str, int]]:
    pairs, stats = nl2bash.load_pairs(cfg.data_root / "nl2bash" / "nl2bash.jsonl", known)
    rng.shuffle(pairs)
    records = []
    for p in pairs:
        weight = cfg.nl2bash_find_weight if p.utilities[0] == "find" else 1.0
        for _ in range(int(weight) + (rng.random() < weight - int(weight))):
            records.append(
                Record(instruction=p.instruction, answer=p.command, source="nl2bash",
                       group=f"nl2bash:{p.template}", utility=p.utilities[0], twin_keys=nl2bash.twin_keys(p))
            )
    stats = dict(stats, find_weight=cfg.nl2bash_find_weight, records=len(records))
    if cfg.nl2bash_verify:
        classes = nl2bash.check_by_execution([p.command for p in pairs])
        if classes:
            stats["execution"] = dict(Counter(classes.values()).most_common())
            stats["executed_commands"] = len(classes)
    return records, stats


def everyday_records(path: Path = EVERYDAY_PAIRS) -> list[Record]:
    """The project's own everyday pairs; the phrasings of one task share a group."""
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Record(instruction=r["instruction"], answer=r["answer"], source="everyday", group=r["group"],
                   utility=next(iter(command_utilities(r["answer"])), "")) for r in rows]


def core_records(cfg: DataConfig, rng: random.Random) -> tuple[list[Record], dict[str, int]]:
    """A seeded sample of `core_count` pairs of the core generator (all of them if fewer)."""
    from finetune.core_tasks.model import CorePair

    with cfg.core_pairs.open(encoding="utf-8") as f:
        pairs = [CorePair.model_validate_json(line) for line in f if line.strip()]
    picked = rng.sample(pairs, min(cfg.core_count, len(pairs)))
    stats = {"pairs_in_file": len(pairs), "verified": sum(p.verified for p in picked)}
    return [Record(instruction=p.request, answer=p.command, source="core", group=p.group, utility=p.utility)
            for p in picked], stats


def home_records(cfg: DataConfig, n: int, seed: int) -> list[Record]:
    from finetune.home_data import build_home_records

    piles, share = cfg.data_root / "home-llm" / "piles", cfg.home_spoken_share
    if not cfg.home_max_listing:
        return build_home_records(piles, n=n, seed=seed, spoken_share=share)
    pool = build_home_records(piles, n=n * 3, seed=seed, spoken_share=share)
    return [r for r in pool if len(r.context.devices or "") <= cfg.home_max_listing][:n]


def add_context(train: list[Record], cfg: DataConfig, rng: random.Random, summaries: dict[str, str]) -> None:
    """Give part of the training prompts retrieved tool hints and examples, like nlsh does at run time.

    Examples come from the training corpus with the item's own group (its near-duplicates) left out,
    so the model learns to adapt a neighbour rather than copy itself; in `task_example_share` of
    them the first example is another wording of the item's own task, never the item's own words.
    """
    shell = [r for r in train if r.source != "home"]
    index = BM25([terms(r.instruction) for r in shell], max_df=0.02)
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(shell):
        groups.setdefault(r.group, []).append(i)
    names = sorted(summaries)
    hint_index = BM25([terms(f"{n} {summaries[n]}") for n in names])
    for r in shell:
        if rng.random() < cfg.no_context_share:
            continue
        tools: list[ToolHint] = []
        n_tools = rng.randint(0, cfg.max_tools)
        if n_tools:
            query = terms(r.instruction)
            picked = [names[i] for i in hint_index.top(query, n_tools)]
            if r.utility in summaries and r.utility not in picked and rng.random() < 0.6:
                picked[rng.randrange(len(picked) + 1) if picked else 0:0] = [r.utility]
            tools = [ToolHint(name=n, summary=summaries[n]) for n in picked[:n_tools]]
        examples: list[Example] = []
        n_ex = rng.randint(0, cfg.max_examples)
        if n_ex:
            query = terms(r.instruction)
            same = [i for i in groups[r.group] if shell[i].instruction != r.instruction]
            if same and cfg.task_example_share and rng.random() < cfg.task_example_share:
                scores = index.scores(query)
                best = max(same, key=lambda i: (scores.get(i, 0.0), rng.random()))
                examples.append(Example(instruction=shell[best].instruction, answer=shell[best].answer))
            if n_ex > len(examples):
                for i in index.top(query, n_ex - len(examples), exclude=lambda i: shell[i].group == r.group):
                    examples.append(Example(instruction=shell[i].instruction, answer=shell[i].answer))
        r.context = PromptContext(os_family=r.context.os_family, tools=tools, examples=examples)


def add_listings(train: list[Record], cfg: DataConfig, rng: random.Random) -> None:
    from finetune.home_data import random_home_listing

    for r in train:
        if r.source != "home" and rng.random() < cfg.shell_with_listing_share:
            listing = random_home_listing(cfg.data_root / "home-llm" / "piles", rng.randrange(1 << 30))
            r.context = r.context.model_copy(update={"devices": listing})


def build(cfg: DataConfig) -> dict:
    rng = random.Random(cfg.seed)
    t_records, t_stats, pages = tldr_records(cfg, rng)
    known = {p.name for p in pages} | {r.utility for r in t_records}
    known |= {u for u in _path_executables()}
    n_records, n_stats = nl2bash_records(cfg, known, rng)
    leaked: dict[str, int] = {}
    if cfg.exec_bench_dir and Path(cfg.exec_bench_dir).is_dir():
        leak = LeakFilter(read_bench(Path(cfg.exec_bench_dir)))
        t_records, leaked["tldr"] = leak.keep(t_records)
        n_records, leaked["nl2bash"] = leak.keep(n_records)
    shell = t_records + n_records
    n_home = int((cfg.train_limit or len(shell)) * cfg.home_share)
    h_records = home_records(cfg, n_home, cfg.seed) if n_home else []
    e_records = everyday_records() if cfg.everyday_repeat else []
    c_records, c_stats = core_records(cfg, rng) if cfg.core_count else ([], {})
    if leaked:
        e_records, leaked["everyday"] = leak.keep(e_records)
        c_records, leaked["core"] = leak.keep(c_records)
    everything = shell + h_records

    train, dev = [], []
    for r in everything:
        (dev if group_is_dev(r.group, cfg.dev_fraction, cfg.split_seed) else train).append(r)
    train, dev, twins_moved = keep_twins_in_train(train, dev)
    if cfg.train_limit:
        shell_train = [r for r in train if r.source != "home"]
        if len(shell_train) > cfg.train_limit:
            subset = _prioritised_subset(shell_train, cfg.train_limit, rng, cfg.nl2bash_weight)
            train = subset + [r for r in train if r.source == "home"]
    for r in e_records:
        if _hashed_to_dev(r.group, cfg.everyday_dev_fraction, cfg.split_seed):
            dev.append(r)
        else:  # copies, so each repeat gets its own retrieved context
            train += [r.model_copy() for _ in range(cfg.everyday_repeat)]
    train += c_records  # every core template trains: the benchmark's own were never generated
    summaries = whatis_summaries()
    if cfg.page_hints:
        summaries = hint_summaries(summaries, pages, {r.group for r in train})
    add_context(train, cfg, rng, summaries)
    if cfg.shell_with_listing_share and n_home:
        add_listings(train, cfg, rng)
    rng.shuffle(train)

    assert not {r.group for r in train} & {r.group for r in dev}, "a group straddles train and dev"
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("dev", dev)):
        tmp = cfg.out_dir / f"{name}.jsonl.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(r.model_dump_json() + "\n")
        tmp.replace(cfg.out_dir / f"{name}.jsonl")

    counts = {
        "tldr": t_stats,
        "nl2bash": n_stats,
        "home": {"records": len(h_records), "in people's words": sum(r.group.startswith("home-spoken:") for r in h_records)},
        "everyday": {"records": len(e_records)},
        "core": dict(c_stats, records=len(c_records)),
        "train": dict(Counter(r.source for r in train)),
        "train_by_family": dict(Counter(utility_family(r.utility) for r in train if r.source != "home").most_common()),
        "leaked_benchmark_tasks_dropped": leaked,
        "dev": dict(Counter(r.source for r in dev)),
        "dev_groups_moved_to_train": twins_moved,
        "train_with_context": sum(1 for r in train if r.context.tools or r.context.examples),
    }
    (cfg.out_dir / "counts.json").write_text(json.dumps(counts, indent=2))
    (cfg.out_dir / "DATA_CARD.md").write_text(data_card(cfg, counts))
    return counts


# Sampling weights of a tldr record in a capped subset: everyday tools (installed here) first.
TLDR_INSTALLED_WEIGHT = 3.0
TLDR_CORE_WEIGHT = 8.0  # nearly every core record makes a CPU subset: these are the requests users type first
TLDR_OTHER_WEIGHT = 1.0


def _prioritised_subset(records: list[Record], limit: int, rng: random.Random, nl2bash_weight: float) -> list[Record]:
    """Weighted sampling without replacement (Efraimidis-Spirakis keys)."""

    def weight(r: Record) -> float:
        if r.source == "tldr":
            if r.group in CORE_GROUPS:
                return TLDR_CORE_WEIGHT
            return TLDR_INSTALLED_WEIGHT if shutil.which(r.utility) else TLDR_OTHER_WEIGHT
        return nl2bash_weight

    keyed = sorted(records, key=lambda r: -(rng.random() ** (1.0 / weight(r))))
    return keyed[:limit]


def _path_executables() -> set[str]:
    import os

    names = set()
    for d in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names.update(os.listdir(d))
        except OSError:
            pass
    return names


def _subset_note(cfg: DataConfig) -> str:
    if not cfg.train_limit:
        return ""
    return (f"; shell records capped at {cfg.train_limit}, drawn with weight {TLDR_CORE_WEIGHT:g} for core tldr pages, "
            f"{TLDR_INSTALLED_WEIGHT:g} for installed tldr tools, {TLDR_OTHER_WEIGHT:g} for other tldr tools, "
            f"{cfg.nl2bash_weight:g} for NL2Bash")


def data_card(cfg: DataConfig, counts: dict) -> str:
    return f"""# nlsh training data card

Built by `python -m finetune data` (seed {cfg.seed}, split seed {cfg.split_seed}) from `{cfg.data_root}`; read at training time
only, never committed or shipped.

| source | license | filters | records |
|---|---|---|---|
| tldr pages (common, linux, osx) | CC BY 4.0, "tldr-pages team and contributors" | placeholders filled with concrete values named in the instruction; meta examples dropped; {cfg.tool_share:.0%} of instructions name the tool; installed utilities filled {cfg.fills_installed}x | {counts['tldr'].get('records')} |
| NL2Bash (Lin et al., 2018) | MIT | parses with bashlex; all utilities known; each distinct (instruction, command) pair kept, paraphrases included; `find` pairs weighted {cfg.nl2bash_find_weight:g}x | {counts['nl2bash'].get('records')} |
| home-llm piles (acon96/home-llm) | MIT | random homes in SPEC domains, nlsh answer format | {counts['home'].get('records')} |
| everyday pairs (`nlsh/data/everyday_pairs.jsonl`, this project's own) | the project's | {cfg.everyday_dev_fraction:.0%} of tasks held out; each training pair repeated {cfg.everyday_repeat}x | {counts['everyday'].get('records')} |
| core pairs (`python -m finetune core`, this project's own templates) | the project's | every command run by the judge on its tree ({counts['core'].get('verified', 0)} verified; network, process, package, service, ownership and follow-a-file commands cannot run there); the benchmark's held-out templates never generated; a sample of {cfg.core_count} | {counts['core'].get('records')} |

Split: dev = {cfg.dev_fraction:.0%} of groups (tldr page, NL2Bash masked-command template, home phrase
template), so near-duplicates never straddle train and dev; a held-out group that shares a command
template (tldr, spellings kept, values masked) or an instruction with its values masked (NL2Bash)
with a training record trains instead ({counts['dev_groups_moved_to_train']} groups); the
{len(CORE_PAGES)} core tldr pages (`ls`, `head`, `du`, `free` ...) always train.

Train: {counts['train']} ({counts['train_with_context']} prompts carry retrieved tool hints/examples; of the prompts with examples, {cfg.task_example_share:.0%} lead with another wording of their own task){_subset_note(cfg)}.
Dev: {counts['dev']}.

Shell training records per utility family: {_family_line(counts)}.

{_execution_note(counts)}

Dropped as leaks of the execution-checked benchmark (the same command or request as one of its
tasks, values masked): {counts['leaked_benchmark_tasks_dropped'] or 'no benchmark to check against'}.

Raw counts: `{json.dumps({k: counts[k] for k in ('tldr', 'nl2bash')})}`
"""


def _family_line(counts: dict) -> str:
    return ", ".join(f"{family} {n}" for family, n in counts["train_by_family"].items())


def _execution_note(counts: dict) -> str:
    """What running NL2Bash's commands in the judge's sandbox said (finetune.nl2bash.check_by_execution)."""
    execution = counts["nl2bash"].get("execution")
    if not execution:
        return "NL2Bash commands were not run (no bubblewrap, or --no-nl2bash-verify)."
    n = counts["nl2bash"]["executed_commands"]
    ran = execution.get(nl2bash.RUNS, 0) + execution.get(nl2bash.SILENT, 0)
    parts = ", ".join(f"{k} {v}" for k, v in execution.items())
    return (f"NL2Bash by execution: of its {n} distinct commands, run on the judge's file tree, {ran} run "
            f"({ran / n:.0%}, the verified share): {parts}. A command that fails on a file the tree lacks is "
            f"not wrong; one that fails otherwise (bad option, syntax, wrong use) most likely is.")
