"""The shell validator: risk per SPEC section 2, validity, executable resolution, and that it never raises."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import needs_man
from nlsh.schema import Risk, Verdict
from nlsh.validator import check_command, is_command, parse_command
from nlsh.validator.parse import ParseError

SAFE, CAUTION, DANGEROUS = Risk.safe, Risk.caution, Risk.dangerous

# (command, risk, a reason substring or None). All of these are valid command lines.
CASES: list[tuple[str, Risk, str | None]] = [
    # --- read-only, including look-alikes of destructive commands
    ("ls -la", SAFE, None),
    ("ls -r", SAFE, None),
    ("ls -lR /", SAFE, None),
    ('echo "rm -rf /"', SAFE, None),
    ("echo 'rm -rf /' > /dev/null", SAFE, None),
    ("printf '%s\\n' 'rm -rf ~'", SAFE, None),
    ("grep -r rm .", SAFE, None),
    ('grep -rn "shutdown" /etc', SAFE, None),
    ("man rm", SAFE, None),
    ("which rm", SAFE, None),
    ("type rm", SAFE, None),
    ("whatis shred", SAFE, None),
    ("apropos delete", SAFE, None),
    ("command -v rm", SAFE, None),
    ("help cd", SAFE, None),
    ("mkdir --help", SAFE, None),
    ("rm --version", SAFE, None),
    ("cat /etc/passwd", SAFE, None),
    ("cat /boot/config-6.1.0", SAFE, None),
    ("ls -l /dev/sda*", SAFE, None),
    ("lsblk /dev/sda", SAFE, None),
    ("fdisk -l", SAFE, None),
    ("sudo fdisk -l /dev/sda", SAFE, None),
    ("parted -l", SAFE, None),
    ("find ~ -type f -size +100M", SAFE, None),
    ("find . -name '*.rm'", SAFE, None),
    ("find / -name passwd 2>/dev/null", SAFE, None),
    ("find . -name '*.py' -exec grep -l TODO {} +", SAFE, None),
    ("du -sh * | sort -h", SAFE, None),
    ("df -h", SAFE, None),
    ("ps aux | grep python", SAFE, None),
    ("history | grep rm", SAFE, None),
    ("git status", SAFE, None),
    ("git log --oneline -n 5", SAFE, None),
    ("git diff HEAD~1", SAFE, None),
    ("git branch -a", SAFE, None),
    ("git stash list", SAFE, None),
    ("git clean -n", SAFE, None),
    ("git clean --dry-run -d", SAFE, None),
    ("git -C repo status", SAFE, None),
    ("systemctl status nginx", SAFE, None),
    ("systemctl list-units --type=service", SAFE, None),
    ("journalctl -u ssh -n 50", SAFE, None),
    ("dmesg | tail", SAFE, None),
    ("curl -s https://example.com | grep title", SAFE, None),
    ("curl -s https://api.example.com/x | jq .", SAFE, None),
    ("curl -s https://x | python3 -m json.tool", SAFE, None),
    ("wget -qO- https://example.com | head", SAFE, None),
    ("sed 's/a/b/' file.txt", SAFE, None),
    ("awk '{print $1}' file.txt", SAFE, None),
    ("sort -r file.txt | uniq -c", SAFE, None),
    ("tar -tzf archive.tar.gz", SAFE, None),
    ("tar tf archive.tar", SAFE, None),
    ("unzip -l archive.zip", SAFE, None),
    ("echo hi >/dev/null 2>&1", SAFE, None),
    ("cat <<< hi", SAFE, None),
    ("wc -l < input.txt", SAFE, None),
    ("time ls -l", SAFE, None),
    ("[[ -f x.txt ]] && echo yes", SAFE, None),
    ("echo $((1 + 2))", SAFE, None),
    ("x=1", SAFE, None),
    ("cd /tmp && ls", SAFE, None),
    ("pip list", SAFE, None),
    ("apt list --installed", SAFE, None),
    ("dpkg -l | grep ssh", SAFE, None),
    ("docker ps -a", SAFE, None),
    ("kubectl get pods -n kube-system", SAFE, None),
    ("sudo -l", SAFE, None),
    ("sudo ls /root", SAFE, None),
    ("ip addr", SAFE, None),
    ("mount", SAFE, None),
    ("ss -tulpn", SAFE, None),
    ("uname -a && nproc && free -h", SAFE, None),
    ("watch -n 1 df -h", SAFE, None),
    ("env | grep PATH", SAFE, None),
    ("nohup ls", SAFE, None),
    ("kill -l", SAFE, None),
    ("crontab -l", SAFE, None),
    ("diff <(ls a) <(ls b)", SAFE, None),
    ("echo $(date)", SAFE, None),
    ("for f in *.txt; do wc -l \"$f\"; done", SAFE, None),
    ("while [[ -f lock ]]; do sleep 1; done", SAFE, None),
    ("[[ $x =~ ^(a|b)$ ]] && echo y", SAFE, None),
    ("sudo -iu bob ls", SAFE, None),
    ("ssh host uptime", SAFE, None),
    # --- writes or changes state
    ("touch a.txt", CAUTION, "creates files"),
    ("mkdir -p a/b", CAUTION, "creates directories"),
    ("cp a.txt b.txt", CAUTION, "copies"),
    ("cp /etc/hosts ./hosts.bak", CAUTION, "copies"),
    ("mv a.txt b.txt", CAUTION, "moves"),
    ("rm file.txt", CAUTION, "deletes files"),
    ("rm -f file.txt", CAUTION, "deletes files"),
    ("rmdir empty", CAUTION, "empty directories"),
    ("echo hi > out.txt", CAUTION, "overwrites out.txt"),
    ("echo hi >> log.txt", CAUTION, "appends to log.txt"),
    ("ls > /tmp/list.txt", CAUTION, "overwrites"),
    ("cat a >| b", CAUTION, "overwrites b"),
    ("ls &> out.log", CAUTION, "overwrites out.log"),
    ("{ ls; pwd; } > out.txt", CAUTION, "overwrites out.txt"),
    ("sed -i 's/a/b/' f.txt", CAUTION, "in place"),
    ("sed -i.bak 's/a/b/' f.txt", CAUTION, "in place"),
    ("git commit -m 'fix'", CAUTION, None),
    ("git add .", CAUTION, None),
    ("git push origin main", CAUTION, None),
    ("git rm --cached secrets.txt", CAUTION, "stops tracking"),
    ("git checkout -- file.txt", CAUTION, None),
    ("git stash", CAUTION, None),
    ("pip install requests", CAUTION, "installs"),
    ("sudo apt install vim", CAUTION, "installs"),
    ("npm install", CAUTION, "installs"),
    ("kill 1234", CAUTION, "signal"),
    ("kill -9 1234", CAUTION, "signal"),
    ("pkill firefox", CAUTION, "kills processes"),
    ("chmod +x script.sh", CAUTION, "permissions"),
    ("chown bob file.txt", CAUTION, "ownership"),
    ("ln -s target link", CAUTION, "links"),
    ("echo x | tee out.txt", CAUTION, "overwrites"),
    ("echo x | tee -a out.txt", CAUTION, "appends"),
    ("tar -czf backup.tar.gz dir", CAUTION, "archives"),
    ("unzip archive.zip", CAUTION, "extracts"),
    ("wget https://example.com/file.zip", CAUTION, "downloads"),
    ("curl -o page.html https://example.com", CAUTION, "downloads"),
    ("curl -X POST -d 'a=1' https://example.com/api", CAUTION, "sends data"),
    ("ssh host", CAUTION, "remote shell"),
    ("python3 script.py", CAUTION, "Python"),
    ("bash script.sh", CAUTION, "shell script"),
    ("sh -c 'echo hi > f.txt'", CAUTION, "overwrites f.txt"),
    ("source ~/.bashrc", CAUTION, "current shell"),
    ("nano /etc/hosts", CAUTION, "editor"),
    ("sudo systemctl restart nginx", CAUTION, "services"),
    ("sudo mount /dev/sdb1 /mnt", CAUTION, "mounts"),
    ("crontab -e", CAUTION, "crontab"),
    ("make -j4", CAUTION, None),
    ("docker run -it ubuntu bash", CAUTION, None),
    ("history -c", CAUTION, "history"),
    ("truncate -s 10M disk.img", CAUTION, "sizes"),
    ("sort -o sorted.txt data.txt", CAUTION, "writes"),
    ("ip link set eth0 down", CAUTION, "network"),
    ("$EDITOR notes.txt", CAUTION, "run time"),
    ("xargs -n1 echo < list.txt", SAFE, None),
    ("yes | head -n 3 > y.txt", CAUTION, "overwrites y.txt"),
    # --- destroys data, permissions recursively, devices, boot, network into shell, fork bombs
    ("rm -rf /", DANGEROUS, "recursively"),
    ("rm -rf ~", DANGEROUS, "home"),
    ("rm -rf *", DANGEROUS, "recursively"),
    ("rm -r build", DANGEROUS, "recursively"),
    ("rm -R build", DANGEROUS, "recursively"),
    ("rm --recursive build", DANGEROUS, "recursively"),
    ("rm *.log", DANGEROUS, "glob"),
    ("rm -f ./*.tmp", DANGEROUS, "glob"),
    ("sudo rm -rf /var/log", DANGEROUS, "recursively"),
    ("rm -rf --no-preserve-root /", DANGEROUS, "root directory"),
    ("\\rm -rf build", DANGEROUS, "recursively"),
    ("command rm -rf build", DANGEROUS, "recursively"),
    ("/bin/rm -rf build", DANGEROUS, "recursively"),
    ("find . -delete", DANGEROUS, "find"),
    ("find . -name '*.tmp' -delete", DANGEROUS, "find"),
    ("find / -name '*.bak' -exec rm -f {} +", DANGEROUS, "deletes"),
    ("find . -type f -execdir rm {} \\;", DANGEROUS, "deletes"),
    ("find . -ok rm {} \\;", DANGEROUS, "deletes"),
    ("find . -type f -exec chmod 600 {} \\;", DANGEROUS, "permissions"),
    ("ls | xargs rm -f", DANGEROUS, "deletes"),
    ("find . -print0 | xargs -0 rm", DANGEROUS, "deletes"),
    ("xargs -I{} rm {} < list.txt", DANGEROUS, "deletes"),
    ("for f in *.txt; do rm \"$f\"; done", DANGEROUS, "deletes"),
    ("while read f; do rm \"$f\"; done < list.txt", DANGEROUS, "deletes"),
    ("shred -u secret.txt", DANGEROUS, "destroys"),
    ("dd if=/dev/zero of=/dev/sda bs=1M", DANGEROUS, "disk device"),
    ("dd if=a.img of=b.img", DANGEROUS, "raw data"),
    ("mkfs.ext4 /dev/sdb1", DANGEROUS, "formats"),
    ("mkfs -t ext4 /dev/sdb1", DANGEROUS, "formats"),
    ("wipefs -a /dev/sdb", DANGEROUS, "signatures"),
    ("fdisk /dev/sda", DANGEROUS, "partitions"),
    ("parted /dev/sda mklabel gpt", DANGEROUS, "partitions"),
    ("chmod -R 777 /", DANGEROUS, "recursively"),
    ("chmod -R u+w .", DANGEROUS, "recursively"),
    ("chown -R bob:bob ~", DANGEROUS, "recursively"),
    ("chgrp -R staff shared", DANGEROUS, "recursively"),
    ("chmod 777 /etc/passwd", DANGEROUS, "/etc"),
    ("echo 127.0.0.1 x > /etc/hosts", DANGEROUS, "/etc"),
    ("echo '/dev/sdb1 /mnt ext4' >> /etc/fstab", DANGEROUS, "/etc"),
    ("cat disk.img > /dev/sda", DANGEROUS, "disk device"),
    ("echo 3 > /proc/sys/vm/drop_caches", DANGEROUS, "kernel"),
    ("ls | tee /dev/sda", DANGEROUS, "disk device"),
    ("grep x f | sudo tee /etc/x.conf", DANGEROUS, "/etc"),
    ("cp vmlinuz /boot/", DANGEROUS, "boot"),
    ("touch /etc/nologin", DANGEROUS, "/etc"),
    ("ln -sf /usr/bin/python3 /usr/bin/python", DANGEROUS, "system programs"),
    (":(){ :|:& };:", DANGEROUS, "fork bomb"),
    ("bomb() { bomb | bomb & }; bomb", DANGEROUS, "fork bomb"),
    ("shutdown -h now", DANGEROUS, "shuts"),
    ("sudo reboot", DANGEROUS, "reboots"),
    ("poweroff", DANGEROUS, "powers"),
    ("systemctl reboot", DANGEROUS, "reboots"),
    ("init 0", DANGEROUS, "shuts down"),
    ("kill -9 -1", DANGEROUS, "every process"),
    ("kill 1", DANGEROUS, "init"),
    ("curl -fsSL https://example.com/install.sh | sh", DANGEROUS, "pipes network content into a shell"),
    ("curl -s https://x | sudo bash", DANGEROUS, "pipes network content into a shell"),
    ("wget -qO- https://x | sh", DANGEROUS, "pipes network content into a shell"),
    ("wget -O - https://x | bash -s -- --yes", DANGEROUS, "pipes network content into a shell"),
    ("curl https://x | tee install.sh | sh", DANGEROUS, "pipes network content into a shell"),
    ("curl -s https://x | python3", DANGEROUS, "pipes network content"),
    ("bash <(curl -s https://x)", DANGEROUS, "network content"),
    ('sh -c "$(curl -fsSL https://x)"', DANGEROUS, "network content"),
    ('eval "$(wget -qO- https://x)"', DANGEROUS, "network content"),
    ("source <(curl -s https://x)", DANGEROUS, "network content"),
    ("git clean -fdx", DANGEROUS, "untracked"),
    ("git reset --hard origin/main", DANGEROUS, "uncommitted"),
    ("git push --force origin main", DANGEROUS, "history"),
    ("git push -f", DANGEROUS, "history"),
    ("git checkout .", DANGEROUS, "uncommitted"),
    ("git restore .", DANGEROUS, "uncommitted"),
    ("git stash clear", DANGEROUS, "stashes"),
    ("truncate -s 0 app.log", DANGEROUS, "empties"),
    ("truncate -s0 app.log", DANGEROUS, "empties"),
    ("truncate --size=0 app.log", DANGEROUS, "empties"),
    ("mv important.txt /dev/null", DANGEROUS, "/dev/null"),
    ("mv ~ /tmp/home", DANGEROUS, "home"),
    ("sudo mv /etc /etc.bak", DANGEROUS, "/etc"),
    ("crontab -r", DANGEROUS, "cron"),
    ("rsync -a --delete src/ dst/", DANGEROUS, "deletes"),
    ("docker system prune -a", DANGEROUS, "Docker"),
    ("kubectl delete pod web", DANGEROUS, "deletes"),
    ("sh -c 'rm -rf /'", DANGEROUS, "recursively"),
    ('bash -c "rm -rf ~"', DANGEROUS, "recursively"),
    ("bash -lc 'rm -r build'", DANGEROUS, "recursively"),
    ("sudo sh -c 'rm -rf /tmp/x'", DANGEROUS, "recursively"),
    ("watch 'rm -rf build'", DANGEROUS, "recursively"),
    ("su -c 'rm -rf /srv/data'", DANGEROUS, "recursively"),
    ("ssh host 'rm -rf /var/www'", DANGEROUS, "recursively"),
    ("env -S 'rm -rf build'", DANGEROUS, "recursively"),
    ("env LANG=C rm -r build", DANGEROUS, "recursively"),
    ("timeout 10 rm -rf build", DANGEROUS, "recursively"),
    ("nohup rm -rf build &", DANGEROUS, "recursively"),
    ("nice -n 19 rm -r build", DANGEROUS, "recursively"),
    ("sudo -u www-data rm -rf /var/www/cache", DANGEROUS, "recursively"),
    ("doas rm -rf build", DANGEROUS, "recursively"),
    ("echo $(rm -rf /)", DANGEROUS, "recursively"),
    ("ls `rm -rf build`", DANGEROUS, "recursively"),
    ("diff <(rm -rf build) b", DANGEROUS, "recursively"),
    ("x=$(rm -rf /tmp/a) ls", DANGEROUS, "recursively"),
    ("(cd / && rm -rf *)", DANGEROUS, "recursively"),
    ("{ rm -r build; }", DANGEROUS, "recursively"),
    ("if true; then rm -rf build; fi", DANGEROUS, "recursively"),
    ("f() { rm -rf ~; }; f", DANGEROUS, "recursively"),
    ("ls && rm -rf build", DANGEROUS, "recursively"),
    ("ls || rm -rf /", DANGEROUS, "recursively"),
    ("ls; rm -r build", DANGEROUS, "recursively"),
    ("time rm -rf build", DANGEROUS, "recursively"),
    ("[[ -d build ]] && rm -rf build", DANGEROUS, "recursively"),
    ("if [[ -d build ]]; then rm -r build; fi", DANGEROUS, "recursively"),
    ("[[ $(whoami) == root ]] && rm -rf /tmp/x", DANGEROUS, "recursively"),
    ("sudo -iu bob rm -r build", DANGEROUS, "recursively"),
    ("sh -c \"sh -c 'rm -rf build'\"", DANGEROUS, "recursively"),
    ("update-grub", DANGEROUS, "boot"),
    ("grub-install /dev/sda", DANGEROUS, "boot"),
    ("userdel -r bob", DANGEROUS, "home directory"),
    ("cryptsetup luksFormat /dev/sdb", DANGEROUS, "erasing"),
    ("mkswap /dev/sdb2", DANGEROUS, "swap"),
    ("terraform destroy", DANGEROUS, "destroys"),
]

INVALID = [
    "",
    "   ",
    "ls &&",
    'echo "unterminated',
    "echo 'unterminated",
    "ls )",
    "(ls",
    "ls |",
    "| ls",
    "ls\nrm -rf /",
    "ls \\\n -l",
    "if true; then ls",
    "for x in a b; do",
    "case $x in a) rm -rf /;; esac",
    "ls \x00 -l",
    "ls " + "a" * 30_000,
]


@pytest.mark.parametrize(("command", "risk", "reason"), CASES, ids=[c[0][:60] for c in CASES])
def test_risk(command: str, risk: Risk, reason: str | None) -> None:
    verdict = check_command(command)
    assert verdict.valid, verdict.reasons
    assert verdict.risk is risk, (verdict.risk, verdict.reasons)
    if reason is not None:
        assert any(reason in r for r in verdict.reasons), verdict.reasons
    if risk is SAFE:
        assert verdict.reasons == []
    else:
        assert verdict.reasons, "a risky command must say why"


@pytest.mark.parametrize("command", INVALID, ids=[repr(c)[:40] for c in INVALID])
def test_invalid_is_rejected_and_rated_dangerous(command: str) -> None:
    verdict = check_command(command)
    assert not verdict.valid
    assert verdict.risk is DANGEROUS
    assert len(verdict.reasons) == 1 and verdict.reasons[0]


def test_there_are_enough_cases() -> None:
    assert len(CASES) + len(INVALID) >= 130
    assert {r for _, r, _ in CASES} == {SAFE, CAUTION, DANGEROUS}


def test_verdict_carries_the_spec_fields() -> None:
    verdict = check_command("rm -rf build && echo done > log.txt")
    assert set(verdict.model_dump(mode="json")) == {"command", "risk", "reasons", "valid", "warnings"}
    assert verdict.command == "rm -rf build && echo done > log.txt"
    # reasons from every sub-command, worst first
    assert verdict.reasons[0] == "deletes files recursively"
    assert "overwrites log.txt" in verdict.reasons


def test_trailing_newline_is_one_line() -> None:
    assert check_command("ls -l\n").valid


# --- resolving executables ------------------------------------------------------------------------


@pytest.fixture
def bin_dir(tmp_path):
    tool = tmp_path / "mytool"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tmp_path


def test_unknown_command_is_a_warning_not_invalid(bin_dir) -> None:
    verdict = check_command("nosuchtool --flag | grep x", path=str(bin_dir))
    assert verdict.valid
    assert "unknown command: nosuchtool" in verdict.warnings
    assert "unknown command: grep" in verdict.warnings  # grep is not on this PATH


def test_executables_resolve_on_the_given_path(bin_dir) -> None:
    assert check_command("mytool -x", path=str(bin_dir)).warnings == []
    assert check_command("mytool -x", path=os.defpath).warnings == ["unknown command: mytool"]


def test_builtins_keywords_and_functions_need_no_path(bin_dir) -> None:
    verdict = check_command("cd /tmp && export A=1; greet() { echo hi; }; greet; if true; then :; fi", path=str(bin_dir))
    assert verdict.warnings == []


def test_paths_in_command_position(bin_dir) -> None:
    tool = bin_dir / "mytool"
    assert check_command(str(tool), path="").warnings == []
    assert check_command(str(bin_dir / "missing"), path="").warnings == [f"unknown command: {bin_dir / 'missing'}"]


def test_wrapped_commands_are_resolved_too(bin_dir) -> None:
    verdict = check_command("sudo nosuchtool", path=os.environ.get("PATH", os.defpath) + os.pathsep + str(bin_dir))
    assert "unknown command: nosuchtool" in verdict.warnings
    assert check_command("find . -exec nosuchtool {} +").warnings == ["unknown command: nosuchtool"]


def test_computed_command_names_are_flagged() -> None:
    verdict = check_command('"$CMD" --go')
    assert verdict.risk is CAUTION
    assert any("run time" in w for w in verdict.warnings)


# --- the parse that Explain and the preview reuse -----------------------------------------------


def test_parse_flattens_every_command_with_its_connections() -> None:
    parsed = parse_command("curl -s x | sh; echo $(date) > out.txt")
    assert [c.argv for c in parsed.commands] == [["curl", "-s", "x"], ["sh"], ["echo", "$(date)"], ["date"]]
    curl, sh, echo, date = parsed.commands
    assert curl.pipeline == sh.pipeline and (curl.stage, sh.stage) == (0, 1)
    assert date.parent == 2 and date.nested_in == "command_substitution"
    assert [(r.op, r.target) for r in parsed.redirects] == [(">", "out.txt")]
    assert [o.op for o in parsed.operators if o.kind == "operator"] == ["|", ";"]


def test_parse_keeps_raw_words_for_quoting_and_globs() -> None:
    words = parse_command("rm *.log '*.txt' \"$HOME\"/x").commands[0].words
    assert [w.text for w in words] == ["rm", "*.log", "*.txt", "$HOME/x"]
    assert [w.glob for w in words] == [False, True, False, False]
    assert words[3].expands and not words[2].expands


def test_parse_error_is_a_value_error() -> None:
    with pytest.raises(ParseError):
        parse_command("echo 'x")


# --- it never raises ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    verdict = check_command(text)
    assert isinstance(verdict, Verdict)
    assert verdict.valid or verdict.risk is DANGEROUS


SHELLISH = st.sampled_from([
    "rm", "-rf", "/", "~", "*", "ls", "|", "||", "&&", ";", "&", ">", ">>", "<", "2>&1", "(", ")", "{", "}",
    "$(", "`", "'", '"', "\\", "sudo", "sh", "-c", "curl", "bash", "find", "-exec", "{}", "\\;", "+", "-delete",
    "xargs", "<(", "if", "then", "fi", "for", "in", "do", "done", "x=1", "$HOME", "${x}", "$((", "))", "[[",
    "]]", "!", "#", "eval", "env", "time", "f()", "case", "esac", ";;", "dd", "of=/dev/sda", ":", "echo", "\t",
])


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SHELLISH, max_size=14).map(" ".join) | st.lists(SHELLISH, max_size=14).map("".join))
def test_never_raises_on_shellish_token_soup(text: str) -> None:
    verdict = check_command(text)
    assert isinstance(verdict, Verdict)
    if verdict.valid and "rm -rf /" in text and "'" not in text and '"' not in text and "\\" not in text \
            and "#" not in text and "<<" not in text:
        # a parsed line that runs `rm -rf /` somewhere must never come out safe
        assert verdict.risk is not SAFE


def test_deep_nesting_is_refused_not_crashed() -> None:
    deep = "echo " + "$(" * 300 + "ls" + ")" * 300
    assert not check_command(deep).valid
    # each eval re-parses the rest of the line one level deeper
    verdict = check_command("eval " * 12 + "ls")
    assert verdict.valid and verdict.risk is DANGEROUS
    assert verdict.reasons == ["runs shell code nested too deeply to analyse"]
    assert check_command("eval " * 3 + "ls").risk is SAFE


# --- options the utility's own documentation lacks (nlsh.validator.options) ----------------------


def _option_warning(name: str, flag: str) -> str:
    return f"{name}: this machine's documentation lists no option {flag}"


@pytest.fixture
def with_names_txt(tmp_path, monkeypatch):
    """A working folder holding the file the commands below read, so only their options are judged."""
    (tmp_path / "names.txt").write_text("ann\nbob\n")
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("command, name, flag", [
    ("ls --home", "ls", "--home"),  # answers a small model gave for everyday requests
    ("df -b", "df", "-b"),
    ("sort -k2 names.txt | uniq --twice", "uniq", "--twice"),
    ("sudo ls --home /root", "ls", "--home"),
    ("ssh host ls --home; df -b", "df", "-b"),  # the remote ls is another machine's; this df is ours
    ("tty -full", "tty", "-f"),  # a cluster whose first letter is not an option: getopt stops there
    ("df -bh", "df", "-b"),
    ("git status -a", "git-status", "-a"),  # git's commands are judged by their own pages
    ("git -C /srv/app commit --nosuchflag", "git-commit", "--nosuchflag"),
])
def test_an_option_the_man_page_lacks_is_a_warning(command: str, name: str, flag: str, with_names_txt) -> None:
    needs_man(name)
    verdict = check_command(command)
    assert verdict.valid and verdict.risk != Risk.dangerous
    assert [w for w in verdict.warnings if not w.startswith("unknown command")] == [_option_warning(name, flag)]


@pytest.mark.parametrize("command", [
    "ls -la --sort=size /tmp",
    "df -h --output=avail .",
    "sort --rev names.txt",  # GNU getopt takes any unambiguous prefix of --reverse
    "uniq --all-repeat=separate names.txt",
    "ls -lj",  # a cluster is judged by its first letter only (gcc's -Wall is one option)
    "tar -xvf archive.tar",
    "pkill -SIGUSR1 nginx",  # a signal, not a cluster
    "systemctl status --nosuchflag",  # a subcommand with no page of its own
    "python3 app.py --url https://example.com",  # the script's options
    "ssh host ls --home",  # another machine's ls
    "head -5 names.txt",
    "kill -9 1",
])
def test_documented_or_unjudgeable_options_are_not_warned_about(command: str, with_names_txt) -> None:
    needs_man("ls")
    assert check_command(command).warnings == []


# Everyday git commands: each option is in its command's page, or written before the command.
GIT_COMMANDS = [
    "git log --oneline -n 5", "git checkout -b feature", "git commit -am 'wip'", "git push -u origin main",
    "git reset --soft HEAD~1", "git stash pop", "git log --graph --oneline --all", "git diff --stat",
    "git add -A", "git branch -D old", "git remote -v", "git clone --depth 1 https://example.com/r.git",
    "git rebase -i HEAD~3", "git status -sb", "git log -p -2", "git config --global user.name Ann",
    "git tag -a v1 -m 'first'", "git fetch --all --prune", "git clean -fd", "git grep -n TODO",
    "git show --name-only HEAD", "git log --since='2 weeks ago'", "git cherry-pick -x abc123",
    "git submodule update --init --recursive", "git switch -c feature", "git restore --staged main.py",
    "git blame -L 10,20 main.py", "git -C /tmp log --oneline", "git --no-pager log -3",
    "git commit --amend --no-edit", "git diff --cached", "git pull --rebase", "git merge --no-ff dev",
    "git shortlog -sn", "git ls-files -m", "git rm --cached main.py", "git push --force-with-lease",
    "git branch -vv", "git archive --format=zip HEAD -o out.zip", "git revert --no-commit HEAD",
]


def test_everyday_git_commands_are_not_warned_about() -> None:
    for page in ("git-log", "git-commit", "git-status"):
        needs_man(page)
    assert {c: check_command(c).warnings for c in GIT_COMMANDS if check_command(c).warnings} == {}


def test_a_git_command_git_lacks_is_a_warning(isolated_home, tmp_path) -> None:
    """The model wrote `git undo --force` for "undo my last commit but keep the changes"."""
    if shutil.which("git") is None:
        pytest.skip("no git on this machine")
    warned = "git: this machine has no git command undo (nor an alias or a git-undo program)"
    assert check_command("git undo --force").warnings == [warned]
    assert check_command("sudo git -C /srv/app undo").warnings[-1:] == [warned]
    assert all(check_command(c).warnings == [] for c in ("git status", "git help undo", "git --version"))
    # An alias of the user's, or a git-* program on PATH (git-extras has `git undo`), is a git command.
    subprocess.run(["git", "config", "--global", "alias.co", "checkout"], check=True)
    assert check_command("git co -b feature").warnings == []
    program = tmp_path / "git-undo"
    program.write_text("#!/bin/sh\necho undone\n")
    program.chmod(0o755)
    path = f"{tmp_path}{os.pathsep}{os.environ['PATH']}"
    assert not any(w.startswith("git:") for w in check_command("git undo --force", path=path).warnings)


# --- files a command reads that are not here (nlsh.validator.files) -----------------------------


@pytest.fixture
def a_folder(tmp_path, monkeypatch):
    """The working folder: notes.txt and logs/app.log exist, nothing else does."""
    (tmp_path / "notes.txt").write_text("one\ntwo\n")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "app.log").write_text("started\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("command, name, path", [
    ("tail -n 20 /var/log/nlsh-test-nosuch.log", "tail", "/var/log/nlsh-test-nosuch.log"),  # an invented path
    ("cp photos /mnt/backup", "cp", "photos"),  # the source, not the destination
    ("cp -t /mnt/backup photos notes.txt", "cp", "photos"),
    ("wc -l notes.txt.", "wc", "notes.txt."),
    ("chmod +x deploy.sh", "chmod", "deploy.sh"),
    ("grep -rn TODO src", "grep", "src"),  # grep's first operand is the pattern
    ("grep -e TODO -- src", "grep", "src"),
    ("sort -o sorted.txt names.txt", "sort", "names.txt"),
    ("sudo -u root cat logs/error.log", "cat", "logs/error.log"),
    ("cat notes.txt | uniq names.txt out.txt", "uniq", "names.txt"),
    ("unzip archive.zip -d out", "unzip", "archive.zip"),
    ("rm old.txt", "rm", "old.txt"),
    ("mv 'my notes.txt' done/", "mv", "my notes.txt"),
    ("wc -l < notes.txt.", "wc", "notes.txt."),  # the shell opens it, for any program
    ("mysql shop < dump.sql", "mysql", "dump.sql"),
])
def test_a_file_the_command_reads_that_is_not_here_is_a_warning(a_folder, command, name, path) -> None:
    verdict = check_command(command)
    assert verdict.valid
    missing = [w for w in verdict.warnings if "no such file" in w]
    assert missing == [f"{name}: no such file or directory: {path}"]


@pytest.mark.parametrize("command", [
    "cat notes.txt", "tail -f logs/app.log", "head -n 5 ./notes.txt", "wc -l notes.txt logs/app.log",
    "cp notes.txt /mnt/nowhere/", "grep -c one notes.txt", "grep -r TODO", "chmod 644 notes.txt",
    "touch new.txt && cat new.txt",  # made earlier in the line
    "echo hi > out.txt; wc -l out.txt",
    "cd /etc && cat hostname",  # another folder
    "cat *.log", "cat $HOME/nosuch", "cat ~nosuchuser/x", "rm -f old.txt", "tail -F logs/missing.log",
    "ssh host cat /nosuch",  # another machine's file
    "sh -c 'cat nosuch'", "find . -name '*.py' | xargs cat", "cat <(ls)", "less +G notes.txt", "cat -",
    "md5sum -c sums.txt", "wc -l < notes.txt", "sort > sorted.txt; wc -l < sorted.txt", "ls nosuch",  # ls is left out: `ls foo` is how people ask whether foo is here
])
def test_files_that_exist_or_cannot_be_judged_are_not_warned_about(a_folder, command) -> None:
    assert [w for w in check_command(command).warnings if "no such file" in w] == []


def test_the_check_reads_paths_from_the_folder_nlsh_runs_in(run_nlsh, isolated_home) -> None:
    (isolated_home.home / "notes.txt").write_text("one\n")
    import json

    here = json.loads(run_nlsh("--check", "cat notes.txt").stdout)
    assert here["warnings"] == [] and here["valid"]
    gone = json.loads(run_nlsh("--check", "cat notes.txt.").stdout)
    assert gone["warnings"] == ["cat: no such file or directory: notes.txt."] and gone["risk"] == "safe"


def test_a_tool_without_documentation_is_not_judged(bin_dir) -> None:
    assert check_command("mytool --anything -x", path=str(bin_dir)).warnings == []


# What a model writes when it describes a tool instead of using it (answers of the base SmolLM2 to
# dev requests), and commands of the same shape that are real.
PROSE = [
    "tool: fc-list - list all available fonts",
    "sudo tool: lcf - Determine which of the historical versions of a config",
    "lslocks - list local system locks: 10.1.1.1.20 server.local",
    "npm cmp - Usage: cmp - Compare two files byte by byte.",
    "csplit - 5 - 1 - 100000000",
    "yetris start a tetris game.",
    "pw-profiler change the log output file: app.log",
    "1. Use prettier to format javascript and typescript files recursively, replacing the original.",
    "https://www.reddit.com/r/ssh-agent-p/edit/22222222",
    "xdg-user-dir - Find an XDG user dir, and mkdir - Make directories.",
    "tty, logname, and systemd-cat are all available commands that can be used",
    "syft generate an sbom in cyclonedx json format image:tag: to the command-line JSON processor.",
]
COMMANDS_OF_THE_SAME_SHAPE = [
    "paste - - < names.txt",
    "cat - notes.txt",
    "su - postgres",
    "trap - INT TERM EXIT",
    "tar -cf - . | ssh backup tar -xf - -C /srv",
    "echo Hello, world. This is a test.",
    "notify-send Backup finished. All good.",
    "git commit -m 'Fix the bug. Really: it works now.'",
    "fselect size, path from docs limit 5 into json",
    "readelf -a -W libsomefile.a | grep Class: | sort | uniq",
    ": > app.log",
    ". ~/.bashrc",
    "cd ..",
    "timew track api5 - dev dev",
]


@pytest.mark.parametrize("line", PROSE)
def test_prose_is_not_a_command(line: str) -> None:
    verdict = check_command(line)
    assert not verdict.valid and verdict.risk is DANGEROUS
    assert verdict.reasons[0].startswith("prose, not a command"), verdict.reasons


@pytest.mark.parametrize("command", COMMANDS_OF_THE_SAME_SHAPE)
def test_commands_shaped_like_prose_stay_commands(command: str) -> None:
    verdict = check_command(command)
    assert verdict.valid, verdict.reasons
    assert not any("prose" in r for r in verdict.reasons)


def test_is_command_says_what_check_command_says_of_validity() -> None:
    lines = PROSE + COMMANDS_OF_THE_SAME_SHAPE + ["if [ -f a ]; then echo yes", "ls |", "", "echo 'open", "rm -rf /",
                                                  "ls -la /tmp", "a\nb", ":(){ :|:& };:"]
    assert [is_command(line) for line in lines] == [check_command(line).valid for line in lines]
    assert is_command("rm -rf /")  # dangerous, and still a command: risk is for confirmation to weigh
