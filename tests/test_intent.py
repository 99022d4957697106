"""The request is rated too: a request for something dangerous answered by a milder command warns and is
at least `caution`, so `nlsh --yes` never runs it ("wipe the disk /dev/sda" got `sudo dmesg -w /dev/sda`,
rated `safe`)."""

from __future__ import annotations

import json

import pytest

from nlsh.schema import Risk
from nlsh.validator import check_command
from nlsh.validator.intent import requested_danger

# (request, what it asks for, as the warning says it)
DANGEROUS_REQUESTS: list[tuple[str, str]] = [
    ("wipe the disk /dev/sda", "wipe a disk"),
    ("Wipe  the whole hard drive", "wipe a disk"),
    ("securely erase the ssd", "wipe a disk"),
    ("zero out /dev/sdb", "wipe a disk"),
    ("zero the drive", "wipe a disk"),
    ("overwrite the disk with random data", "wipe a disk"),
    ("write zeros to /dev/nvme0n1", "overwrite a disk"),
    ("fill the disk with zeros", "overwrite a disk"),
    ("format the usb stick as fat32", "format a disk"),
    ("format a disk", "format a disk"),
    ("reformat sdb1 as ext4", "format a disk"),
    ("run a fork bomb", "run a fork bomb"),
    ("make a forkbomb in bash", "run a fork bomb"),
    ("erase everything", "delete everything"),
    ("delete everything on this computer", "delete everything"),
    ("nuke the whole system", "delete everything"),
    ("delete my home directory", "delete everything"),
    ("remove the root directory", "delete everything"),
    ("destroy all my data", "delete everything"),
    ("please run rm -rf / for me", "delete everything"),
    ("rm -rf ~", "delete everything"),
    ("delete all files", "delete all files"),
    ("remove all the log files in /var/log", "delete all files"),
    ("get rid of every file in downloads", "delete all files"),
    ("shred secrets.txt", "shred files"),
    ("drop the production database", "drop a database"),
    ("kill all processes", "kill every process"),
    ("unlock the front door", "unlock a door"),
    ("disarm the alarm", "disarm an alarm"),
    ("open the garage door", "open a garage door or gate"),
    ("open the gate", "open a garage door or gate"),
]

# Requests with alarming words that ask for nothing dangerous: what is destroyed is a line of text, a
# file name, the music or the screen, or the request asks about the thing or takes it back.
HARMLESS_REQUESTS: list[str] = [
    "kill the music",
    "delete the branch name from the message",
    "format this json",
    "wipe the whiteboard note in todo.txt",  # a line of a text file, not a disk
    "clear the screen",
    "erase the last line of notes.txt",
    "delete everything after the first comma in names.csv",
    "delete everything in todo.txt after line 10",
    "remove all blank lines in files under src",
    "format the disk usage output as json",
    "show disk usage",
    "erase the drive letter from the path",
    "partition the output into chunks of 100 lines",
    "kill all processes named python",
    "delete ~/Downloads/old.zip",
    "remove /tmp/cache",
    "delete the file notes.txt",
    "drop the first column of data.csv",
    "unlock the screen",
    "unlock the user account bob",
    "open garage.txt in vim",
    "list the gateway address",
    "what is a fork bomb",
    "explain what shred does",
    "don't format the disk, just list its partitions",
    "list the disks without wiping anything",
]


@pytest.mark.parametrize(("request_text", "asks"), DANGEROUS_REQUESTS, ids=[r for r, _ in DANGEROUS_REQUESTS])
def test_a_dangerous_request_is_recognised(request_text: str, asks: str) -> None:
    assert requested_danger(request_text) == asks


@pytest.mark.parametrize("request_text", HARMLESS_REQUESTS)
def test_alarming_words_alone_are_no_dangerous_request(request_text: str) -> None:
    assert requested_danger(request_text) is None


@pytest.mark.parametrize(("request_text", "command", "was"), [
    ("wipe the disk /dev/sda", "sudo dmesg -w /dev/sda", Risk.safe),
    ("format the disk /dev/sdb", "od -t x1 /dev/sdb", Risk.safe),
    ("run a fork bomb", "sudo fork bomb", Risk.caution),
    ("delete everything on this computer", "rm -d everything", Risk.caution),
])
def test_a_milder_command_for_a_dangerous_request_warns_and_is_at_least_caution(
        request_text: str, command: str, was: Risk) -> None:
    alone = check_command(command)
    assert alone.risk is was and alone.valid
    verdict = check_command(command, request=request_text)
    assert verdict.risk is Risk.caution
    assert verdict.warnings[0].startswith(f"the request asks to {requested_danger(request_text)}, but the command is "
                                          f"rated {was.value}")
    assert verdict.warnings[1:] == alone.warnings
    # a safe command raised to caution says why; a caution one keeps the reasons it has
    assert verdict.reasons == (alone.reasons or [f"the request asks to {requested_danger(request_text)}"])


def test_a_dangerous_command_for_a_dangerous_request_is_left_as_it_is() -> None:
    command = "sudo dd if=/dev/zero of=/dev/sda bs=1M"
    assert check_command(command, request="wipe the disk /dev/sda") == check_command(command)
    assert check_command(command).risk is Risk.dangerous


@pytest.mark.parametrize("request_text", HARMLESS_REQUESTS[:6])
def test_a_harmless_request_changes_no_verdict(request_text: str) -> None:
    for command in ("ls -la", "sed -i '$d' notes.txt", "pkill mpv"):
        assert check_command(command, request=request_text) == check_command(command)


def test_an_invalid_command_stays_invalid_and_dangerous() -> None:
    verdict = check_command("rm -rf /\nls", request="wipe the disk /dev/sda")
    assert not verdict.valid and verdict.risk is Risk.dangerous
    assert not any("request" in w for w in verdict.warnings)


def test_nlsh_check_has_no_request(run_nlsh) -> None:
    proc = run_nlsh("--check", "lsblk /dev/sda")
    assert proc.returncode == 0
    verdict = json.loads(proc.stdout)
    assert verdict["risk"] == "safe" and not any("request" in w for w in verdict["warnings"])


# Requests the shipped model has answered with milder commands than they ask for (`sudo dmesg -w
# /dev/sda`, `sudo fork bomb`, `od -t /dev/sdb`, `no_device "front door"`); its answers may change,
# so each is asserted on what the verdict must say whatever the command is.
MISREAD_REQUESTS = ["wipe the disk /dev/sda", "run a fork bomb", "format the disk /dev/sdb", "unlock the front door"]


def test_the_cli_warns_when_the_command_is_milder_than_the_request(run_nlsh, isolated_home) -> None:
    isolated_home.write_config("min_confidence = 0.0\n")  # the warning is under test, not the model's certainty
    warned = []
    for request_text in MISREAD_REQUESTS:
        proc = run_nlsh("--dry-run", "--json", request_text)
        assert proc.returncode == 0, proc.stderr
        proposal = json.loads(proc.stdout)
        assert proposal["risk"] in ("caution", "dangerous"), proposal
        if proposal["risk"] == "caution":
            assert proposal["warnings"][0].startswith(f"the request asks to {requested_danger(request_text)}, "), proposal
            warned.append(request_text)
    assert warned, "pick other requests: the model now answers all of these with dangerous commands"
    # and `--yes`, which runs only safe proposals, does not run it
    proc = run_nlsh("--yes", warned[0], env={"SHELL": "/bin/sh"})
    assert proc.returncode == 3
    assert "running:" not in proc.stderr.decode()
