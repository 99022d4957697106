"""Judge a shell command by what it does: run it in a sandbox over a fresh copy of the file tree
(finetune.filetree) and compare its output, exit status and changes to the tree with a reference's.

Each run gets its own copy of a tree built once per seed (a cache outside the repository), mounted
as HOME and working directory by bubblewrap: no network, the system read-only, a private /tmp that
is part of the diff, a pid namespace, and an unprivileged user (uid 1000 outside too, so permission
bits mean what they mean for a user: a read-only file cannot be written). Ages are stamped at copy
time from one `now` shared by a candidate and its references, so `find -mtime -7` and `ls -l`
agree between them whenever they run.

A command that needs what the sandbox lacks (network, services, hardware, root, a tool not
installed here, a place outside HOME and /tmp, the machine's addresses, sockets and logins, a
terminal), or that runs until stopped or past the time limit, is `undecided`, not wrong. Stdin is
/dev/null: nothing waits for input.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import re
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field

from finetune.filetree import HOME, TREE_VERSION, UID, USER, build_tree, entry_ages, stamp

OUTPUT_CAP = 64 * 1024  # bytes of stdout kept; a command printing more is stopped there
STDERR_CAP = 4 * 1024
FILE_SIZE_LIMIT = 1024**3  # largest file a command may write (the tree's biggest sparse file is 780 MB)
MEMORY_LIMIT = 4 * 1024**3
PROCESS_LIMIT = 256  # processes of the sandbox user at once: a fork bomb stops here
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Part of verify()'s cache key: bumped whenever the same run gets another verdict.
JUDGE_VERSION = 5
# A reference's outcome is reused for a candidate judged up to this many seconds later (the
# candidate's tree is then stamped with the reference's `now`, so `ls -l` times agree); the tree's
# youngest file is 3 minutes old, far from any boundary a minute of drift could cross.
REUSE_SECONDS = 60.0


class Expect(str, Enum):
    output = "output"  # the same stdout, line by line
    output_unordered = "output_unordered"  # the same lines in any order
    changes = "changes"  # the same changes to the tree
    output_and_changes = "output_and_changes"


class Outcome(BaseModel):
    """What one command did in a fresh copy of the tree."""

    stdout: str  # capped at OUTPUT_CAP bytes
    exit_code: int | None  # None when it timed out, flooded its output or could not start
    timed_out: bool
    # relative path (or /tmp/...) -> "added" | "removed" | "modified" | "mode" | "touched" (mtime only)
    changes: dict[str, str]
    undecided: str | None  # why it cannot be judged here, else None
    # What each changed path holds now (content digest, archive members, link target, mode), so two
    # commands that modify one file differently differ.
    digests: dict[str, str] = Field(default_factory=dict)
    truncated: bool = False  # stdout passed OUTPUT_CAP
    stderr: str = ""  # capped at STDERR_CAP bytes
    seconds: float = 0.0  # wall time of the run, copy and diff included
    # Exit 1 that is the command's answer, not a failure: `diff a b` printing the differences,
    # `grep -c x f` printing 0 (answers_by_exit_1).
    answered: bool = False


class Verdict(BaseModel):
    right: bool | None  # None = undecided
    why: str


# ---------------------------------------------------------------------------------------------
# Where trees live


def _outer_uid() -> int:
    """The real uid the sandbox runs as: root hands the run to uid 1000 (root in the sandbox's
    user namespace would own every system file; uid 1000 owns only the tree)."""
    return UID if os.getuid() == 0 else os.getuid()


def judge_dir() -> Path:
    """Cached trees, run copies and the verdict cache (not in the repository): $NLSH_JUDGE_DIR, else
    a folder under /var/tmp that the sandbox user can reach."""
    env = os.environ.get("NLSH_JUDGE_DIR")
    d = Path(env) if env else Path(f"/var/tmp/nlsh-judge-{os.getuid()}")
    d.mkdir(parents=True, exist_ok=True)
    if os.getuid() == 0:
        os.chmod(d, 0o755)
    return d


class _Entry(BaseModel):
    kind: str  # file | dir | symlink
    mode: int
    size: int = 0
    sha1: str = ""
    target: str = ""
    mtime_age: float = 0.0
    atime_age: float = 0.0


class _Tree(BaseModel):
    """A built tree in the cache: where it is and what every entry holds."""

    home: str
    seed: int
    entries: dict[str, _Entry]
    git_state: dict[str, str]  # repository -> its state summary
    passwd: str
    group: str


_trees: dict[int, _Tree] = {}
_tree_lock = threading.Lock()


def _sha1_file(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


MAX_DEPTH = 32  # folders deeper than this are not looked into: a command may nest hundreds


def _scan(root: Path) -> dict[str, os.stat_result]:
    """Every entry below root by relative path, links not followed. Iterative, and it stops
    MAX_DEPTH folders down: `mkdir -p folder1/.../folder414` (an NL2Bash command) passes PATH_MAX
    and Python's recursion limit."""
    out = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel)) as entries:
                for entry in entries:
                    sub = f"{rel}/{entry.name}" if rel else entry.name
                    st = entry.stat(follow_symlinks=False)
                    out[sub] = st
                    if stat.S_ISDIR(st.st_mode) and sub.count("/") < MAX_DEPTH:
                        stack.append(sub)
        except OSError:  # a name too long, a folder gone
            continue
    return out


