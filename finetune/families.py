"""Utility families: what the data card and the benchmark count records by (find, text, archive...)."""

from __future__ import annotations

_FAMILIES = {
    "find": "find locate xargs fd",
    "text": "grep egrep fgrep sed awk cut tr head tail cat tac rev paste nl fold column join wc less more tee "
            "printf echo fmt expand unexpand iconv strings od xxd hexdump jq yq",
    "sort": "sort uniq shuf comm",
    "compare": "diff cmp patch",
    "archive": "tar gzip gunzip zip unzip bzip2 bunzip2 xz unxz zcat zgrep 7z zstd lz4",
    "disk": "du df stat file lsblk mount umount sync ncdu",
    "files": "ls cp mv rm mkdir rmdir touch ln cd pwd basename dirname readlink realpath tree split mktemp rename dd "
             "truncate install",
    "perms": "chmod chown chgrp umask setfacl getfacl",
    "checksum": "md5sum sha1sum sha256sum sha512sum cksum base64",
    "date": "date cal sleep time timeout watch",
    "git": "git",
    "process": "ps kill pkill killall top htop pgrep pidof nohup jobs bg fg lsof nice renice fuser pstree",
    "network": "ping curl wget ssh scp sftp rsync netstat ss ip ifconfig dig nslookup host nc traceroute",
    "package": "apt apt-get dpkg yum dnf pacman pip pip3 npm brew snap",
    "system": "uname hostname uptime whoami id who w env export free history alias which whereis type man sudo su "
              "systemctl journalctl crontab shutdown reboot dmesg lscpu nproc",
}
FAMILY = {u: family for family, names in _FAMILIES.items() for u in names.split()}


def utility_family(utility: str) -> str:
    """The family of a utility; "other" for the rest (python, make, docker, ...)."""
    return FAMILY.get(utility, "other")
