"""The execution judge: real commands in a real bubblewrap sandbox over the generated file tree.

The tree is built once into the judge's cache (outside the repository) and reused by later runs."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from finetune import judge as j
from finetune.filetree import DAY, HOME, tree_facts

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

PYC_DELETE = "find . -name '*.pyc' -delete"
EXTRACT = "mkdir -p /tmp/out && tar -xzf downloads/archive.tar.gz -C /tmp/out"

# (candidate, references, expect, right): what a user would accept, what they would not.
CASES = [
    # the same effect, another spelling
    ('find . -name "*.pyc" -exec rm {} +', [PYC_DELETE], "changes", True),
    ("find . -name '*.pyc' | xargs rm", [PYC_DELETE], "changes", True),
    ("ls -t | head -n 5", ["ls -t | head -5"], "output", True),
    ("find ~ -name '*.py'", ["find . -name '*.py'"], "output_unordered", True),
    ("find -name '*.py'", ["find . -name '*.py'"], "output_unordered", True),
    ("grep -rl TODO", ["grep -rl TODO ."], "output_unordered", True),
    ("tar -czf docs.tar.gz docs/", ["tar czf docs.tar.gz docs"], "changes", True),
    ("cp -p notes/shopping.txt notes/shopping.txt.bak", ["cp notes/shopping.txt notes/shopping.txt.bak"], "changes", True),
    ("wc -l < logs/app.log", ["cat logs/app.log | wc -l"], "output", True),
    ("grep -c ERROR logs/app.log", ["grep ERROR logs/app.log | wc -l"], "output", True),
    ("sort data/words.txt | uniq -c | sort -nr", ["sort data/words.txt | uniq -c | sort -rn"], "output", True),
    ("mkdir -p /tmp/out; tar xf downloads/archive.tar.gz -C /tmp/out", [EXTRACT], "changes", True),
    ("du -s -h downloads", ["du -sh downloads"], "output", True),
    ("chmod +x scripts/deploy.sh", ["chmod 755 scripts/deploy.sh"], "changes", True),
    ("find logs -maxdepth 1 -name '*.log' -delete", ["rm logs/*.log"], "changes", True),
    ("head -3 data/users.csv", ["head -n 3 data/users.csv"], "output", True),
    ("sed -i -e 's/8080/9090/g' data/app.conf", ["sed -i 's/8080/9090/' data/app.conf"], "changes", True),
    ("cd projects/pytool && git switch -c newfeature", ["git -C projects/pytool checkout -b newfeature"], "changes", True),
    ("free -h", ["free -h"], "output", True),
    ("ls -l ~/docs", ["ls -l docs"], "output", True),
    ("find . -type f -mtime -2", ["find . -type f -mtime -2"], "output_unordered", True),
    ("cut -d, -f2 data/users.csv | tail -n +2 | sort", ["tail -n +2 data/users.csv | cut -d, -f2 | sort"], "output", True),
    # right utility, wrong flag or value
    ("tail -n 3 logs/app.log", ["tail -n 5 logs/app.log"], "output", False),
    ("find . -type f -mtime +7", ["find . -type f -mtime -7"], "output_unordered", False),
    ("tar -xjf downloads/archive.tar.gz -C /tmp/out", [EXTRACT], "changes", False),
    ("du -sh * | sort -rh", ["du -sh * | sort -h"], "output", False),
    ("free -m", ["free -h"], "output", False),
    ("chmod 777 scripts/deploy.sh", ["chmod +x scripts/deploy.sh"], "changes", False),
    ("sed -i 's/8080/9091/' data/app.conf", ["sed -i 's/8080/9090/' data/app.conf"], "changes", False),
    ("find . -empty", ["find . -type f -empty"], "output_unordered", False),
    ("find . -name '*.log'", ["find logs -name '*.log'"], "output_unordered", False),
    ("head -n 3 data/users.csv", ["tail -n 3 data/users.csv"], "output", False),
    # the wrong thing altogether, or nothing
    ("ls -lh", ["find ~ -type f -size +100M"], "output_unordered", False),
    ("true", ["ls -t | head -5"], "output", False),
    ("cp notes/shopping.txt notes/shopping.txt", ["cp notes/shopping.txt notes/shopping.txt.bak"], "changes", False),
    ("zip -qr docs.zip docs", ["tar -czf docs.tar.gz docs"], "changes", False),
    # an archive is its compression format and members; the level is not compared
    ("tar -czf docs.tar.bz2 docs", ["tar -cjf docs.tar.bz2 docs"], "changes", False),
    ("tar -cf docs.tar.gz docs", ["tar -czf docs.tar.gz docs"], "changes", False),
    ("tar -cJf docs.tar.gz docs", ["tar -czf docs.tar.gz docs"], "changes", False),
    ("tar -cf - docs | bzip2 > docs.tar.bz2", ["tar -cjf docs.tar.bz2 docs"], "changes", True),
    ("gzip -9 logs/app.log", ["gzip logs/app.log"], "changes", True),
    ("gzip -c logs/app.log > logs/app.log.gz", ["gzip -k logs/app.log"], "changes", True),
    ("bzip2 -c logs/app.log > logs/app.log.gz", ["gzip -k logs/app.log"], "changes", False),
    ("touch backups/disk.img", ["touch -d '2024-01-01 12:00' backups/disk.img"], "changes", False),
    ("touch -t 202401011200 backups/disk.img", ["touch -d '2024-01-01 12:00' backups/disk.img"], "changes", True),
    # exit 1 as the answer: grep -c printing 0 counts like a pipeline that exits 0; a silent grep -q does not
    ("grep NOSUCHWORD logs/app.log | wc -l", ["grep -c NOSUCHWORD logs/app.log"], "output", True),
    ("diff docs/todo.txt notes/ideas.md || true", ["diff docs/todo.txt notes/ideas.md"], "output", True),
    ("true", ["grep -q NOSUCHWORD logs/app.log"], "output", False),
    # destructive over-reach, recursion missing
    ("rm -r logs", ["rm logs/*.log"], "changes", False),
    ("rm *.pyc", [PYC_DELETE], "changes", False),
    ("find . -name '*.tmp' -delete", ["rm tmp/*.tmp"], "changes", False),
    # needs what the task does not
    ("sudo rm logs/*.log", ["rm logs/*.log"], "changes", False),
    ("curl -s http://example.com/files.txt", ["ls"], "output", False),
    # cannot be judged here
    ("ping -c 3 example.com", ["ping example.com"], "output", None),
    ("curl -O http://example.com/a.tar.gz", ["wget http://example.com/a.tar.gz"], "changes", None),
    ("sudo apt install htop", ["sudo apt-get install htop", "apt install htop"], "changes", None),
    ("systemctl restart nginx", ["sudo systemctl restart nginx"], "changes", None),
    ("kill $(lsof -t -i:8080)", ["fuser -k 8080/tcp"], "changes", None),
    # the machine's addresses, sockets and logins: the sandbox has none
    ("ip r", ["ip route"], "output", None),
    ("ss -tlnp", ["netstat -tlnp"], "output", None),
    ("who", ["w"], "output", None),
    ("hostname -I", ["ip -4 addr show"], "output", None),
    ("last", ["last -n 10"], "output", None),
    ("lsof -i :8080", ["ss -ltnp 'sport = :8080'"], "output", None),
    ("ip neigh", ["arp -a"], "output", None),
    ("hostname", ["uname -n"], "output", True),  # the name is the sandbox's, and both print it
    ("ss -tlnp", ["ls docs"], "output", False),  # needs what the task does not
    # what runs until stopped: a reference that never ends leaves the task undecided; a candidate
    # that never ends where the reference does is wrong
    ("tail -F logs/app.log", ["tail -f logs/app.log"], "output", None),
    ("tail logs/app.log", ["tail -f logs/app.log"], "output", None),
    ("tail -f logs/app.log", ["tail logs/app.log"], "output", False),
    ("watch -n 5 df -h", ["watch df -h"], "output", None),
    ("python3 -m http.server 8000", ["python3 -m http.server"], "output", None),
    ("sleep 600", ["sleep 3600"], "output", None),
    ("less docs/notes.txt", ["cat docs/notes.txt"], "output", True),  # no terminal: less prints the file
    # a tool missing here inside a pipeline leaves it undecided, as a missing tool alone does
    ("pdfinfo docs/manual.pdf | grep Pages", ["pdfinfo docs/manual.pdf | grep -i pages"], "output", None),
    ("pdfinfo docs/manual.pdf | grep Pages", ["ls docs"], "output", False),
    # slow: python3 -m venv takes past the time limit here
    ("python3 -m venv .venv", ["python3 -m venv .venv"], "changes", None),
    ("python -m venv env", ["mkdir env"], "changes", False),
]


@pytest.mark.parametrize("candidate,references,expect,right", CASES, ids=[c[0] for c in CASES])
def test_the_judge_tells_right_from_wrong(candidate, references, expect, right):
    verdict = j.judge(candidate, references, expect)
    assert verdict.right is right, verdict.why


def test_a_reference_that_never_ends_leaves_the_task_undecided():
    """A reference the judge does not know runs until stopped (a loop) times out: the task is
    undecided; a candidate that hangs where the reference finishes is wrong."""
    loop = "while :; do :; done"
    assert j.judge("ls docs", [loop], "output", timeout=1).right is None
    verdict = j.judge(loop, ["ls docs"], "output", timeout=1)
    assert verdict.right is False and "timed out" in verdict.why


def test_stdin_is_empty_and_git_shortlog_summarises_head_as_on_a_terminal():
    """Stdin is /dev/null: `cat` with no file ends at once. `git shortlog` with no revision reads
    stdin when it is not a terminal; a user's terminal gives the summary of HEAD, and so does the
    judge (a log piped in is still read from the pipe)."""
    cat = j.run("cat", timeout=5)
    assert cat.exit_code == 0 and not cat.timed_out and cat.stdout == ""
    head = j.run("git -C projects/pytool shortlog -sn HEAD").stdout
    assert head.split() == ["5", "Sam", "User"]
    assert j.run("git -C projects/pytool shortlog -sn").stdout == head
    assert j.run("cd projects/pytool && git shortlog -sn -- README.md").stdout.split()[1:] == ["Sam", "User"]
    assert j.run("cd projects/pytool && git log -1 | git shortlog -s").stdout.split() == ["1", "Sam", "User"]
    assert j.judge("git -C projects/pytool shortlog -sn", ["git -C projects/pytool shortlog -sn HEAD"], "output").right


def test_a_time_out_is_not_kept_in_the_verdict_cache():
    """A run that timed out on the loaded machine is run again next time, not served from the cache."""
    import json

    from finetune.filetree import TREE_VERSION

    command = f"ls docs  # {uuid.uuid4().hex}"
    key = json.dumps([TREE_VERSION, j.JUDGE_VERSION, 0, "output", command])
    with j._verdict_db() as db:
        db.execute("insert or replace into verdicts values (?, ?)", (key, j.Verdict(right=False, why="timed out").model_dump_json()))
    try:
        assert j.verify(command, "output").right is True
    finally:
        with j._verdict_db() as db:
            db.execute("delete from verdicts where key = ?", (key,))


@pytest.mark.parametrize("command,why", [
    ("tail -f logs/app.log", "runs until stopped (tail)"),
    ("tail -n 5 -f logs/app.log", "runs until stopped (tail)"),
    ("watch ls", "runs until stopped (watch)"),
    ("python3 -m http.server 8000", "runs until stopped (python)"),
    ("sleep 30", "runs until stopped (sleep)"),  # timed out
    ("yes", "runs until stopped (yes)"),  # flooded
    ("top", "needs a terminal"),
    ("vim docs/notes.txt", "needs a terminal (vim)"),
    ("ssh-keygen -t ed25519", "needs a terminal (it asked a question)"),
    ("ip route", "needs the machine's state (ip)"),
    ("ip neigh", "needs the machine's state (ip)"),
    ("who", "needs the machine's state (who)"),
    ("ss -tlnp", "needs the machine's state (ss)"),
    ("hostname -I", "needs the machine's state (hostname)"),
    ("lsof -i :3000", "needs the machine's state (lsof)"),
    ("netstat -tulpn", "needs the machine's state (netstat)"),
    ("pdfinfo docs/manual.pdf | grep Pages", "needs a tool not installed here (pdfinfo)"),
    ("find docs -name '*.pdf' | xargs pdfinfo", "needs a tool not installed here (pdfinfo)"),
    ("python3 -m venv .venv", "takes longer than the judge's time limit (python)"),
    ("pip install requests", "needs the package manager (pip)"),
    ("python3 -m pip install --upgrade pip", "needs the package manager (pip)"),
])
def test_verify_leaves_undecided_what_the_sandbox_cannot_show(command, why):
    verdict = j.verify(command, "output", timeout=2)
    assert (verdict.right, verdict.why) == (None, why)


@pytest.mark.parametrize("command", ["yes | head -3", "sleep 0.1 && ls docs", "top -b -n 1", "hostname", "less docs/notes.txt",
                                     "tail -n 5 logs/app.log", "python3 -c 'print(1)'"])
def test_verify_judges_the_same_utilities_used_in_a_way_that_ends(command):
    assert j.verify(command, "output").right is True


def test_a_flood_is_cut_and_a_hang_is_stopped():
    flood = j.run("yes", timeout=5)
    assert flood.truncated and len(flood.stdout) == j.OUTPUT_CAP and flood.exit_code is None
    hang = j.run("sleep 30", timeout=0.5)
    assert hang.timed_out and hang.exit_code is None


def test_nothing_outside_the_sandbox_can_be_written():
    """A candidate that writes into the cached tree it was copied from, the repository, the host's
    /tmp, /etc, /var/tmp and /dev/shm changes none of them; its /tmp is its own and vanishes."""
    t = j.tree(0)
    marker = f"judge-escape-{uuid.uuid4().hex[:8]}"
    repo = Path(__file__).resolve().parent.parent
    targets = [Path(t.home) / marker, repo / marker, Path("/tmp") / marker, Path("/etc") / marker,
               Path("/var/tmp") / marker, Path("/dev/shm") / marker, j.runs_dir() / marker]
    attempt = "; ".join(f"echo pwned > '{p}'" for p in targets)
    attempt += f"; rm -rf '{t.home}/docs' /work/main/README.md; chmod 777 '{t.home}'"
    outcome = j.run(attempt)
    assert outcome.changes == {f"/tmp/{marker}": "added"}  # its private /tmp, nothing else
    for p in targets:
        assert not p.exists(), p
    assert (Path(t.home) / "docs" / "notes.txt").exists() and (repo / "README.md").exists()
    assert os.stat(t.home).st_mode & 0o777 == 0o755


def test_a_read_only_file_cannot_be_written_by_the_sandbox_user():
    outcome = j.run("echo more >> docs/contract.txt")
    assert outcome.exit_code != 0 and outcome.changes == {}


def test_ages_hold_whenever_the_tree_is_copied():
    """Ages are stamped at copy time: `find -mtime -7` lists what the facts say is under 7 days old."""
    facts = tree_facts(0)
    got = set(j.output_lines(j.run("find . -type f -mtime -7 -not -path '*/.git/*'").stdout))
    assert got == {f.path for f in facts.files if f.mtime_age < 7 * DAY}
    recent = set(j.output_lines(j.run("find . -type f -mmin -10 -not -path '*/.git/*'").stdout))
    assert recent == {f.path for f in facts.files if f.mtime_age < 10 * 60} and "logs/app.log" in recent


def test_the_facts_describe_the_built_tree():
    facts, t = tree_facts(0), j.tree(0)
    for f in facts.files:
        assert (t.entries[f.path].kind, t.entries[f.path].size, t.entries[f.path].mode) == ("file", f.size, f.mode), f.path
    for d in facts.dirs:
        assert t.entries[d.path].kind == "dir"
    assert {s.path for s in facts.symlinks if s.dangling} == {"broken_link", "docs/old/link-to-nowhere"}
    members = j.run("tar -tzf downloads/archive.tar.gz").stdout.split()
    assert members == next(a.members for a in facts.archives if a.path == "downloads/archive.tar.gz")
    log = j.run("git -C projects/pytool log --format=%s").stdout.splitlines()
    assert log == facts.git.commits
    assert j.run("git -C projects/pytool status --porcelain").stdout.split() == ["M", "pytool/core.py", "??", "notes.txt"]
    assert facts.words["ERROR"] and all(f.startswith(("logs/", "projects/", ".cache/")) for f in facts.words["ERROR"])


def test_output_lines_are_compared_without_spelling_of_paths():
    assert j.output_lines(f"./a/b.txt\n{HOME}/c.txt\n{HOME}\n  x   y  \ndocs/\n\n") == ["a/b.txt", "c.txt", ".", "x y", "docs"]


@pytest.mark.parametrize("command,expect,right", [
    ("ls docs", "output", True),
    ("ls empty", "output", False),  # prints nothing
    ("cat no-such-file", "output", False),
    ("touch newfile", "changes", True),
    ("cat docs/notes.txt", "changes", False),  # changes nothing
    ("curl -s http://example.com", "output", None),
    # diff, cmp and grep exit 1 to say "they differ" or "no line matched": their answer
    ("diff docs/todo.txt notes/ideas.md", "output", True),
    ("diff -q docs/todo.txt notes/ideas.md", "output", True),
    ("diff -rq projects/webapp projects/pytool", "output", True),
    ("cmp docs/todo.txt notes/ideas.md", "output", True),
    ("diff docs/todo.txt notes/ideas.md > changes.diff", "changes", True),
    ("grep -c NOSUCHWORD logs/app.log", "output", True),
    ("diff docs/todo.txt no-such-file", "output", False),  # exit 2: trouble
    ("cat docs/notes.txt no-such-file", "output", False),  # exit 1 of a utility whose 1 is a failure
])
def test_verify_keeps_only_commands_that_do_what_they_should(command, expect, right):
    assert j.verify(command, expect).right is right


def test_eval_reports_execution_accuracy_with_the_judges_own_check(tmp_path):
    """`finetune eval` runs each answer on the tree: the lookup's answer counts when it does what a
    reference does; each task's own reference scores 100%, a no-op what it scores, a second
    reference (inline or from alts.json) 100%; a task no reference can run here is counted apart."""
    import json

    from finetune.evaluate import EvalConfig, run_eval
    from finetune.records import Record

    bench = tmp_path / "bench"
    bench.mkdir()
    tasks = [
        dict(id="tail5", request="show the last 5 lines of logs/app.log", references=["tail -n 5 logs/app.log"],
             expect="output", source="flag", family="text", group="tail-n", alt="tail -5 logs/app.log"),
        dict(id="pyc", request="delete all the .pyc files under this folder", references=["find . -name '*.pyc' -delete"],
             expect="changes", source="compositional", family="find", group="find-delete"),
        dict(id="empty", request="list the empty files in notes", references=["find notes -type f -empty"],
             expect="output_unordered", source="everyday", family="find", group="find-empty"),
        dict(id="ping", request="is example.com up", references=["ping -c 3 example.com"], expect="output",
             source="everyday", family="network", group="ping"),
    ]
    (bench / "tasks.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tasks))
    (bench / "alts.json").write_text(json.dumps([
        {"id": "pyc", "reference": "find . -name '*.pyc' -delete", "alt": "find . -type f -name '*.pyc' -exec rm {} +"},
        {"id": "empty", "reference": "an older reference", "alt": "ls"}]))  # stale: its reference is gone
    train = [Record(instruction="print the last 5 lines of a log", answer="tail -n 5 logs/app.log", source="tldr", group="a"),
             Record(instruction="remove all .pyc files recursively", answer="rm *.pyc", source="tldr", group="b")]
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in train))
    out = tmp_path / "eval.json"
    table = run_eval(EvalConfig(data_dir=str(data), exec_dev=str(bench), systems="bm25", n_shell=0, n_home=0, out=str(out)))
    results = json.loads(out.read_text())
    bm25 = results["bm25"]["exec"]
    assert (bm25["decided"], bm25["undecided"]) == (3, 1)
    assert {i["id"]: i["right"] for i in bm25["items"]} == {"tail5": True, "pyc": False, "empty": False, "ping": None}
    assert bm25["by_source"]["flag"]["exec"] == 1.0 and bm25["by_source"]["compositional"]["exec"] == 0.0
    check = results["judge self-check"]
    assert check["judge: first reference"]["exec"] == 1.0
    assert check["judge: no-op `true`"]["right"] == 0
    assert check["judge: second reference"]["decided"] == 2 and check["judge: second reference"]["exec"] == 1.0
    assert "| bm25 | 33.3% of 3 |" in table and "| judge: first reference | 100.0% of 3 |" in table


@pytest.mark.parametrize("command,cls", [
    ("ls docs", "runs and prints"),
    ("grep -r no-such-word-anywhere docs", "runs, prints nothing"),  # grep's no match: exit 1, no message
    ("find . -name '*.nothing'", "runs, prints nothing"),
    ("cat /path/to/file.txt", "needs what the tree lacks"),
    ("chown ftpuser docs/notes.txt", "needs what the tree lacks"),  # a user this machine lacks
    ("find logs -name '*.log' | xargs grep no-such-word-anywhere", "runs, prints nothing"),  # exit 123, no message
    ("ls --no-such-option", "fails"),
    ("find -type type_descriptor", "fails"),
    ("sleep 10", "undecided"),  # runs until stopped
    ("ssh user@host uptime", "undecided"),
])
def test_nl2bash_commands_are_classed_by_what_running_them_says(command, cls):
    from finetune import nl2bash

    assert nl2bash.check_by_execution([command], timeout=1.0) == {command: cls}


def test_a_tree_too_deep_to_walk_is_judged_and_removed():
    """NL2Bash has `mkdir -p folder1/.../folder414`: deeper than PATH_MAX and Python's recursion."""
    deep = "/".join(f"folder{i}" for i in range(1, 415))
    outcome = j.run(f"mkdir -p {deep} && echo made")
    assert outcome.stdout == "made\n" and outcome.changes["folder1"] == "added"
    assert "folder1/folder2/folder3" in outcome.changes