def _kind(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return "symlink"
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    return "file" if stat.S_ISREG(st.st_mode) else "other"


def tree(seed: int = 0) -> _Tree:
    """The cached tree of a seed, built on first use (atomically: concurrent builders race harmlessly)."""
    with _tree_lock:
        if seed in _trees:
            return _trees[seed]
        base = judge_dir() / f"tree-v{TREE_VERSION}-seed{seed}"
        manifest = base / "manifest.json"
        if not manifest.exists():
            _build_cached(base, seed)
        t = _Tree.model_validate_json(manifest.read_text())
        _trees[seed] = t
        return t


def _build_cached(base: Path, seed: int) -> None:
    staging = base.parent / f".{base.name}.{uuid.uuid4().hex[:8]}"
    home = staging / "home"
    build_tree(home, seed)
    ages = entry_ages(home, seed)
    entries = {}
    for rel, st in _scan(home).items():
        kind = _kind(st)
        e = _Entry(kind=kind, mode=st.st_mode & 0o7777, size=st.st_size if kind == "file" else 0,
                   mtime_age=ages[rel][0], atime_age=ages[rel][1])
        if kind == "file":
            e.sha1 = _sha1_file(str(home / rel))
        elif kind == "symlink":
            e.target = os.readlink(home / rel)
        entries[rel] = e
    uid = _outer_uid()
    if os.getuid() == 0:
        for rel in entries:
            os.lchown(home / rel, uid, uid)
        os.lchown(home, uid, uid)
    passwd = f"root:x:0:0:root:/root:/bin/bash\n{USER}:x:{UID}:{UID}:{USER}:{HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    group = f"root:x:0:\n{USER}:x:{UID}:\nnogroup:x:65534:\n"
    (staging / "passwd").write_text(passwd)
    (staging / "group").write_text(group)
    t = _Tree(home=str(base / "home"), seed=seed, entries=entries, git_state={}, passwd=str(base / "passwd"),
              group=str(base / "group"))
    for repo in _repos(entries):
        t.git_state[repo] = _git_state(home, repo, staging / "passwd", staging / "group")
    (staging / "manifest.json").write_text(t.model_dump_json())
    for d in (staging, staging / "passwd", staging / "group", staging / "manifest.json"):
        os.chmod(d, 0o755 if d.is_dir() else 0o644)
    try:
        staging.rename(base)
    except OSError:  # another process built it first
        shutil.rmtree(staging, ignore_errors=True)


def _repos(entries) -> list[str]:
    return sorted(rel[: -len("/.git")] for rel, e in entries.items() if rel.endswith("/.git") and e.kind == "dir")


# ---------------------------------------------------------------------------------------------
# Running


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(UID)
        os.setuid(UID)
    resource.setrlimit(resource.RLIMIT_NPROC, (PROCESS_LIMIT, PROCESS_LIMIT))


def _bwrap(home: Path, tmp: Path, t: _Tree, argv: list[str], *, writable: bool = True) -> list[str]:
    bind = "--bind" if writable else "--ro-bind"
    hidden = [p for p in ("/root", "/work", "/home", "/run", "/var/tmp", "/mnt", "/media", "/srv", "/etc/ssh")
              if os.path.isdir(p)]
    cmd = ["bwrap", "--unshare-all", "--unshare-user", "--uid", str(UID), "--gid", str(UID), "--hostname", "sandbox",
           "--die-with-parent", "--new-session", "--clearenv", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for p in hidden:
        cmd += ["--tmpfs", p]
    for secret in ("/etc/shadow", "/etc/gshadow"):
        if os.path.exists(secret):
            cmd += ["--ro-bind", "/dev/null", secret]
    cmd += [bind, str(home), HOME, "--bind", str(tmp), "/tmp", "--ro-bind", t.passwd, "/etc/passwd",
            "--ro-bind", t.group, "/etc/group", "--chdir", HOME]
    env = {"HOME": HOME, "USER": USER, "LOGNAME": USER, "PATH": PATH, "LC_ALL": "C", "LANG": "C", "TZ": "UTC",
           "TERM": "dumb", "SHELL": "/bin/bash", "PWD": HOME, "TMPDIR": "/tmp"}
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    return cmd + ["--", *argv]


def _execute(argv: list[str], timeout: float) -> tuple[bytes, bytes, int | None, bool, bool]:
    """Run, reading at most OUTPUT_CAP bytes of stdout; (stdout, stderr, exit, timed out, truncated)."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_limits, start_new_session=True)
    out, err = bytearray(), bytearray()
    flooded = threading.Event()

    def pump(stream, buf, cap, flood):
        while chunk := stream.read1(65536):
            room = cap - len(buf)
            if room > 0:
                buf += chunk[:room]
            if len(chunk) > room and flood:
                flooded.set()
                _kill(proc)
                break

    threads = [threading.Thread(target=pump, args=(proc.stdout, out, OUTPUT_CAP, True), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, err, STDERR_CAP, False), daemon=True)]
    for th in threads:
        th.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(proc)
        proc.wait()
    for th in threads:
        th.join(timeout=2)
    code = None if timed_out or flooded.is_set() else proc.returncode
    return bytes(out), bytes(err), code, timed_out, flooded.is_set()


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # bwrap; --die-with-parent takes the sandbox with it
    except ProcessLookupError:
        pass


def runs_dir() -> Path:
    """Where run copies go: memory (/dev/shm) copies and removes a tree in a tenth of the time disk
    takes (25 ms against 250); disk when memory is short, as a command may write a lot before it
    is stopped (RLIMIT_FSIZE caps each file)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 4 * 1024**3:
        return shm / f"nlsh-judge-runs-{os.getuid()}"
    return judge_dir() / "runs"


def _fresh_copy(t: _Tree, now: float) -> tuple[Path, Path, Path]:
    run_dir = runs_dir() / uuid.uuid4().hex
    run_dir.mkdir(parents=True)
    home, tmp = run_dir / "home", run_dir / "tmp"
    subprocess.run(["cp", "-a", "--sparse=always", t.home, str(home)], check=True)
    tmp.mkdir()
    if os.getuid() == 0:
        os.chown(tmp, UID, UID)
        os.chmod(run_dir, 0o755)
        os.chmod(run_dir.parent, 0o755)
    stamp(home, t.seed, now=now, ages={rel: (e.mtime_age, e.atime_age) for rel, e in t.entries.items()})
    return run_dir, home, tmp


def run(command: str, *, seed: int = 0, timeout: float = 5.0, now: float | None = None) -> Outcome:
    """Run `command` with bash in a sandbox over a fresh copy of the tree of `seed`; what it did.
    `now`: the moment the tree's ages count back from (default: the current time)."""
    started = time.perf_counter()
    t = tree(seed)
    now = time.time() if now is None else now
    reason = undecided_by_utility(command)
    if reason is not None:  # not run at all: `sudo`, `curl`, `systemctl` have nothing to show here
        return Outcome(stdout="", exit_code=None, timed_out=False, changes={}, undecided=reason,
                       seconds=time.perf_counter() - started)
    run_dir, home, tmp = _fresh_copy(t, now)
    try:
        argv = _bwrap(home, tmp, t, ["/bin/bash", "--noprofile", "--norc", "-c", as_on_a_terminal(command)])
        out, err, code, timed_out, truncated = _execute(argv, timeout)
        changes, digests = _diff(t, home, tmp, now)
        stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        reason = undecided_by_run(command, code, stdout, stderr, stopped=timed_out or truncated)
        answered = code == 1 and answers_by_exit_1(command, stdout, stderr, changes)
        return Outcome(stdout=stdout, exit_code=code, timed_out=timed_out, changes=changes, digests=digests,
                       undecided=reason, truncated=truncated, stderr=stderr, answered=answered,
                       seconds=time.perf_counter() - started)
    finally:
        _remove(run_dir)


def _remove(run_dir: Path) -> None:
    """rm, not shutil.rmtree: it removes trees deeper than Python's recursion limit. A folder the
    command made unreadable (chmod 000) stops a non-root rm; it is opened again and rm retried."""
    if subprocess.run(["rm", "-rf", "--", str(run_dir)], capture_output=True).returncode:
        subprocess.run(["chmod", "-R", "u+rwx", "--", str(run_dir)], capture_output=True)
        subprocess.run(["rm", "-rf", "--", str(run_dir)], capture_output=True)


# ---------------------------------------------------------------------------------------------
# What cannot be judged here

# Utility families whose effect lies outside a sandboxed HOME. A reference using one makes the task
# undecided; a candidate using one where the reference needs none is wrong (the task did not need it).
NETWORK = set("""ping ping6 curl wget ssh scp sftp ftp telnet nc netcat ncat nmap dig nslookup host traceroute tracepath
    mtr whois arping ifconfig iwconfig nmcli iw ethtool tcpdump speedtest speedtest-cli aria2c lftp ssh-copy-id
    ssh-keyscan rdesktop vncviewer youtube-dl yt-dlp http httpie""".split())
SERVICES = set("""systemctl service journalctl docker docker-compose podman kubectl crontab at atq launchctl
    loginctl timedatectl hostnamectl localectl mysql psql redis-cli mongo mongosh sqlplus supervisorctl pm2
    nginx apache2ctl ufw iptables nft firewall-cmd""".split())
HARDWARE = set("""lsusb lspci lshw dmidecode hdparm smartctl sensors fdisk parted blkid mkfs mkfs.ext4 mkfs.vfat
    mount umount eject nvidia-smi xrandr amixer pactl bluetoothctl rfkill dmesg lsblk badblocks dd_rescue
    cpufreq-info powertop acpi upower xinput setxkbmap brightnessctl""".split())
ROOT = set("""sudo su doas passwd useradd userdel usermod groupadd groupdel chpasswd visudo adduser deluser addgroup
    reboot shutdown poweroff halt init telinit modprobe insmod rmmod sysctl chroot swapon swapoff""".split())
PROCESSES = set("""kill killall pkill fuser xkill renice skill""".split())
PACKAGES = set("""apt apt-get aptitude yum dnf pacman zypper snap flatpak brew port""".split())
INSTALLERS = {"pip", "pip3", "npm", "gem", "cargo", "conda", "go", "dpkg", "yarn", "pnpm"}
INSTALL_WORDS = {"install", "uninstall", "remove", "purge", "update", "upgrade", "autoremove", "add", "-i", "-r", "-P",
                 "--install", "--remove", "--purge", "-S", "-R", "-U", "-Syu", "publish", "ci"}
GIT_NETWORK = {"clone", "fetch", "pull", "push", "ls-remote", "submodule"}
# What the machine is doing (addresses, routes, sockets, logins): the sandbox has none of it, so
# `ip route`, `who` and `ss -tlnp` print nothing or a bare header whatever the answer.
MACHINE_STATE = set("""ip ss netstat who w last lastb lastlog users route arp finger pinky iftop nethogs nload
    vnstat""".split())
# Needs a terminal: full-screen programs (vim without one waits until stopped) and those that draw
# on one (clear and reset fail under TERM=dumb).
TERMINAL = set("""vim vi nvim view nano emacs pico joe micro mc tmux screen htop btop atop nmtui clear reset""".split())

# Output that changes from one run to the next (memory, load, processes, clocks, ctimes, usage of
# the shared /dev/shm): compared with its digits masked, so `free -h` matches `free -h` but not `free -m`.
VOLATILE = set("""free df ps top htop uptime date w who vmstat iostat mpstat pidstat sar pstree pgrep pidof lsof ss
    netstat time sensors watch last lastlog stat mktemp""".split())
_VOLATILE_PATHS = re.compile(r"/proc/(meminfo|loadavg|uptime|stat|\d+|self)|/sys/")
# Output no two runs share: nothing to compare it with.
RANDOM = set("""shuf uuidgen pwgen mcookie""".split())
_RANDOM_WORDS = re.compile(r"\$RANDOM|/dev/u?random|openssl\s+rand|\$SRANDOM")
# Files programs leave behind on their own (less, vim, python, sqlite, wget); they are not the
# command's doing and would make `less f` differ from `cat f` in the tree.
INCIDENTAL = re.compile(r"(^|/)(\.lesshst|\.viminfo|\.python_history|\.sqlite_history|\.wget-hsts|\.node_repl_history"
                        r"|__pycache__(/.*)?|\.cache/(vim|pip|node)(/.*)?|\.local/state(/.*)?|\.vim(/.*)?)$")

# Utilities whose exit 1 is an answer ("the files differ", "no line matched"), their trouble exit 2.
EXIT_1_ANSWERS = set("""diff diff3 sdiff colordiff cmp grep egrep fgrep zgrep zegrep zfgrep bzgrep xzgrep""".split())


def _one_of(words: set[str]) -> str:
    return "^(" + "|".join(re.escape(w) for w in sorted(words)) + ")$"


# Why a utility cannot be judged here, by family: utility -> a pattern one of its arguments must
# match for it to count ("": any use). A reference using one makes the task undecided; a candidate
# using one where the reference needs none is wrong (the task did not need it).
_FAMILIES: list[tuple[str, dict[str, str]]] = [
    ("needs network", {**dict.fromkeys(NETWORK, ""), "git": _one_of(GIT_NETWORK), "npx": "",
                       "npm": r"^(create|outdated|audit|view|info|search)$", "pip": r"^(--outdated|-o|search|download)$"}),
    ("needs a service", {**dict.fromkeys(SERVICES, ""), "ssh-add": "", "ssh-agent": ""}),
    ("needs hardware", dict.fromkeys(HARDWARE, "")),
    ("needs root", {**dict.fromkeys(ROOT, ""), "chsh": "", "chfn": ""}),
    ("needs other processes", dict.fromkeys(PROCESSES, "")),
    ("needs the package manager", {**dict.fromkeys(PACKAGES, ""), **dict.fromkeys(INSTALLERS, _one_of(INSTALL_WORDS))}),
    ("needs the machine's state", {**dict.fromkeys(MACHINE_STATE, ""), "hostname": r"^(-[a-zA-Z]*[Ii]|--(all-)?ip)",
                                   "lsof": r"^-[a-zA-Z]*i"}),
    ("needs a terminal", {**dict.fromkeys(TERMINAL, ""), "zip": r"^-[a-zA-Z]*e[a-zA-Z]*$"}),  # zip -e asks a password
    # `tail -f`, `watch`, a web server: a user stops them; here they would only time out.
    ("runs until stopped", {"tail": r"^(-[a-zA-Z0-9]*[fF]|--follow)", "watch": "", "less": r"^\+F",
                            "python": r"^(http\.server|SimpleHTTPServer)$", "php": r"^-S$", "node": r"^--watch",
                            "inotifywait": r"^(-[a-zA-Z]*m|--monitor)$"}),
    # `python3 -m venv` takes ~12 s on the loaded 2-core machine, past the 5 s limit.
    ("takes longer than the judge's time limit", {"python": r"^(-m)?(venv|virtualenv)$", "virtualenv": ""}),
]
# Utilities that may run until stopped (`sleep 600`, `yes`, `vmstat 1`, `top -b`): one that timed
# out or flooded its output is undecided, as a user would have stopped it; one that ends is judged.
MAY_RUN_ON = set("""sleep yes top vmstat iostat mpstat pidstat sar free watch tail less more ping""".split())

# Failures that say the sandbox lacks something, not that the command is wrong.
_FAILURES = [
    (re.compile(r"Network is unreachable|Could not resolve|Temporary failure in name resolution|Name or service not "
                r"known|No route to host|unable to resolve host|Couldn't resolve|getaddrinfo|Connection refused", re.I),
     "network"),
    (re.compile(r"System has not been booted with systemd|Failed to connect to bus|Is the docker daemon running|"
                r"Can't connect to local MySQL|could not connect to server", re.I), "a service"),
    (re.compile(r"are you root|must be (run as )?root|requires root|superuser|Could not open lock file|"
                r"Operation not permitted|no new privileges", re.I), "root"),
    (re.compile(r"Read-only file system"), "a place outside HOME and /tmp"),
    # `top` without -b, `reset`, `zip -e`: they need a terminal to draw on or read a password from
    (re.compile(r"failed tty get|is not a tty|not a terminal|Inappropriate ioctl for device|Error opening terminal|"
                r"terminal attributes", re.I), "a terminal"),
]


def is_volatile(command: str) -> bool:
    """Whether the command's output changes from run to run (its digits are masked in comparison)."""
    from nlsh.validator import command_utilities

    utils = command_utilities(command) or []
    return bool(set(utils) & VOLATILE) or bool(_VOLATILE_PATHS.search(command))


def undecided_by_utility(command: str) -> str | None:
    """Why `command` cannot be judged here, from the utilities it runs and how; None when it can."""
    from nlsh.validator import command_utilities

    utils = command_utilities(command) or []
    if set(utils) & RANDOM or _RANDOM_WORDS.search(command):
        return "prints something random"
    runs = _invocations(command, utils)
    for reason, family in _FAMILIES:
        for utility, args in runs:
            pattern = family.get(utility)
            if pattern == "" or (pattern and any(re.search(pattern, a) for a in args)):
                return f"{reason} ({utility})"
    return None


def _invocations(command: str, utils: list[str]) -> list[tuple[str, list[str]]]:
    """(utility, the words after it) for each utility the command runs (`sudo tail -f` runs tail)."""
    from nlsh.validator import parse_command
    from nlsh.validator.risk import utility_name

    try:
        parsed = parse_command(command)
    except Exception:
        return [(u, []) for u in utils]
    runs = []
    for cmd in parsed.commands:
        words = [w.text for w in cmd.words]
        names = [utility_name(w) for w in words]
        runs += [(u, words[names.index(u) + 1:]) for u in dict.fromkeys(utils) if u in names]
        if "python" in names and "-m" in words[names.index("python"):-1]:  # python3 -m pip install x runs pip
            module = words.index("-m", names.index("python")) + 1
            runs.append((utility_name(words[module]), words[module + 1:]))
    return runs


def answers_by_exit_1(command: str, stdout: str, stderr: str, changes: dict[str, str]) -> bool:
    """Whether a run's exit 1 is its answer: a utility of EXIT_1_ANSWERS ran, nothing went to stderr,
    and it printed (`diff a b`, `diff -rq`, `cmp a b`, `grep -c x f` printing 0) or wrote something
    (`diff a b > d.patch`). A silent `grep -q`/`cmp -s` answers by its status alone and stays
    non-zero: `true` must not pass for it."""
    from nlsh.validator import command_utilities

    if stderr.strip() or not (stdout.strip() or changes):
        return False
    return bool(set(command_utilities(command) or []) & EXIT_1_ANSWERS)


def undecided_by_run(command: str, code: int | None, stdout: str, stderr: str, stopped: bool) -> str | None:
    """Why a run says nothing about the command: a tool missing here (`pdfinfo f | grep Pages` exits
    1, not 127), a failure that says the sandbox lacks something, a question nobody was there to
    answer (stdin is /dev/null), or a utility that may run until stopped that was stopped
    (`stopped`: timed out or flooded). None when the run can be judged."""
    missing = missing_tool(command, stderr)
    if missing:
        return f"needs a tool not installed here ({missing})"
    if stopped:
        from nlsh.validator import command_utilities

        hit = next((u for u in command_utilities(command) or [] if u in MAY_RUN_ON), None)
        return f"runs until stopped ({hit})" if hit else None
    if code == 0 or code is None:
        return None
    for pattern, what in _FAILURES:
        if pattern.search(stderr):
            return f"needs {what}"
    if _PROMPT.search(stdout[-200:]) or _PROMPT.search(stderr[-200:]):
        return "needs a terminal (it asked a question)"
    return None


_NOT_FOUND = re.compile(r"(\S+): command not found")
# A question left unanswered at the end of the output: `ssh-keygen -t ed25519` asks where to save the key.
_PROMPT = re.compile(r"(Enter [^\n]*|[Pp]assword|passphrase[^\n]*|\(y/n\)|\[y/N\]|\[Y/n\])[:?]? ?\n?$")


def missing_tool(command: str, stderr: str) -> str | None:
    """A utility the command runs that is not installed here, from what the run said: bash's
    "command not found" (whatever the exit status), or xargs, find -exec, timeout or env failing to
    start it."""
    m = _NOT_FOUND.search(stderr)
    if m:
        return m.group(1)
    if "No such file or directory" not in stderr:
        return None
    from nlsh.validator import command_utilities

    for u in command_utilities(command) or []:
        if "/" not in u and shutil.which(u, path=PATH) is None and \
                re.search(rf"['\s]{re.escape(u)}'?: No such file or directory", stderr):
            return u
    return None


def as_on_a_terminal(command: str) -> str:
    """The command as it behaves typed at a terminal. The sandbox's stdin is /dev/null, so nothing
    waits for input; but `git shortlog` without a revision then reads a log from stdin (on a
    terminal it summarises HEAD, as users expect): it is given HEAD."""
    from nlsh.validator import parse_command

    if "shortlog" not in command:
        return command
    try:
        parsed = parse_command(command)
    except Exception:
        return command
    if parsed.source != command:
        return command
    fed = {r.command for r in parsed.redirects if r.op.startswith("<")}
    inserts = []
    for i, cmd in enumerate(parsed.commands):
        words = [w.text for w in cmd.words]
        if cmd.stage > 0 or i in fed or cmd.nested_in or words[:1] != ["git"] or "shortlog" not in words:
            continue
        rest = cmd.words[words.index("shortlog") + 1:]
        ends = [w for w in rest if w.text == "--"]
        args = rest[: rest.index(ends[0])] if ends else rest
        if any(not w.text.startswith("-") for w in args):
            continue  # a revision is given
        inserts.append((ends[0].start, "HEAD ") if ends else (cmd.words[-1].end, " HEAD"))
    for at, text in sorted(inserts, reverse=True):
        command = command[:at] + text + command[at:]
    return command


# ---------------------------------------------------------------------------------------------
# The tree diff


def _diff(t: _Tree, home: Path, tmp: Path, now: float) -> tuple[dict[str, str], dict[str, str]]:
    changes: dict[str, str] = {}
    digests: dict[str, str] = {}
    after = _scan(home)
    git_touched: set[str] = set()
    repos = list(t.git_state)
    for rel, e in t.entries.items():
        st = after.get(rel)
        repo = _in_git(rel, repos)
        if st is None:
            if repo is not None:
                git_touched.add(repo)
                continue
            changes[rel] = "removed"
            digests[rel] = ""
            continue
        kind = _kind(st)
        mode = st.st_mode & 0o7777
        what = None
        if kind != e.kind:
            what = "modified"
        elif kind == "file":
            if st.st_size != e.size or abs(st.st_mtime - (now - e.mtime_age)) > 0.002:
                if _sha1_file(str(home / rel)) != e.sha1 or st.st_size != e.size:
                    what = "modified"
                elif abs(st.st_mtime - (now - e.mtime_age)) > 0.002:
                    what = "touched"
        elif kind == "symlink" and os.readlink(home / rel) != e.target:
            what = "modified"
        if what is None and kind != "symlink" and mode != e.mode:
            what = "mode"
        if what is not None:
            if repo is not None:
                git_touched.add(repo)
                continue
            changes[rel] = what
            digests[rel] = _digest(home / rel, st) if what != "touched" else _touched(st)
    for rel, st in after.items():
        if rel not in t.entries and not INCIDENTAL.search(rel):
            repo = _in_git(rel, repos)
            if repo is not None:
                git_touched.add(repo)
                continue
            changes[rel] = "added"
            digests[rel] = _digest(home / rel, st)
    root_mode = os.lstat(home).st_mode & 0o7777
    if root_mode != 0o755:
        changes["."], digests["."] = "mode", oct(root_mode)
    for rel, st in _scan(tmp).items():
        changes["/tmp/" + rel] = "added"
        digests["/tmp/" + rel] = _digest(tmp / rel, st)
    for repo in sorted(git_touched):
        state = _git_state(home, repo, Path(t.passwd), Path(t.group))
        if state != t.git_state.get(repo):
            changes[repo + "/.git"] = "modified"
            digests[repo + "/.git"] = hashlib.sha1(state.encode()).hexdigest()
    return changes, digests


def _touched(st: os.stat_result) -> str:
    """A touched file's new time: "now", or the time it was set to (`touch -d '2024-01-01 12:00'`),
    so `touch f` does not pass for `touch -d ...`. Times a command copies or preserves are not
    compared otherwise: `cp` and `cp -p` make the same file (a task about keeping times cannot tell
    them apart), as `mv a b` and `cp a b && rm a` do."""
    return "mtime now" if abs(st.st_mtime - time.time()) < 120 else f"mtime {int(st.st_mtime)}"


def _in_git(rel: str, repos: list[str]) -> str | None:
    for repo in repos:
        if rel == repo + "/.git" or rel.startswith(repo + "/.git/"):
            return repo
    return None


def _git_state(home: Path, repo: str, passwd: Path, group: Path) -> str:
    """A repository's state as a user sees it (refs with their subjects, HEAD, history, status,
    stashes, local config), read by git inside a sandbox: git reading a command's .git/config
    outside one would run whatever hooks or filters the command wrote there."""
    script = ("cd " + _quote(repo) + " && git for-each-ref --format='%(refname) %(subject)' && echo HEAD "
              "$(git symbolic-ref -q HEAD || echo detached) && git log --format=%s -n 50 && echo --status && "
              "git status --porcelain && git stash list --format=%s && git config --local --list")
    fake = _Tree(home=str(home), seed=0, entries={}, git_state={}, passwd=str(passwd), group=str(group))
    with tempfile.TemporaryDirectory(dir=judge_dir()) as tmp:
        if os.getuid() == 0:
            os.chown(tmp, UID, UID)
        argv = _bwrap(home, Path(tmp), fake, ["/bin/bash", "--noprofile", "--norc", "-c", script], writable=False)
        out, err, code, _, _ = _execute(argv, 10.0)
    return out.decode("utf-8", "replace") + f"\nexit {code}"


def _quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tar\.(gz|bz2|xz)|zip|gz|bz2|xz)$", re.I)
_ARCHIVE_READ_CAP = 256 * 1024 * 1024


def _digest(path: Path, st: os.stat_result) -> str:
    """What a changed path holds: archives by their compression format and members (names, types,
    contents), so two commands that pack the same files the same way agree though gzip and tar
    stamp times, and `tar -czf x.tar.bz2` does not pass for `tar -cjf x.tar.bz2` (nor a plain tar
    for a .tar.gz). The compression level is not compared: `gzip -9 f` makes what `gzip f` does."""
    kind = _kind(st)
    mode = oct(st.st_mode & 0o777)
    if kind == "symlink":
        return "-> " + os.readlink(path)
    if kind == "dir":
        return "dir " + mode
    if kind != "file":
        return kind
    if _ARCHIVE.search(path.name):
        members = _archive_digest(path)
        if members is not None:
            return f"archive {compression(path)} {members} {mode}"
    return f"{_sha1_file(str(path))} {mode}"


# A file's compression format by its first bytes (what `file` reads), whatever its name says.
MAGIC = [(b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"),
         (b"\x5d\x00\x00", "lzma"), (b"PK", "zip"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x9d", "compress")]


def compression(path: Path) -> str:
    """gzip, bzip2, xz, zstd, lzma, zip, 7z, compress, or none (a plain tar, any other file)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return "unreadable"
    return next((name for magic, name in MAGIC if head.startswith(magic)), "none")


def _member_name(name: str) -> str:
    name = name.removeprefix("./").rstrip("/")
    return name.removeprefix(HOME.lstrip("/") + "/")


def _archive_digest(path: Path) -> str | None:
    h = hashlib.sha1()
    try:
        name = path.name.lower()
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                for info in sorted(z.infolist(), key=lambda i: _member_name(i.filename)):
                    data = z.read(info) if not info.is_dir() and info.file_size < _ARCHIVE_READ_CAP else b""
                    h.update(f"{_member_name(info.filename)}|{info.is_dir()}|{hashlib.sha1(data).hexdigest()}\n".encode())
            return h.hexdigest()
        if tarfile.is_tarfile(path):
            with tarfile.open(path) as tar:
                for m in sorted(tar.getmembers(), key=lambda m: _member_name(m.name)):
                    data = b""
                    if m.isfile() and m.size < _ARCHIVE_READ_CAP:
                        f = tar.extractfile(m)
                        data = f.read() if f else b""
                    h.update(f"{_member_name(m.name)}|{m.type!r}|{hashlib.sha1(data).hexdigest()}\n".encode())
            return h.hexdigest()
        opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix.lower())
        if opener:
            with opener(path) as f:
                return "single " + hashlib.sha1(f.read(_ARCHIVE_READ_CAP)).hexdigest()
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, lzma.LZMAError, ValueError):
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Comparing outcomes

_HOME_PREFIX = re.compile(re.escape(HOME) + r"(/|(?=[\s:'\"]|$))")
_DOT_SLASH = re.compile(r"(^|[\s:='\"(])\./(?=[^\s/])")
_TRAILING_SLASH = re.compile(r"(?<=[\w.\-~])/(?=\s|$)")
_MKTEMP = re.compile(r"\btmp\.[A-Za-z0-9]{10}\b")
_DIGITS = re.compile(r"\d+")


def normalise_line(line: str, mask_digits: bool = False) -> str:
    """A line of output as compared: whitespace runs as one space; HOME's absolute prefix, a leading
    './' and a trailing '/' of a path dropped, so `find . -name x`, `find ~ -name x`, `find -name x`
    agree, and `ls -d */` lists folders as `find -type d` does; mktemp's random names masked."""
    line = _HOME_PREFIX.sub(lambda m: "" if m.group(1) == "/" else ".", line)
    line = _DOT_SLASH.sub(r"\1", line)
    line = _TRAILING_SLASH.sub("", line)
    line = _MKTEMP.sub("tmp.XXXXXXXXXX", line)
    if mask_digits:
        line = _DIGITS.sub("N", line)
    return " ".join(line.split())


def output_lines(stdout: str, mask_digits: bool = False) -> list[str]:
    lines = [normalise_line(line, mask_digits) for line in stdout.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def status_class(o: Outcome) -> str:
    if o.timed_out:
        return "timed out"
    if o.truncated:
        return "flooded"
    if o.exit_code is None:
        return "did not start"
    return "exit 0" if o.exit_code == 0 or o.answered else "exit non-zero"


def compare(candidate: Outcome, reference: Outcome, expect: Expect, volatile: bool = False) -> str | None:
    """None when the candidate did what the reference did under `expect`; else what differs.
    `volatile`: the reference's output changes from run to run (is_volatile): digits are masked."""
    cs, rs = status_class(candidate), status_class(reference)
    if cs != rs:
        return f"exit status differs ({cs}, the reference: {rs})"
    if expect in (Expect.output, Expect.output_and_changes):
        a, b = output_lines(candidate.stdout, volatile), output_lines(reference.stdout, volatile)
        if a != b:
            return "output differs: " + _first_difference(a, b)
    if expect is Expect.output_unordered:
        a = Counter(l for l in output_lines(candidate.stdout, volatile) if l)
        b = Counter(l for l in output_lines(reference.stdout, volatile) if l)
        if a != b:
            extra, missing = sorted((a - b).elements()), sorted((b - a).elements())
            return f"output differs as a set of lines: {len(extra)} extra{_few(extra)}, {len(missing)} missing{_few(missing)}"
    if expect in (Expect.changes, Expect.output_and_changes):
        a, b = _masked_changes(candidate.changes), _masked_changes(reference.changes)
        if a != b:
            return "changes differ: " + _changes_difference(a, b)
        da, db = _masked_changes(candidate.digests), _masked_changes(reference.digests)
        diff = [p for p in a if da.get(p) != db.get(p)]
        if diff:
            return f"changes differ in content: {_few(sorted(diff))}"
    return None


def _masked_changes(d: dict[str, str]) -> dict[str, str]:
    return {_MKTEMP.sub("tmp.XXXXXXXXXX", k): v for k, v in d.items()}


def _few(items: list[str], n: int = 3) -> str:
    return (" (" + ", ".join(repr(i) for i in items[:n]) + (", ..." if len(items) > n else "") + ")") if items else ""


def _first_difference(a: list[str], b: list[str]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {i + 1} is {x!r}, the reference's {y!r}"
    return f"{len(a)} lines, the reference {len(b)}"


def _changes_difference(a: dict[str, str], b: dict[str, str]) -> str:
    extra = sorted(f"{p} {k}" for p, k in a.items() if b.get(p) != k)
    missing = sorted(f"{p} {k}" for p, k in b.items() if a.get(p) != k)
    return f"{len(extra)} not in the reference{_few(extra)}, {len(missing)} of the reference's missing{_few(missing)}"


# ---------------------------------------------------------------------------------------------
# Judging

_reference_cache: dict[tuple[str, int, float], tuple[float, Outcome]] = {}
_reference_lock = threading.Lock()


def judge_many(candidates: list[str], references: list[str], expect: Expect | str, *, seed: int = 0,
               timeout: float = 5.0) -> list[Verdict]:
    """judge() for several candidates of one task: the references run once, and each distinct
    candidate once (systems often agree)."""
    expect = Expect(expect)
    now = time.time()
    refs = [_reference_outcome(r, seed, timeout, now) for r in references]
    if len({when for when, _ in refs}) > 1:  # some cached, some not: all from one `now`, or `ls -l` times differ
        refs = [_reference_outcome(r, seed, timeout, now, fresh=True) for r in references]
    # A reference that hangs says nothing about the task (a user would have stopped it); a
    # candidate that hangs where a reference finishes is wrong (compare: its status differs).
    decided = [(r, o) for r, (_, o) in zip(references, refs) if o.undecided is None and not o.timed_out]
    when = refs[0][0] if refs else now
    seen: dict[str, Verdict] = {}
    for cand in candidates:
        if cand not in seen:
            seen[cand] = _verdict(cand, decided, refs, expect, seed, timeout, when)
    return [seen[c] for c in candidates]


def _verdict(cand: str, decided: list[tuple[str, Outcome]], refs: list[tuple[float, Outcome]], expect: Expect,
             seed: int, timeout: float, when: float) -> Verdict:
    if not decided:
        first = refs[0][1] if refs else None
        why = "none given" if first is None else first.undecided or "runs past the time limit"
        return Verdict(right=None, why="every reference is undecided: " + why)
    o = run(cand, seed=seed, timeout=timeout, now=when)
    if o.undecided is not None:
        return Verdict(right=False, why=f"the answer {o.undecided}; the task does not")
    whys = []
    for i, (ref, ro) in enumerate(decided, 1):
        diff = compare(o, ro, expect, volatile=is_volatile(ref))
        if diff is None:
            return Verdict(right=True, why=f"does what reference {i} does")
        whys.append(f"reference {i}: {diff}")
    return Verdict(right=False, why="; ".join(whys))


def _reference_outcome(command: str, seed: int, timeout: float, now: float, fresh: bool = False) -> tuple[float, Outcome]:
    key = (command, seed, timeout)
    with _reference_lock:
        hit = _reference_cache.get(key)
    if hit and now - hit[0] < REUSE_SECONDS and not fresh:
        return hit
    o = run(command, seed=seed, timeout=timeout, now=now)
    with _reference_lock:
        _reference_cache[key] = (now, o)
    return now, o


def judge(candidate: str, references: list[str], expect: Expect | str, *, seed: int = 0, timeout: float = 5.0) -> Verdict:
    """Right when the candidate's outcome matches any reference's under `expect`, with the same exit
    status class; None (undecided) when no reference can be judged here."""
    return judge_many([candidate], references, expect, seed=seed, timeout=timeout)[0]


def _verdict_db() -> sqlite3.Connection:
    db = sqlite3.connect(judge_dir() / "verdicts.sqlite", timeout=30)
    db.execute("create table if not exists verdicts (key text primary key, verdict text)")
    return db


def verify(command: str, expect: Expect | str, *, seed: int = 0, timeout: float = 5.0) -> Verdict:
    """Whether a generated training command is fit to train on: it runs (exit 0, or an exit 1 that
    is its answer: Outcome.answered), in time, prints something where output is expected, changes
    the tree where a change is expected, and nothing about it is undecided. Cached on disk by
    (tree layout, judge version, seed, expect, command), but for a time-out: on the shared 2-core
    machine `ls scripts | wc -l` (0.3 s) once ran past 5 s, and a cached "timed out" dropped it from
    every later `python -m finetune core`. A run that times out is tried once more."""
    expect = Expect(expect)
    key = json.dumps([TREE_VERSION, JUDGE_VERSION, seed, expect.value, command])
    with _verdict_db() as db:
        row = db.execute("select verdict from verdicts where key = ?", (key,)).fetchone()
    if row:
        cached = Verdict.model_validate_json(row[0])
        if cached.why != TIMED_OUT:
            return cached
    o = run(command, seed=seed, timeout=timeout)
    if o.timed_out and o.undecided is None:
        o = run(command, seed=seed, timeout=timeout)
    v = _fitness(o, expect)
    if v.why != TIMED_OUT:
        with _verdict_db() as db:
            db.execute("insert or replace into verdicts values (?, ?)", (key, v.model_dump_json()))
    return v


TIMED_OUT = "timed out"


def _fitness(o: Outcome, expect: Expect) -> Verdict:
    if o.undecided:
        return Verdict(right=None, why=o.undecided)
    if o.timed_out:
        return Verdict(right=False, why=TIMED_OUT)
    if o.truncated:
        return Verdict(right=False, why="printed more than the output cap")
    if o.exit_code != 0 and not o.answered:
        return Verdict(right=False, why=f"exit {o.exit_code}: {o.stderr.strip()[:200]}")
    if expect in (Expect.output, Expect.output_unordered, Expect.output_and_changes) and not o.stdout.strip():
        return Verdict(right=False, why="printed nothing")
    if expect in (Expect.changes, Expect.output_and_changes) and not o.changes:
        return Verdict(right=False, why="changed nothing")
    return Verdict(right=True, why="runs and does something")
