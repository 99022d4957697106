"""The risk rules, as data: what each utility does to the machine, and which flags or operands change that.

SPEC section 2: `safe` is read-only or easily undone, `caution` writes or changes state, `dangerous`
destroys data, changes permissions or ownership recursively, touches devices, boot files or
partitions, pipes network content into a shell, or is a fork bomb.

Policy where the SPEC leaves room: removing or overwriting named files (`rm notes.txt`, `> out.txt`,
`mv a b`) is `caution`; destruction without a fixed list of victims (recursive, globbed, run per
input by `xargs` or `find -exec`) or aimed at the system is `dangerous`. A utility not listed here
is `caution`: it may change state and we cannot say it does not.

Each utility has a default level and a list of rules; the first rule whose conditions all hold
replaces the default. Conditions (all optional, all must hold):
  flags         one of these options is given (`-r` also matches inside `-rf`; `--recursive`; for
                utilities with single-dash long options like find, `-delete` as a whole word)
  sub           the first operand (a subcommand such as `git clean`) matches one of these patterns
  args          some operand matches one of these shell patterns
  words         some word after the utility, options included, matches one of these patterns
  values        an option is given with this value: ("-s", "0") matches `-s 0`, `-s0`, `--size=0`
  last          the last word matches one of these patterns
  glob          some operand is an unquoted glob
  bulk          the command runs once per input line or found file (xargs, find -exec)
  max_operands  at most this many operands
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional

from nlsh.schema import Risk

S, C, D = Risk.safe, Risk.caution, Risk.dangerous


@dataclass(frozen=True)
class Rule:
    risk: Risk
    reason: str = ""
    flags: tuple[str, ...] = ()
    sub: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    last: tuple[str, ...] = ()
    glob: bool = False
    bulk: bool = False
    max_operands: Optional[int] = None


@dataclass(frozen=True)
class Utility:
    risk: Risk
    reason: str = ""
    rules: tuple[Rule, ...] = ()
    # which operands it writes to, for "does this touch /etc, /boot, a disk?" ("last": cp's target)
    targets: Literal["all", "last", "none"] = "all"
    single_dash_long: bool = False  # find-style options: -name, -delete
    value_opts: tuple[str, ...] = ()  # options whose value is the next word (not an operand)


@dataclass(frozen=True)
class Wrapper:
    """A utility that runs another command given as its remaining words (or as one string)."""

    value_opts: tuple[str, ...] = ()
    positionals: int = 0  # operands before the wrapped command (timeout's duration, ssh's host)
    script: bool = False  # the remaining words are joined into a shell string (watch, eval, ssh)
    script_first: bool = False  # only the first remaining word is a shell string (trap 'cmd' EXIT)
    script_opts: tuple[str, ...] = ()  # an option whose value is a shell string (su -c, env -S)
    lookup_flags: tuple[str, ...] = ()  # flags that make it only look the command up (command -v)
    bulk: bool = False  # runs the command once per input (xargs)
    skip_assignments: bool = False  # NAME=value words before the command (env)
    bare: tuple[Risk, str] = (S, "")  # when no command is given
    own: Optional[tuple[Risk, str]] = None  # what the wrapper itself does, whatever it runs
    remote: bool = False  # the command runs on another machine: don't resolve it here


@dataclass(frozen=True)
class Interpreter:
    """Runs code; `code_opts` take the code as their value, otherwise the first operand is a script."""

    code_opts: tuple[str, ...]
    stdin_opts: tuple[str, ...] = ()  # options that make it read the program from stdin (sh -s)
    shell: bool = False  # the code is shell code we can parse and analyse
    reason: str = "runs a program"
    language: str = ""  # the INLINE_CALLS its inline code is read with
    module_opts: tuple[str, ...] = ()  # code options whose value names a module, not code (python -m)
    # options with a value in the rest of their word or else the next word (`perl -MLWP::Simple -e`:
    # the `e` of Simple is no -e), and options whose value can only be the rest of their word (-i.bak)
    value_opts: tuple[str, ...] = ()
    attached_opts: tuple[str, ...] = ()


GLOBAL_OPTIONS_WITH_VALUES = {
    "git": ("-C", "-c", "--git-dir", "--work-tree", "--namespace"),
    "docker": ("-H", "--host", "--context", "-c", "--config", "-l", "--log-level"),
    "kubectl": ("-n", "--namespace", "--context", "--kubeconfig", "-l", "--selector", "-o", "--output"),
}


def _same(risk: Risk, reason: str, names: str, **kw) -> dict[str, Utility]:
    return {name: Utility(risk, reason, **kw) for name in names.split()}


# --- read-only utilities ------------------------------------------------------------------------

UTILITIES: dict[str, Utility] = {}

UTILITIES |= _same(S, "", """
    ls dir vdir ll cat tac nl head tail less more most bat batcat view grep egrep fgrep rg ag ack
    zgrep zegrep zfgrep zcat bzcat xzcat zstdcat zless zmore bzless xzless locate plocate mlocate fd fdfind
    which whereis type whatis apropos man info tldr help file stat du df dust ncdu tree wc sort uniq
    cut paste join comm tr fold fmt column expand unexpand rev shuf seq yes echo printf pwd date cal
    ncal whoami id groups users who w last lastb lastlog finger uname uptime free top htop btop atop
    iotop vmstat iostat mpstat sar ps pstree pgrep pidof lsof ss netstat arp ping ping6 traceroute
    tracepath mtr dig nslookup host whois nmap lsblk blkid lscpu lsusb lspci lsmod lshw dmidecode
    lsns lslocks lsipc lsattr findmnt printenv locale getconf nproc arch tty diff diff3 cmp colordiff
    sdiff md5sum sha1sum sha224sum sha256sum sha384sum sha512sum b2sum cksum sum base64 base32 basenc
    xxd od hexdump hd strings nm objdump readelf ldd size jq gron xmllint basename dirname realpath
    readlink test [ true false : expr bc dc factor numfmt sleep wait alias unalias cd pushd popd dirs
    export set unset read declare typeset local let shopt hash jobs fg bg disown times trap ulimit
    exit logout return break continue shift getopts caller compgen complete compopt enable mapfile
    readarray bind tput clear reset zipinfo ffprobe mediainfo identify pdfinfo lsb_release
    hostid logname whoami printenv neofetch fastfetch screenfetch inxi sensors
    acpi upower iwconfig iw  getent namei pwdx pmap prtstat tload slabtop
    cowsay figlet lolcat fortune sl cmatrix units
    fc-list fc-match xdpyinfo glxinfo vainfo vdpauinfo 
    nvidia-smi 
""")

# --- utilities whose level depends on flags or subcommands ---------------------------------------

_PKG_SAFE_SUBS = ("list", "search", "show", "info", "policy", "depends", "rdepends", "showpkg",
                  "madison", "changelog", "check", "freeze", "outdated", "query", "provides",
                  "whatprovides", "repolist", "history", "help", "version", "--version", "-v", "-h",
                  "--help", "ls", "view", "audit", "why", "explain", "config", "env", "doc", "vet",
                  "tree", "metadata", "leaves", "deps", "desc", "home", "cat", "inspect")
_PKG = Rule(S, "", sub=_PKG_SAFE_SUBS)

UTILITIES |= {
    # deleting, overwriting, destroying
    "rm": Utility(C, "deletes files", rules=(
        Rule(D, "deletes files recursively", flags=("-r", "-R", "--recursive")),
        Rule(D, "deletes every file matching a glob", glob=True),
        Rule(D, "deletes every file it is given", bulk=True),
        Rule(S, "", max_operands=0),
    )),
    "unlink": Utility(C, "deletes a file", rules=(Rule(D, "deletes every file it is given", bulk=True),)),
    "rmdir": Utility(C, "removes empty directories"),
    "shred": Utility(D, "destroys file contents beyond recovery"),
    "wipe": Utility(D, "destroys file contents beyond recovery"),
    "srm": Utility(D, "destroys file contents beyond recovery"),
    "truncate": Utility(C, "changes file sizes", rules=(
        Rule(D, "empties files", values=(("-s", "0"), ("--size", "0"))),
    ), value_opts=("-s", "--size", "-r", "--reference")),
    "dd": Utility(C, "copies raw data", rules=(
        Rule(D, "writes directly to a disk device", args=("of=/dev/*",)),
        Rule(D, "overwrites a file with raw data", args=("of=*",)),
        Rule(S, "", max_operands=2, args=("if=*",)),
    )),
    "find": Utility(S, "", single_dash_long=True, rules=(
        Rule(D, "deletes every file find matches", flags=("-delete",)),
        Rule(C, "writes the results to a file", flags=("-fprint", "-fprint0", "-fprintf", "-fls")),
    ), value_opts=("-name", "-iname", "-path", "-ipath", "-regex", "-iregex", "-type", "-xtype", "-size",
                   "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-newer", "-user", "-group",
                   "-perm", "-maxdepth", "-mindepth", "-printf", "-fprint", "-fprintf", "-fls", "-links",
                   "-inum", "-samefile", "-wholename", "-iwholename", "-lname", "-ilname", "-uid", "-gid",
                   "-used", "-fstype", "-context", "-newermt", "-regextype", "-D", "-O", "-files0-from")),
    # permissions and ownership
    "chmod": Utility(C, "changes file permissions", rules=(
        Rule(D, "changes permissions recursively", flags=("-R", "--recursive")),
        Rule(D, "changes permissions of every file it is given", bulk=True),
    ), value_opts=("--reference",)),
    "chown": Utility(C, "changes file ownership", rules=(
        Rule(D, "changes ownership recursively", flags=("-R", "--recursive")),
        Rule(D, "changes ownership of every file it is given", bulk=True),
    ), value_opts=("--reference", "--from")),
    "chgrp": Utility(C, "changes group ownership", rules=(
        Rule(D, "changes group ownership recursively", flags=("-R", "--recursive")),
    ), value_opts=("--reference",)),
    "chattr": Utility(C, "changes file attributes", rules=(
        Rule(D, "changes file attributes recursively", flags=("-R",)),
    )),
    "setfacl": Utility(C, "changes access control lists", rules=(
        Rule(D, "changes access control lists recursively", flags=("-R", "--recursive")),
    )),
    # writing files
    "cp": Utility(C, "copies files (may overwrite)", targets="last",
                  value_opts=("-t", "--target-directory", "-S", "--suffix")),
    "mv": Utility(C, "moves or renames files (may overwrite)", rules=(
        Rule(D, "moves files into /dev/null, deleting them", last=("/dev/null",)),
    ), value_opts=("-t", "--target-directory", "-S", "--suffix")),
    "install": Utility(C, "copies files into place", targets="last",
                       value_opts=("-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "--target-directory")),
    "ln": Utility(C, "creates links", targets="last", value_opts=("-t", "--target-directory", "-S", "--suffix")),
    "mkdir": Utility(C, "creates directories", value_opts=("-m", "--mode")),
    "touch": Utility(C, "creates files or changes their timestamps", value_opts=("-d", "--date", "-r", "--reference", "-t")),
    "mktemp": Utility(C, "creates a temporary file"),
    "tee": Utility(C, "overwrites the files it writes to", rules=(
        Rule(C, "appends to files", flags=("-a", "--append")),
        Rule(S, "", max_operands=0),
    )),
    "sponge": Utility(C, "overwrites a file"),
    "sed": Utility(S, "", rules=(
        Rule(C, "edits files in place", flags=("-i", "--in-place")),
        Rule(C, "edits files in place", words=("-i*", "--in-place=*")),
    ), value_opts=("-e", "--expression", "-f", "--file", "-l", "--line-length")),
    "awk": Utility(S, "", rules=(Rule(C, "edits files in place", words=("inplace",)),),
                   value_opts=("-F", "-v", "-f", "-i", "--include")),
    "sort": Utility(S, "", rules=(Rule(C, "writes the output to a file", flags=("-o", "--output")),),
                    value_opts=("-k", "--key", "-t", "--field-separator", "-S", "--buffer-size", "-T")),
    "split": Utility(C, "writes pieces of a file"),
    "csplit": Utility(C, "writes pieces of a file"),
    "patch": Utility(C, "changes files", rules=(Rule(S, "", flags=("--dry-run",)),)),
    "fallocate": Utility(C, "allocates file space"),
    "rsync": Utility(C, "copies files (may overwrite)", targets="last", rules=(
        Rule(S, "", flags=("-n", "--dry-run", "--list-only")),
        Rule(D, "deletes files missing from the source", words=("--delete*", "--remove-source-files")),
    ), value_opts=("-e", "--rsh", "--exclude", "--include", "--exclude-from", "--include-from", "--filter", "-f")),
    "scp": Utility(C, "copies files over the network (may overwrite)", targets="last",
                   value_opts=("-P", "-i", "-o", "-F", "-l", "-c", "-J", "-S")),
    "sftp": Utility(C, "transfers files over the network"),
    "rclone": Utility(C, "copies files to or from remote storage", rules=(
        Rule(S, "", sub=("ls", "lsd", "lsl", "lsf", "size", "listremotes", "about", "version", "tree", "cat", "check")),
        Rule(S, "", flags=("--dry-run", "-n")),
        Rule(D, "deletes files on remote storage", sub=("sync", "delete", "purge", "deletefile", "rmdirs", "cleanup")),
    )),
    "tar": Utility(C, "creates or extracts archives (may overwrite)", rules=(
        Rule(S, "", flags=("-t", "--list")),
        Rule(S, "", sub=("t", "t[vzjJfaw]*", "[vzjJfaw]t*", "[vzjJfaw][vzjJfaw]t*")),  # old style: tar tzf
    ), value_opts=("-f", "--file", "-C", "--directory", "-T", "--files-from", "-X", "--exclude-from")),
    "unzip": Utility(C, "extracts an archive (may overwrite)", rules=(
        Rule(S, "", flags=("-l", "-v", "-t", "-Z")),
    ), value_opts=("-d", "-x")),
    "zip": Utility(C, "creates or updates an archive"),
    "7z": Utility(C, "creates or extracts archives", rules=(Rule(S, "", sub=("l", "t", "h", "i")),)),
    "gzip": Utility(C, "compresses files, replacing them", rules=(
        Rule(S, "", flags=("-c", "--stdout", "-l", "--list", "-t", "--test")), Rule(S, "", max_operands=0))),
    "gunzip": Utility(C, "decompresses files, replacing them", rules=(
        Rule(S, "", flags=("-c", "--stdout", "-l", "--list", "-t", "--test")), Rule(S, "", max_operands=0))),
    "bzip2": Utility(C, "compresses files, replacing them", rules=(Rule(S, "", flags=("-c", "-t")), Rule(S, "", max_operands=0))),
    "bunzip2": Utility(C, "decompresses files, replacing them", rules=(Rule(S, "", flags=("-c", "-t")),)),
    "xz": Utility(C, "compresses files, replacing them", rules=(Rule(S, "", flags=("-c", "-l", "-t")), Rule(S, "", max_operands=0))),
    "unxz": Utility(C, "decompresses files, replacing them", rules=(Rule(S, "", flags=("-c", "-l", "-t")),)),
    "zstd": Utility(C, "compresses files", rules=(Rule(S, "", flags=("-c", "-l", "-t")), Rule(S, "", max_operands=0))),
    "ffmpeg": Utility(C, "writes media files"),
    "convert": Utility(C, "writes image files"),
    "magick": Utility(C, "writes image files"),
    "mogrify": Utility(C, "overwrites image files in place"),
    "exiftool": Utility(C, "may rewrite file metadata"),
    "pdftotext": Utility(C, "writes a text file"),
    "curl": Utility(S, "", rules=(
        Rule(C, "sends data to a server", flags=("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode",
                                                "-F", "--form", "-T", "--upload-file", "-X", "--request", "--json")),
        Rule(S, "", values=(("-o", "-"), ("--output", "-"))),
        Rule(C, "downloads to a file", flags=("-o", "--output", "-O", "--remote-name", "--remote-name-all")),
    ), value_opts=("-o", "--output", "-H", "--header", "-A", "--user-agent", "-u", "--user", "-e", "--referer", "-b", "--cookie",
                   "-c", "--cookie-jar", "-m", "--max-time", "-w", "--write-out", "-x", "--proxy",
                   "--connect-timeout", "-r", "--range", "-E", "--cert", "--cacert", "--retry", "-z")),
    "wget": Utility(C, "downloads files", rules=(
        Rule(S, "", words=("-*O-", "-", "--output-document=-", "--spider", "-O/dev/null", "/dev/null")),
    ), value_opts=("-O", "--output-document", "-P", "--directory-prefix", "-U", "--user-agent", "-t", "--tries",
                   "-T", "--timeout", "--header", "-o", "--output-file", "-a", "--append-output", "-e", "-i")),
    "aria2c": Utility(C, "downloads files"),
    # devices, partitions, file systems, boot
    "mkfs": Utility(D, "formats a file system, erasing it"),
    "mke2fs": Utility(D, "formats a file system, erasing it"),
    "mkswap": Utility(D, "formats a swap area, erasing it"),
    "mkdosfs": Utility(D, "formats a file system, erasing it"),
    "wipefs": Utility(D, "erases file system signatures", rules=(Rule(S, "", max_operands=1, flags=("-n", "--no-act")),)),
    "fdisk": Utility(D, "changes disk partitions", rules=(Rule(S, "", flags=("-l", "--list", "-x", "--list-details")),)),
    "sfdisk": Utility(D, "changes disk partitions", rules=(Rule(S, "", flags=("-l", "--list", "-d", "--dump", "-s", "--show-size", "-V", "--verify")),)),
    "gdisk": Utility(D, "changes disk partitions", rules=(Rule(S, "", flags=("-l",)),)),
    "sgdisk": Utility(D, "changes disk partitions", rules=(Rule(S, "", flags=("-p", "--print", "-i", "--info", "-v", "--verify")),)),
    "cfdisk": Utility(D, "changes disk partitions"),
    "parted": Utility(D, "changes disk partitions", rules=(
        Rule(S, "", flags=("-l", "--list")), Rule(S, "", last=("print",)),
    ), value_opts=("-a", "--align")),
    "partprobe": Utility(C, "rereads partition tables"),
    "fsck": Utility(D, "repairs a file system (can lose data)", rules=(Rule(S, "", flags=("-n", "-N")),)),
    "e2fsck": Utility(D, "repairs a file system (can lose data)", rules=(Rule(S, "", flags=("-n",)),)),
    "tune2fs": Utility(C, "changes file system settings", rules=(Rule(S, "", flags=("-l",)),)),
    "resize2fs": Utility(D, "resizes a file system"),
    "hdparm": Utility(C, "changes disk settings", rules=(
        Rule(D, "erases a disk", words=("--security-erase*", "--trim-sector-ranges*")),
        Rule(S, "", flags=("-I", "-i", "-t", "-T", "-g")),
    )),
    "blkdiscard": Utility(D, "discards every block on a device"),
    "badblocks": Utility(C, "tests a disk", rules=(Rule(D, "overwrites a disk while testing it", flags=("-w",)),)),
    "cryptsetup": Utility(C, "manages encrypted volumes", rules=(
        Rule(D, "formats an encrypted volume, erasing it", sub=("luksFormat", "erase", "luksErase", "reencrypt")),
        Rule(S, "", sub=("status", "luksDump", "isLuks")),
    )),
    "lvremove": Utility(D, "deletes logical volumes"),
    "vgremove": Utility(D, "deletes volume groups"),
    "pvremove": Utility(D, "wipes physical volume labels"),
    "zpool": Utility(C, "manages storage pools", rules=(
        Rule(D, "destroys a storage pool", sub=("destroy", "labelclear")),
        Rule(S, "", sub=("list", "status", "iostat", "get", "history")),
    )),
    "zfs": Utility(C, "manages ZFS datasets", rules=(
        Rule(D, "destroys a ZFS dataset", sub=("destroy", "rollback")),
        Rule(S, "", sub=("list", "get", "diff")),
    )),
    # mounting is undone by unmounting: caution even for a disk device
    "mount": Utility(C, "mounts a file system", rules=(Rule(S, "", max_operands=0),), targets="none",
                     value_opts=("-t", "-o", "-L", "-U")),
    "umount": Utility(C, "unmounts a file system", targets="none"),
    "swapon": Utility(C, "enables swap", rules=(Rule(S, "", flags=("-s", "--show", "--summary")),)),
    "swapoff": Utility(C, "disables swap"),
    "grub-install": Utility(D, "rewrites the boot loader"),
    "update-grub": Utility(D, "rewrites the boot configuration"),
    "grub-mkconfig": Utility(S, "", rules=(Rule(D, "rewrites the boot configuration", flags=("-o", "--output")),)),
    "update-initramfs": Utility(D, "rewrites boot files"),
    "mkinitcpio": Utility(D, "rewrites boot files"),
    "dracut": Utility(D, "rewrites boot files"),
    "efibootmgr": Utility(S, "", rules=(
        Rule(D, "changes the firmware boot entries", flags=("-c", "--create", "-B", "--delete-bootnum", "-o",
                                                           "--bootorder", "-n", "--bootnext", "-a", "-A", "-b")),
    )),
    "bootctl": Utility(D, "changes the boot loader", rules=(Rule(S, "", sub=("status", "list")), Rule(S, "", max_operands=0))),
    "flashrom": Utility(D, "rewrites firmware"),
    # power and processes
    "shutdown": Utility(D, "shuts the machine down", rules=(Rule(C, "cancels a pending shutdown", flags=("-c",)),)),
    "reboot": Utility(D, "reboots the machine"),
    "halt": Utility(D, "halts the machine"),
    "poweroff": Utility(D, "powers the machine off"),
    "kexec": Utility(D, "replaces the running kernel"),
    "init": Utility(C, "changes the run level", rules=(Rule(D, "shuts down or reboots the machine", args=("0", "6")),)),
    "telinit": Utility(C, "changes the run level", rules=(Rule(D, "shuts down or reboots the machine", args=("0", "6")),)),
    "kill": Utility(C, "sends a signal to processes", rules=(
        Rule(D, "kills every process or init", last=("-1", "1")),
        Rule(S, "", flags=("-l", "-L", "--list", "--table")),
    ), value_opts=("-s", "-n")),
    "pkill": Utility(C, "kills processes", rules=(Rule(D, "kills init", args=("init", "systemd", "1")),),
                     value_opts=("-u", "-U", "-g", "-G", "-P", "-s", "-t", "--signal")),
    "killall": Utility(C, "kills processes", rules=(Rule(D, "kills init", args=("init", "systemd")),),
                       value_opts=("-u", "--user", "-s", "--signal", "-o", "-y")),
    "killall5": Utility(D, "kills every process"),
    "xkill": Utility(C, "kills a window's program"),
    "renice": Utility(C, "changes process priorities"),
    "fuser": Utility(S, "", rules=(Rule(C, "kills processes using the files", flags=("-k", "--kill")),)),
    "systemctl": Utility(C, "changes system services", rules=(
        Rule(D, "shuts down or reboots the machine", sub=("poweroff", "reboot", "halt", "kexec", "emergency",
                                                          "rescue", "suspend", "hibernate", "hybrid-sleep", "soft-reboot")),
        Rule(S, "", sub=("status", "show", "cat", "list-units", "list-unit-files", "list-timers", "list-sockets",
                         "list-dependencies", "list-jobs", "list-machines", "is-active", "is-enabled", "is-failed",
                         "is-system-running", "get-default", "help", "show-environment")),
        Rule(S, "", max_operands=0),
    ), value_opts=("-t", "--type", "--state", "-p", "--property", "-H", "--host", "-M", "--machine", "-n", "--lines", "-o", "--output")),
    "service": Utility(C, "changes system services", rules=(Rule(S, "", args=("status",)), Rule(S, "", flags=("--status-all",)))),
    "journalctl": Utility(S, "", rules=(
        Rule(C, "deletes old logs", words=("--vacuum-*", "--rotate", "--flush")),
    ), value_opts=("-u", "--unit", "-n", "--lines", "-p", "--priority", "-S", "--since", "-U", "--until", "-o",
                   "--output", "-b", "--boot", "-t", "--identifier", "-g", "--grep", "-D", "--directory")),
    "dmesg": Utility(S, "", rules=(Rule(C, "clears the kernel log", flags=("-c", "-C", "--clear", "--read-clear")),)),
    "crontab": Utility(C, "replaces your crontab", rules=(
        Rule(D, "deletes all your cron jobs", flags=("-r",)),
        Rule(S, "", flags=("-l",)),
        Rule(C, "edits your crontab", flags=("-e",)),
    ), value_opts=("-u",)),
    "at": Utility(C, "schedules a job", rules=(Rule(S, "", flags=("-l",)),)),
    "atrm": Utility(C, "removes scheduled jobs"),
    "history": Utility(S, "", rules=(Rule(C, "clears or changes the shell history", flags=("-c", "-d", "-w", "-r")),)),
    "date": Utility(S, "", rules=(Rule(C, "sets the system clock", flags=("-s", "--set")),), value_opts=("-d", "--date", "-r", "--reference", "-I")),
    "hostname": Utility(S, "", rules=(Rule(C, "changes the host name", args=("*",)),), value_opts=("-F",)),
    "hostnamectl": Utility(C, "changes the host name", rules=(Rule(S, "", sub=("status",)), Rule(S, "", max_operands=0))),
    "timedatectl": Utility(C, "changes time settings", rules=(Rule(S, "", sub=("status", "show", "list-timezones", "timesync-status")), Rule(S, "", max_operands=0))),
    "localectl": Utility(C, "changes locale settings", rules=(Rule(S, "", sub=("status", "list-locales", "list-keymaps")), Rule(S, "", max_operands=0))),
    "loginctl": Utility(C, "changes login sessions", rules=(Rule(S, "", sub=("list-sessions", "list-users", "list-seats", "show-session", "show-user", "session-status", "user-status")), Rule(S, "", max_operands=0))),
    "sysctl": Utility(S, "", rules=(Rule(C, "changes kernel settings", flags=("-w", "--write", "-p", "--load", "--system")), Rule(C, "changes kernel settings", args=("*=*",)))),
    "modprobe": Utility(C, "loads or unloads kernel modules"),
    "insmod": Utility(C, "loads a kernel module"),
    "rmmod": Utility(C, "unloads a kernel module"),
    "stty": Utility(S, "", rules=(Rule(C, "changes terminal settings", args=("*",)),), value_opts=("-F", "--file")),
    "umask": Utility(S, "", rules=(Rule(C, "changes the file creation mask", args=("*",)),)),
    # network configuration
    "ip": Utility(S, "", rules=(
        Rule(C, "changes network configuration", args=("add", "del", "delete", "set", "flush", "change", "replace", "append")),
    )),
    "ifconfig": Utility(S, "", rules=(Rule(C, "changes network configuration", args=("up", "down", "netmask", "*.*.*.*", "mtu", "add", "del")),)),
    "route": Utility(S, "", rules=(Rule(C, "changes the routing table", args=("add", "del")),)),
    "ifup": Utility(C, "brings a network interface up"),
    "ifdown": Utility(C, "takes a network interface down"),
    "nmcli": Utility(C, "changes network settings", rules=(Rule(S, "", args=("show", "status", "list")), Rule(S, "", max_operands=0))),
    "iptables": Utility(C, "changes firewall rules", rules=(Rule(S, "", flags=("-L", "--list", "-S", "--list-rules")),)),
    "ip6tables": Utility(C, "changes firewall rules", rules=(Rule(S, "", flags=("-L", "--list", "-S", "--list-rules")),)),
    "nft": Utility(C, "changes firewall rules", rules=(Rule(S, "", sub=("list",)),)),
    "ufw": Utility(C, "changes firewall rules", rules=(Rule(S, "", sub=("status", "show", "app")),)),
    "firewall-cmd": Utility(C, "changes firewall rules", rules=(Rule(S, "", words=("--list*", "--get*", "--state", "--query*")),)),
    "resolvectl": Utility(S, "", rules=(Rule(C, "changes DNS settings", sub=("dns", "domain", "flush-caches", "revert", "llmnr", "dnssec")),)),
    # users
    "passwd": Utility(C, "changes a password", rules=(Rule(S, "", flags=("-S", "--status")),)),
    "chpasswd": Utility(C, "changes passwords"),
    "useradd": Utility(C, "creates a user"),
    "adduser": Utility(C, "creates a user"),
    "usermod": Utility(C, "changes a user account"),
    "groupadd": Utility(C, "creates a group"),
    "groupdel": Utility(C, "deletes a group"),
    "gpasswd": Utility(C, "changes group membership"),
    "userdel": Utility(C, "deletes a user", rules=(Rule(D, "deletes a user's home directory", flags=("-r", "--remove")),)),
    "deluser": Utility(C, "deletes a user", rules=(Rule(D, "deletes a user's home directory", words=("--remove-home", "--remove-all-files")),)),
    "visudo": Utility(C, "edits sudo permissions", rules=(Rule(S, "", flags=("-c", "--check")),)),
    # version control
    "git": Utility(C, "changes the repository", value_opts=GLOBAL_OPTIONS_WITH_VALUES["git"], rules=(
        Rule(S, "", flags=("--version", "--help")),
        Rule(S, "", sub=("clean",), flags=("-n", "--dry-run")),
        Rule(D, "deletes untracked files", sub=("clean",)),
        Rule(D, "discards uncommitted changes", sub=("reset",), flags=("--hard", "--merge", "--keep")),
        Rule(D, "overwrites remote history", sub=("push",), flags=("-f", "--force", "--force-with-lease", "--mirror")),
        Rule(D, "discards all uncommitted changes", sub=("checkout", "restore"), args=(".", "./", "[*]", ":/")),
        Rule(D, "deletes all stashes", sub=("stash",), args=("clear",)),
        Rule(D, "rewrites repository history", sub=("filter-branch", "filter-repo")),
        Rule(C, "changes git settings", sub=("config",)),
        Rule(C, "stops tracking files", sub=("rm",), flags=("--cached",)),
        Rule(C, "removes files from the repository and the working tree", sub=("rm",)),
        Rule(S, "", sub=("status", "log", "diff", "show", "blame", "grep", "ls-files", "ls-tree", "ls-remote",
                         "rev-parse", "rev-list", "describe", "shortlog", "whatchanged", "cat-file", "help",
                         "version", "reflog", "annotate", "cherry", "count-objects", "fsck", "show-ref",
                         "show-branch", "for-each-ref", "name-rev", "merge-base", "var", "check-ignore",
                         "range-diff", "difftool", "instaweb", "grep", "bisect", "format-patch")),
        Rule(S, "", sub=("branch", "tag", "remote", "config", "worktree", "submodule"), max_operands=1,
             flags=("-l", "--list", "-a", "--all", "-r", "--remotes", "-v", "-vv", "--verbose", "--show-current",
                    "--merged", "--no-merged", "--contains", "-n", "--get", "--get-all", "--get-regexp")),
        Rule(S, "", sub=("branch", "tag", "remote", "worktree", "submodule", "stash"), args=("list", "show", "status"),
             max_operands=3),
        Rule(S, "", sub=("branch", "tag", "remote"), max_operands=1),
        Rule(S, "", max_operands=0),
        Rule(C, "changes the repository and the working tree"),
    )),
    # packages
    **{name: Utility(C, "installs or removes software", rules=(_PKG,)) for name in (
        "apt", "apt-get", "aptitude", "dnf", "yum", "zypper", "apk", "brew", "port", "snap", "flatpak",
        "pip", "pip3", "pipx", "npm", "pnpm", "yarn", "gem", "cargo", "go", "conda", "mamba", "uv", "poetry",
        "composer", "nix-env", "guix", "emerge", "xbps-install", "pkg")},
    "apt-cache": Utility(S, ""),
    "dpkg-query": Utility(S, ""),
    "rpm": Utility(S, "", rules=(Rule(C, "installs or removes software", flags=("-i", "-U", "-F", "-e", "--install", "--upgrade", "--erase")),)),
    "dpkg": Utility(C, "installs or removes software", rules=(
        Rule(S, "", flags=("-l", "-L", "-s", "-S", "-p", "-c", "-I", "--list", "--listfiles", "--status", "--search",
                           "--print-architecture", "--get-selections", "--contents", "--info")),
    )),
    "pacman": Utility(C, "installs or removes software", rules=(
        Rule(S, "", flags=("-Q", "--query", "-V", "--version")),
        Rule(S, "", words=("-Ss", "-Si", "-Sl", "-Sg", "-F*")),
    )),
    "yay": Utility(C, "installs or removes software", rules=(Rule(S, "", flags=("-Q",)), Rule(S, "", words=("-Ss", "-Si")))),
    # containers and infrastructure
    "docker": Utility(C, "changes containers or images", value_opts=GLOBAL_OPTIONS_WITH_VALUES["docker"], rules=(
        Rule(D, "deletes Docker data", sub=("system", "volume", "image", "container", "network", "builder", "buildx"),
             args=("prune",)),
        Rule(D, "deletes Docker volumes", sub=("volume",), args=("rm",)),
        Rule(S, "", sub=("ps", "images", "inspect", "logs", "version", "info", "stats", "top", "port", "history",
                         "search", "diff", "events")),
        Rule(S, "", sub=("container", "image", "volume", "network", "context", "compose"), args=("ls", "list", "inspect", "ps", "logs")),
    )),
    "podman": Utility(C, "changes containers or images", rules=(
        Rule(D, "deletes container data", sub=("system", "volume", "image", "container", "network"), args=("prune", "reset")),
        Rule(S, "", sub=("ps", "images", "inspect", "logs", "version", "info", "stats", "top", "port", "history", "search")),
    )),
    "kubectl": Utility(C, "changes cluster resources", value_opts=GLOBAL_OPTIONS_WITH_VALUES["kubectl"], rules=(
        Rule(D, "deletes cluster resources", sub=("delete", "drain")),
        Rule(S, "", sub=("get", "describe", "logs", "explain", "version", "top", "api-resources", "api-versions",
                         "cluster-info", "auth", "diff", "events")),
        Rule(S, "", sub=("config",), args=("view", "get-contexts", "current-context")),
    )),
    "helm": Utility(C, "changes cluster releases", rules=(
        Rule(D, "deletes a release", sub=("uninstall", "delete")),
        Rule(S, "", sub=("list", "ls", "status", "get", "history", "search", "show", "template", "version", "lint")),
    )),
    "terraform": Utility(C, "changes infrastructure", rules=(
        Rule(D, "destroys infrastructure", sub=("destroy",)),
        Rule(D, "destroys infrastructure", flags=("-destroy",)),
        Rule(S, "", sub=("plan", "show", "validate", "version", "output", "graph", "providers", "state")),
    )),
    # building and running code
    **_same(C, "builds software", "make cmake ninja meson gcc g++ cc c++ clang clang++ rustc javac mvn gradle"),
    **_same(C, "opens an editor", "vi vim nvim nano emacs ed pico micro joe mcedit gedit kate code subl", targets="none"),
    **_same(C, "opens files with another program", "open xdg-open gio", targets="none"),
    "ssh-keygen": Utility(C, "creates or changes keys", rules=(Rule(S, "", flags=("-l", "-F", "-y")),)),
    "gpg": Utility(C, "changes your keyring or writes files", rules=(Rule(S, "", flags=("--list-keys", "-k", "--list-secret-keys", "-K", "--verify", "--fingerprint")),)),
    "openssl": Utility(C, "may write keys or certificates", rules=(Rule(S, "", sub=("version", "x509", "s_client", "ciphers", "list")),)),
    "nc": Utility(C, "opens a network connection"),
    "ncat": Utility(C, "opens a network connection"),
    "netcat": Utility(C, "opens a network connection"),
    "socat": Utility(C, "opens a network connection"),
    "telnet": Utility(C, "opens a network connection"),
    "ftp": Utility(C, "transfers files over the network"),
    "mosh": Utility(C, "opens a remote shell"),
    "screen": Utility(C, "starts a terminal session", rules=(Rule(S, "", flags=("-ls", "-list")),), single_dash_long=True),
    "tmux": Utility(C, "starts or changes terminal sessions", rules=(Rule(S, "", sub=("ls", "list-sessions", "list-windows", "list-panes", "info")),)),
    "xclip": Utility(C, "changes the clipboard", rules=(Rule(S, "", flags=("-o",)),)),
    "xsel": Utility(C, "changes the clipboard", rules=(Rule(S, "", flags=("-o",)),)),
    "pbcopy": Utility(C, "changes the clipboard"),
    "pbpaste": Utility(S, ""),
    "wl-copy": Utility(C, "changes the clipboard"),
    "wl-paste": Utility(S, ""),
    "notify-send": Utility(S, ""),
    "say": Utility(S, ""),
    "espeak": Utility(S, ""),
    "xrandr": Utility(C, "changes display settings", rules=(Rule(S, "", max_operands=0),)),
    "gsettings": Utility(C, "changes desktop settings", rules=(Rule(S, "", sub=("get", "list-keys", "list-schemas", "list-recursively", "range", "describe")),)),
    "defaults": Utility(C, "changes settings", rules=(Rule(S, "", sub=("read", "domains", "find")),)),
    "readonly": Utility(S, ""),
    "suspend": Utility(S, ""),
    "fc": Utility(C, "edits and reruns earlier commands", rules=(Rule(S, "", flags=("-l",)),)),
    "source": Utility(C, "runs a script in the current shell"),
    ".": Utility(C, "runs a script in the current shell"),
}

UNKNOWN = Utility(C, "")  # reason filled in with the name: "unrecognised command: foo"

# --- wrappers, interpreters, network fetchers ------------------------------------------------------

WRAPPERS: dict[str, Wrapper] = {
    "sudo": Wrapper(value_opts=("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group",
                                "--close-from", "--chdir", "--host", "--prompt", "--role", "--type", "--other-user",
                                "--command-timeout", "--chroot"),
                    lookup_flags=("-l", "--list", "-v", "--validate", "-V", "--version"),
                    bare=(C, "opens a root shell")),
    "doas": Wrapper(value_opts=("-u", "-C"), bare=(C, "opens a root shell")),
    "run0": Wrapper(value_opts=("-u", "--user", "-g", "--group", "-D", "--chdir"), bare=(C, "opens a root shell")),
    "pkexec": Wrapper(value_opts=("--user",), bare=(C, "opens a root shell")),
    "su": Wrapper(value_opts=("-s", "--shell", "-g", "--group", "-G", "--supp-group", "-w", "--whitelist-environment"),
                  script_opts=("-c", "--command", "--session-command"), bare=(C, "opens a shell as another user")),
    "env": Wrapper(value_opts=("-u", "--unset", "-C", "--chdir"), script_opts=("-S", "--split-string"),
                   skip_assignments=True),
    "nice": Wrapper(value_opts=("-n", "--adjustment")),
    "nohup": Wrapper(),
    "setsid": Wrapper(),
    "time": Wrapper(value_opts=("-f", "--format", "-o", "--output")),
    "timeout": Wrapper(value_opts=("-s", "--signal", "-k", "--kill-after"), positionals=1),
    "watch": Wrapper(value_opts=("-n", "--interval", "-q", "--equexit"), script=True),
    "xargs": Wrapper(value_opts=("-I", "-n", "-P", "-d", "-a", "-E", "-L", "-s", "--max-args", "--max-procs",
                                 "--delimiter", "--arg-file", "--eof", "--max-lines", "--max-chars",
                                 "--process-slot-var"), bulk=True),
    "parallel": Wrapper(value_opts=("-j", "--jobs", "-S", "--sshlogin", "--joblog", "-a", "--arg-file",
                                    "--delay", "--timeout", "--results", "-I"), bulk=True),
    "stdbuf": Wrapper(value_opts=("-i", "-o", "-e", "--input", "--output", "--error")),
    "ionice": Wrapper(value_opts=("-c", "-n", "-p", "-P", "-u", "--class", "--classdata", "--pid", "--pgid", "--uid")),
    "taskset": Wrapper(positionals=1),
    "chrt": Wrapper(positionals=1),
    "chroot": Wrapper(positionals=1, value_opts=("--userspec", "--groups"), bare=(C, "opens a shell in another root"),
                      own=(C, "runs a command in another root directory")),
    "flock": Wrapper(positionals=1, value_opts=("-w", "--timeout", "-E", "--conflict-exit-code"),
                     script_opts=("-c", "--command")),
    "command": Wrapper(lookup_flags=("-v", "-V")),
    "builtin": Wrapper(),
    "exec": Wrapper(value_opts=("-a",)),
    "nocorrect": Wrapper(),
    "noglob": Wrapper(),
    "unbuffer": Wrapper(),
    "fakeroot": Wrapper(),
    "torsocks": Wrapper(),
    "proxychains": Wrapper(value_opts=("-f",)),
    "proxychains4": Wrapper(value_opts=("-f",)),
    "chronic": Wrapper(),
    "caffeinate": Wrapper(value_opts=("-t", "-w")),
    "systemd-run": Wrapper(value_opts=("-u", "--unit", "-p", "--property", "--slice", "-E", "--setenv", "-M",
                                       "--machine", "--uid", "--gid", "--working-directory"),
                           own=(C, "starts a system service")),
    "strace": Wrapper(value_opts=("-e", "-o", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-P", "-S", "-X")),
    "ltrace": Wrapper(value_opts=("-e", "-o", "-p", "-s", "-u", "-a", "-n")),
    "eval": Wrapper(script=True),
    "trap": Wrapper(script=True, script_first=True, lookup_flags=("-l", "-p", "-P")),
    "ssh": Wrapper(value_opts=("-p", "-i", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-b", "-c", "-e", "-m", "-S",
                               "-W", "-E", "-B", "-I", "-O", "-Q", "-w"),
                   positionals=1, script=True, remote=True, bare=(C, "opens a remote shell")),
}

# The shells whose -c script is shell code the parser reads as bash's (the deletion preview looks
# into those alone: fish or csh code parsed as bash's would be guessed, not read), then the rest.
SH_SHELLS = ("sh", "bash", "dash", "zsh", "ksh")
SHELLS = (*SH_SHELLS, "mksh", "ash", "fish", "busybox", "csh", "tcsh", "yash", "rbash")

INTERPRETERS: dict[str, Interpreter] = {
    **{name: Interpreter(code_opts=("-c",), stdin_opts=("-s",), shell=True, reason="runs a shell script")
       for name in SHELLS},
    "python": Interpreter(code_opts=("-c", "-m"), module_opts=("-m",), reason="runs Python code", language="python",
                          value_opts=("-W", "-X")),
    "pypy": Interpreter(code_opts=("-c", "-m"), module_opts=("-m",), reason="runs Python code", language="python",
                        value_opts=("-W", "-X")),
    "perl": Interpreter(code_opts=("-e", "-E"), reason="runs Perl code", language="perl",
                        value_opts=("-M", "-m", "-I"), attached_opts=("-i", "-F", "-x", "-d", "-D")),
    "ruby": Interpreter(code_opts=("-e",), reason="runs Ruby code", language="ruby",
                        value_opts=("-r", "-I", "-C", "-E"), attached_opts=("-i", "-F", "-x")),
    "node": Interpreter(code_opts=("-e", "-p", "--eval", "--print"), reason="runs JavaScript code", language="node",
                        value_opts=("-r", "--require", "--import", "--input-type")),
    "php": Interpreter(code_opts=("-r",), reason="runs PHP code", language="php", value_opts=("-d", "-c")),
    "lua": Interpreter(code_opts=("-e",), reason="runs Lua code", language="lua"),
    "Rscript": Interpreter(code_opts=("-e",), reason="runs R code"),
    "osascript": Interpreter(code_opts=("-e",), reason="runs AppleScript"),
    "source": Interpreter(code_opts=(), reason="runs a script in the current shell"),
    ".": Interpreter(code_opts=(), reason="runs a script in the current shell"),
}

# Python/Perl one-liners with these flags only filter text: `curl ... | python3 -m json.tool` is fine.
SAFE_INTERPRETER_USES: dict[str, tuple[tuple[str, ...], ...]] = {
    "python": (("-m", "json.tool"), ("--version",), ("-V",)),
    "perl": (("--version",), ("-v",)),
    "node": (("--version",), ("-v",)),
    "ruby": (("--version",), ("-v",)),
}

# --- what code run inline (python -c, perl -e, ...) does, as the shell command that does the same -----

@dataclass(frozen=True)
class CodeCall:
    """A call in an interpreter's inline code, rated as the shell command `shell` would be.

    `call` is a regex on the code with its string literals masked (so `print("rm -rf /")` holds no
    call) that ends at the called name; `STR` in it stands for one string literal, and a group
    `path` names a receiver's path (`Path("/etc/x").unlink`). `shell` gets the paths the call is
    given, quoted, in place of `{}` (FILE where none is written out); an empty `shell` means the
    call runs its arguments as a command (`os.system("rm -rf /tmp/x")`, `system("rm", "-rf", $d)`).
    Each call is rated by the first rule of its language that matches it.
    """

    call: str
    shell: str = ""
    paths: Literal["all", "first", "last"] = "all"  # which string arguments are the paths
    when: str = ""  # the arguments, literals double-quoted, must match this (open's mode)


_RM_R, _RM, _RMDIR = "rm -r {}", "rm {}", "rmdir {}"
_WRITE, _APPEND = ": > {}", ": >> {}"
_CHMOD, _CHMOD_R, _CHOWN, _CHOWN_R = "chmod 600 {}", "chmod -R 600 {}", "chown root {}", "chown -R root {}"
# a bare name in Perl, Ruby and PHP code: not a method (`->unlink`, `.exec`) nor a variable (`$unlink`)
_BARE = r"(?<![\w$@%>:.])"
# a function of Node's fs module: fs.rmSync, fs.promises.rm, require("fs").rmSync, or destructured
_FS = r"(?:\bfs(?:\.promises)?\.|\bpromises\.|\)\s*\.\s*|(?<![\w$.]))"
_MODE_WRITE, _MODE_APPEND = r',\s*(?:mode\s*=\s*)?"[rbt]*[wx+][rbt+]*"', r',\s*(?:mode\s*=\s*)?"[rbt+]*a[rbt+]*"'

INLINE_CALLS: dict[str, tuple[CodeCall, ...]] = {
    "python": (
        CodeCall(r"(?:\bshutil\.|(?<![\w.]))rmtree", _RM_R),
        CodeCall(r"\bos\.(?:remove|unlink)", _RM),
        CodeCall(r"\bPath\s*\(\s*(?P<path>STR)?[^()]*\)\s*\.\s*unlink", _RM),
        CodeCall(r"(?<!\bos)\.unlink", _RM),  # some_path.unlink()
        CodeCall(r"\bos\.(?:rmdir|removedirs)", _RMDIR),
        CodeCall(r"(?<!\bos)\.rmdir", _RMDIR),
        CodeCall(r"(?:\bio\.|(?<![\w.]))open", _WRITE, paths="first", when=_MODE_WRITE),
        CodeCall(r"(?:\bio\.|(?<![\w.]))open", _APPEND, paths="first", when=_MODE_APPEND),
        CodeCall(r"\bPath\s*\(\s*(?P<path>STR)?[^()]*\)\s*\.\s*write_(?:text|bytes)", _WRITE),
        CodeCall(r"\bos\.l?chmod|\.chmod", _CHMOD, paths="first"),
        CodeCall(r"\b(?:os|shutil)\.l?chown", _CHOWN, paths="first"),
        CodeCall(r"(?<![\w.])(?:os\.)?(?:system|popen)|\bos\.(?:exec|spawn|posix_spawn)\w*|\bpty\.spawn"
                 r"|\bsubprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)"),
    ),
    "perl": (
        CodeCall(r"(?:\bFile::Path::|" + _BARE + r")(?:rmtree|remove_tree)", _RM_R),
        CodeCall(_BARE + r"unlink", _RM),
        CodeCall(_BARE + r"rmdir", _RMDIR),
        CodeCall(_BARE + r"open", _APPEND, paths="last", when=r'"\s*>>'),
        CodeCall(_BARE + r"open", _WRITE, paths="last", when=r'"\s*(?:\+?>(?!>)|\+<)'),
        CodeCall(_BARE + r"chmod", _CHMOD),
        CodeCall(_BARE + r"chown", _CHOWN),
        CodeCall(_BARE + r"(?:system|exec)"),
    ),
    "ruby": (
        CodeCall(r"\bFileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry|remove_entry_secure|rmtree)\b", _RM_R),
        CodeCall(r"\bPathname\.new\s*\(\s*(?P<path>STR)?[^()]*\)\s*\.\s*rmtree", _RM_R),
        CodeCall(r"\bFileUtils\.(?:rm|rm_f|remove|remove_file|safe_unlink)\b|\b(?:File|Pathname)\.(?:delete|unlink)\b", _RM),
        CodeCall(r"\b(?:Dir|FileUtils)\.(?:rmdir|delete|unlink)\b", _RMDIR),
        CodeCall(r"\b(?:File|IO)\.(?:write|binwrite)\b", _WRITE, paths="first"),
        CodeCall(r"\bFile\.open\b", _WRITE, paths="first", when=r',\s*"[^"]*[wa+]'),
        CodeCall(r"\b(?:File|FileUtils)\.chmod\b", _CHMOD),
        CodeCall(r"\bFileUtils\.chmod_R\b", _CHMOD_R),
        CodeCall(r"\b(?:File|FileUtils)\.chown\b", _CHOWN),
        CodeCall(r"\bFileUtils\.chown_R\b", _CHOWN_R),
        CodeCall(r"(?:\bKernel\.|" + _BARE + r")(?:system|exec|spawn)\b|\bIO\.popen\b|\bOpen3\.\w+"),
    ),
    "node": (
        CodeCall(_FS + r"(?:rm|rmSync|rmdir|rmdirSync)\b", _RM_R, when=r"recursive\s*:\s*true"),
        CodeCall(_FS + r"(?:rm|rmSync|unlink|unlinkSync)\b", _RM),
        CodeCall(_FS + r"(?:rmdir|rmdirSync)\b", _RMDIR),
        CodeCall(_FS + r"(?:writeFile|writeFileSync|createWriteStream)\b", _WRITE, paths="first"),
        CodeCall(_FS + r"(?:appendFile|appendFileSync)\b", _APPEND, paths="first"),
        CodeCall(_FS + r"(?:chmod|chmodSync|lchmod|lchmodSync)\b", _CHMOD, paths="first"),
        CodeCall(_FS + r"(?:chown|chownSync|lchown|lchownSync)\b", _CHOWN, paths="first"),
        # `exec` alone is also RegExp's method (/x/.exec(s)): only bare or from child_process
        CodeCall(r"\b(?:execSync|execFile|execFileSync|spawn|spawnSync)\b"
                 r"|(?:\bchild_process\.|\)\s*\.\s*|(?<![\w$.]))exec\b"),
    ),
    "php": (
        CodeCall(_BARE + r"unlink\b", _RM),
        CodeCall(_BARE + r"rmdir\b", _RMDIR),
        CodeCall(_BARE + r"file_put_contents\b", _WRITE, paths="first"),
        CodeCall(_BARE + r"fopen\b", _WRITE, paths="first", when=r',\s*"[^"]*[wxc+]'),
        CodeCall(_BARE + r"fopen\b", _APPEND, paths="first", when=r',\s*"a'),
        CodeCall(_BARE + r"chmod\b", _CHMOD, paths="first"),
        CodeCall(_BARE + r"ch(?:own|grp)\b", _CHOWN, paths="first"),
        CodeCall(_BARE + r"(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\b"),
    ),
    "lua": (
        CodeCall(r"\bos\.remove\b", _RM),
        CodeCall(r"\bio\.open\b", _WRITE, paths="first", when=r',\s*"[^"]*[wa+]'),
        CodeCall(r"\bos\.execute\b|\bio\.popen\b"),
    ),
}

# Code that fetches from the network (`fetch`, on the code as written) and runs text as code (`run`,
# on the code with its literals masked, STR standing for one): together they are `curl ... | sh`.
FETCH_AND_RUN: dict[str, tuple[str, str]] = {
    "python": (r"\burllib\b|\burlopen\b|\brequests\.(?:get|post|request)\b|\bhttpx\b|\bhttp\.client\b",
               r"(?<![\w.])(?:exec|eval)\s*\("),
    "perl": (r"\bLWP\b|\bHTTP::Tiny\b|\bget(?:store)?\s*\(\s*[\"']https?:", r"\beval\b(?!\s*\{)"),  # eval {} catches
    "ruby": (r"\bopen-uri\b|\bURI\.open\b|\bNet::HTTP\b|\bopen\s*\(\s*[\"']https?:", r"(?:\bKernel\.|" + _BARE + r")(?:eval|instance_eval)\b"),
    "node": (r"\bfetch\s*\(|\bhttps?\.get\b|\baxios\b|[\"'](?:https?|node-fetch|request)[\"']",
             r"(?<![\w$.])eval\b|\bnew\s+Function\b|\bvm\.run\w*"),
    "php": (r"\bfile_get_contents\s*\(\s*[\"']https?:|\bcurl_exec\b|\bfopen\s*\(\s*[\"']https?:", _BARE + r"eval\s*\("),
    "lua": (r"\bsocket\.http\b|\bhttp\.request\b", r"\bload(?:string)?\s*\("),
}

FETCHERS = frozenset("curl wget fetch http https xh aria2c nc ncat netcat socat lynx links elinks w3m".split())

# --- paths that make a state-changing command dangerous --------------------------------------------

# (regex on the operand as the shell would see it, reason). Checked only for commands already rated
# caution or worse, so `ls /etc` and `cat /boot/config` stay safe.
CRITICAL_PATHS: tuple[tuple[str, str], ...] = (
    (r"^/+\.?\*?$", "touches the root directory"),
    (r"^(~|\$HOME|\$\{HOME\})/*\*?$", "touches your whole home directory"),
    (r"^/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|loop|md|dm-|mapper/|sr|nbd|zram)", "touches a disk device"),
    (r"^/(boot|efi)(/|$)", "touches boot files"),
    (r"^/etc(/|$)", "touches system configuration in /etc"),
    (r"^/(bin|sbin|usr|lib|lib32|lib64|libx32|opt|var|srv|root|home|snap)/*\*?$", "touches a system directory"),
    (r"^/(bin|sbin|lib|lib32|lib64|libx32)/", "touches system programs"),
    (r"^/usr/(bin|sbin|lib|lib32|lib64|libexec|share|include)(/|$)", "touches system programs"),
    (r"^/(sys|proc)/", "changes kernel state"),
    (r"^/var/lib/(dpkg|apt|rpm|pacman|systemd)(/|$)", "touches the package database"),
)

DISK_DEVICE = re.compile(r"^/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|loop|md|dm-|mapper/|sr|nbd)")

# Redirect targets that read or write nothing that matters.
HARMLESS_TARGETS = re.compile(r"^/dev/(null|zero|stdout|stderr|stdin|tty\d*|full|random|urandom|fd/\d+|pts/\d+)$")
