"""The programs this machine has, and running one to ask it about itself (`PROGRAM --help`).

Only programs that surely just print their help are ever started: installed in a system directory
(a user's own script may not know the flag and would simply run), and not on the never-run list,
the one list of programs whose mere start nlsh would rather avoid.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import subprocess
import tempfile
from typing import Optional

HELP_TIMEOUT_S = 2.0
WIDTH = "100"
MAX_DOC_CHARS = 400_000
SYSTEM_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
               "/opt/homebrew/bin", "/opt/local/bin", "/usr/games")

# Programs never started to read their help: they destroy, reboot, log in, wait for input or run
# whatever they are given. A name counts with a version or a dotted variant too (python3.11,
# mkfs.ext4).
NEVER_RUN = frozenset("""
    rm shred wipe srm dd mkfs mke2fs mkswap wipefs fdisk sfdisk gdisk sgdisk cfdisk parted shutdown reboot halt
    poweroff kexec init telinit kill pkill killall killall5 xkill systemctl crontab sudo doas su pkexec run0 login
    passwd chpasswd userdel deluser groupdel useradd usermod format diskutil newfs blkdiscard flashrom cryptsetup
    lvremove vgremove pvremove zpool zfs mount umount swapoff swapon halt yes top htop watch less more vi vim
    nvim nano emacs ed sh bash zsh dash ksh fish csh tcsh python python3 perl ruby node php lua xargs nohup
    timeout env nice time strace ltrace chroot eval exec ssh telnet nc ncat netcat socat ftp sftp scp
    bootctl dracut e2fsck fsck grub-install mkdosfs mkinitcpio resize2fs update-grub update-initramfs
""".split())


def never_run(name: str) -> bool:
    """Whether `name` (a program's name, not a path) is on the never-run list."""
    return bool({name, name.split(".", 1)[0], re.sub(r"[\d.]+$", "", name)} & NEVER_RUN)


def executables_on_path(path: str) -> frozenset[str]:
    """Names of the executable files in the directories of a $PATH string."""
    return _executables(tuple(d for d in path.split(os.pathsep) if d))


@functools.lru_cache(maxsize=8)
def _executables(dirs: tuple[str, ...]) -> frozenset[str]:
    names: set[str] = set()
    for d in dirs:
        try:
            with os.scandir(d) as it:
                for entry in it:
                    try:
                        if entry.is_file() and os.access(entry.path, os.X_OK):
                            names.add(entry.name)
                    except OSError:
                        continue
        except OSError:
            continue
    return frozenset(names)


def in_system_dir(executable: str) -> bool:
    """Whether the executable (or the file a link leads to) lies in a system directory."""
    real = os.path.realpath(executable)
    return any(os.path.dirname(p) in SYSTEM_DIRS for p in (executable, real))


def may_ask_for_help(executable: str, name: str) -> bool:
    """Run `EXECUTABLE --help` only for a program that surely just prints help."""
    return not never_run(name) and in_system_dir(executable)


def system_program(name: str) -> Optional[str]:
    """The path of `name` in the first system directory that has it, or None."""
    for d in SYSTEM_DIRS:
        candidate = os.path.join(d, name)
        if os.access(candidate, os.X_OK) and os.path.isfile(candidate):
            return candidate
    return None


@functools.lru_cache(maxsize=128)
def help_output(executable: str, timeout: float = HELP_TIMEOUT_S) -> Optional[str]:
    """`EXECUTABLE --help`, run in an empty directory with no input and a time limit; None when it
    printed next to nothing or failed."""
    from nlsh.machine.manpage import clean

    env = dict(os.environ, COLUMNS=WIDTH, LC_ALL="C.UTF-8", LANG="C.UTF-8", PAGER="cat", MANPAGER="cat")
    with tempfile.TemporaryDirectory(prefix="nlsh-help-") as scratch:
        text = run_text([executable, "--help"], env, timeout, cwd=scratch, stderr=True)
    if not text or len(text.strip()) < 20:
        return None
    return clean(text)


def usage_line(name: str, timeout: float = 0.3) -> Optional[str]:
    """The usage line of `name --help` for a program in a system directory (the retriever's hint
    for a tool with no man page); a short limit, since a request waits for it."""
    if never_run(name) or not re.fullmatch(r"[A-Za-z0-9_.+-]+", name):
        return None
    exe = system_program(name)
    text = help_output(exe, timeout) if exe else None
    for line in (text or "").splitlines():
        line = line.strip()
        if line.lower().startswith("usage:"):
            return " ".join(line.split())[:160]
    return None


def run_text(argv: list[str], env: dict[str, str], timeout: float, cwd: Optional[str] = None,
             stderr: bool = False) -> Optional[str]:
    """What a program prints (at most MAX_DOC_CHARS), or None when it failed or ran out of time."""
    return run_status(argv, env, timeout, cwd, stderr)[1]


def run_status(argv: list[str], env: dict[str, str], timeout: float, cwd: Optional[str] = None,
               stderr: bool = False) -> tuple[Optional[int], Optional[str]]:
    """(exit status, output) of a program run with no input; one that runs out of time is killed
    with everything it started."""
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT if stderr else subprocess.DEVNULL,
                                   env=env, cwd=cwd, start_new_session=True)
    except OSError:
        return None, None
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.communicate()
        return None, None
    if process.returncode not in (0, 1, 2) or not out:  # many --help print and exit 1 or 2
        return process.returncode, None
    return process.returncode, out[:MAX_DOC_CHARS].decode("utf-8", "replace")
