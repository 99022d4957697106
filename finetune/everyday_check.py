"""Check nlsh's everyday pairs and the everyday part of the execution benchmark by running them.

    python -m finetune.everyday_check [--pairs FILE] [--bench DIR] [--show N]

Pairs (nlsh/data/everyday_pairs.jsonl): every answer that can run on the judge's tree is verified
there (finetune.judge.verify): it exits 0 in time and prints something, or changes the tree when it
is a command that writes. A command the sandbox cannot judge (network, services, root, other
processes, a tool not installed, one that runs until stopped) is undecided, not failed; a failure
whose error says the tree lacks what the request names (a file, a process, a user, a branch) is
counted apart from a command that is wrong.

Benchmark (the `everyday` tasks of bench/exec_dev): each reference runs, is not undecided and is
judged right against itself, and a no-op (`true`) is judged wrong: the task tells answers apart.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from finetune.dataset import EVERYDAY_PAIRS, everyday_records
from finetune.exec_bench import BENCH_DIR, BenchTask, read_bench
from finetune.records import Record

# git runs inside a repository; the tree's HOME is not one, so a pair's git command is checked in
# the tree's repository, where "undo the last commit" has a commit to undo.
REPO_FREE_GIT = ("clone", "init", "config")


class Checked(BaseModel):
    command: str
    ran_as: str
    right: bool | None
    why: str


def everyday_tasks(folder: Path = BENCH_DIR) -> list[BenchTask]:
    return [t for t in read_bench(folder) if t.source == "everyday"]


def writes(command: str) -> bool:
    """Whether a command is one that changes files: the validator rates every read-only command safe."""
    from nlsh.validator import check_command

    return check_command(command).risk.value != "safe"


def _words(command: str) -> list[str]:
    from nlsh.validator import parse_command

    try:
        return [w.text for w in parse_command(command).commands[0].words]
    except Exception:
        return []


def as_run(command: str) -> str:
    """The command as the judge runs it. A git command runs inside the tree's repository, after what
    its request takes for granted: "commit" and "unstage" a staged change, "pop the stash" a stash."""
    from finetune.filetree import tree_facts

    words = _words(command)
    if words[:1] != ["git"] or set(words[1:2]) & set(REPO_FREE_GIT) or "-C" in words:
        return command
    sub, rest = (words[1] if len(words) > 1 else ""), words[2:]
    setup = ""
    if (sub == "commit" and not {"-a", "-am", "--amend"} & set(rest)) or (sub == "restore" and "--staged" in rest) \
            or (sub == "reset" and rest and not rest[0].startswith(("-", "HEAD"))) or (sub == "diff" and "--staged" in rest):
        setup = "git add -A && "
    elif sub == "stash" and rest[:1] and rest[0] in ("pop", "apply", "drop", "list", "show"):
        setup = "git stash && "
    return f"cd {tree_facts().git.path} && {setup}{command}"


# Commands that change only the interactive shell running them: their effect is gone when the
# judge's shell exits. (What else the judge cannot see, it says itself: network, a terminal, a
# command that runs until stopped or past its time limit, a tool not installed here.)
SHELL_ONLY = set("""cd export unset alias unalias source . umask history jobs deactivate eval nohup ulimit""".split())


def not_judgeable(command: str) -> str | None:
    """Why the judge cannot see what a command does, else None."""
    from nlsh.validator import command_utilities

    hit = next((u for u in command_utilities(command) or [] if u in SHELL_ONLY), None)
    return f"changes only the interactive shell ({hit})" if hit else None


# What a run's error says when the tree lacks what the request names (a file, a process, a user, a
# branch, a project file), as opposed to a command that is wrong.
MISSING = re.compile(r"No such file|cannot access|Cannot open|can't read|cannot stat|Cannot stat|can't stat|cannot find|"
                     r"does not exist|not found|did not match|unknown revision|bad revision|invalid reference|No such "
                     r"remote|is not installed|No module named|no makefile|No rule to make|invalid group|no upstream|"
                     r"No names found|not a valid reference|No stash|No rebase|no merge|You need to start|no such user|"
                     r"ENOENT|ENOLOCK|EUSAGE|No manual entry|not something we can merge|You have unstaged|File exists|"
                     r"not a public key|authentication agent|is not a directory|Could not open|Unable to load|No branch named|"
                     r"command not found", re.I)


def verify_pair(command: str) -> Checked:
    """finetune.judge.verify of the command: it runs and prints something, or changes the tree (the
    validator's risk says which is expected; a command such as `python3 -c` gets either)."""
    from finetune.judge import Expect, run, verify

    ran = as_run(command)
    why = not_judgeable(command)
    if why:
        return Checked(command=command, ran_as=ran, right=None, why=why)
    first, second = (Expect.changes, Expect.output) if writes(command) else (Expect.output, Expect.changes)
    v = verify(ran, first)
    if v.right is False and v.why in ("printed nothing", "changed nothing"):
        v2 = verify(ran, second)
        v = v2 if v2.right is not False else v
    if v.right is False and v.why.startswith("printed more than"):
        return Checked(command=command, ran_as=ran, right=None, why="prints more than the judge keeps")
    if v.right is False:
        o = run(ran)
        found_nothing = not o.stdout.strip() and not o.changes and (o.exit_code in (0, 1) or not o.stderr.strip())
        # exit 1 with a line or two: `ps -p` its header, `npm ls` "(empty)" (`grep -c` printing 0 is
        # an answer to the judge: Outcome.answered)
        nothing_matched = o.exit_code == 1 and len(o.stdout.strip().splitlines()) <= 2
        if MISSING.search(o.stderr) or found_nothing or nothing_matched:
            return Checked(command=command, ran_as=ran, right=False, why="the tree lacks what it names: " + v.why)
    return Checked(command=command, ran_as=ran, right=v.right, why=v.why)


def check_pairs(pairs: list[Record]) -> list[Checked]:
    """Each distinct answer verified once."""
    answers = list(dict.fromkeys(p.answer for p in pairs))
    return [verify_pair(a) for a in answers]


def check_bench(tasks: list[BenchTask]) -> list[Checked]:
    """Each reference judged against itself (right=None: undecided) and fit to be a reference (it
    runs and prints or changes something: verify), then a no-op against the task, which must fail."""
    from finetune.judge import judge_many, verify

    out = []
    for t in tasks:
        verdicts = judge_many(t.references + ["true"], t.references, t.expect)
        for ref, v in zip(t.references, verdicts):
            fit = verify(ref, t.expect)
            if v.right and fit.right is False:
                v = fit
            out.append(Checked(command=ref, ran_as=ref, right=v.right, why=f"{t.id}: {v.why}"))
        if verdicts[-1].right:
            out.append(Checked(command="true", ran_as="true", right=False, why=f"{t.id}: a no-op is judged right"))
    return out


def summary(results: list[Checked]) -> dict[str, int]:
    """passed; failed because the tree lacks what the command names; failed otherwise; undecided
    (the judge's reasons and the commands it cannot see)."""
    def kind(r: Checked) -> str:
        if r.right:
            return "passed"
        if r.right is None:
            return "undecided"
        return "lacks" if r.why.startswith("the tree lacks") else "failed"

    c = Counter(kind(r) for r in results)
    return {"commands": len(results), "checked": c["passed"] + c["lacks"] + c["failed"], "passed": c["passed"],
            "tree lacks what it names": c["lacks"], "failed": c["failed"], "undecided": c["undecided"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m finetune.everyday_check", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=Path, default=EVERYDAY_PAIRS)
    ap.add_argument("--bench", type=Path, default=BENCH_DIR, help="benchmark folder (default: bench/exec_dev)")
    ap.add_argument("--show", type=int, default=50, help="failures to print (default: %(default)s)")
    args = ap.parse_args(argv)
    if not args.pairs.is_file() or not args.bench.is_dir():
        print(f"no such file or folder: {args.pairs if not args.pairs.is_file() else args.bench}", file=sys.stderr)
        return 2
    pairs = check_pairs(everyday_records(args.pairs))
    bench = check_bench(everyday_tasks(args.bench))
    reasons = Counter(r.why.split(" (")[0] for r in pairs if r.right is None)
    print("pairs:", json.dumps(summary(pairs)), "undecided because:", json.dumps(dict(reasons.most_common())))
    print("bench references:", json.dumps(summary(bench)))
    bad = [r for r in pairs if r.right is False and not r.why.startswith("the tree lacks")]
    bad += [r for r in bench if r.right is not True]
    for r in bad[: args.show]:
        print(f"  {'undecided' if r.right is None else 'FAILED'}: {r.ran_as}  -- {r.why}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
