"""Root where the request asks for it: "start nethogs as root" is `sudo nethogs`, not `nethogs --root`.

The model reads "as root" as part of the task (`nethogs --root`), and given `sudo` as a first word
it drifts to the tools that usually follow it ("run command as root: npm test" became
`sudo chroot npm test`). So the command is decoded as usual and `sudo` goes in front afterwards;
the validator and the confirmation step then see the command that will really run.
"""

from __future__ import annotations

import re
import shutil

from nlsh.decoding.rule import DecodingRule
from nlsh.machine.resolve import BUILTINS, KEYWORDS
from nlsh.validator.utilities import command_utilities

_ASKS_FOR_ROOT = re.compile(
    r"\b(?:as|with|using)\s+(?:root|sudo|superuser|the\s+superuser|admin|administrator)\b"
    # "as the root for testing", "with root directory", "as root user alice": not a request for sudo
    r"(?!\s+(?:directory|dir|folder|partition|file|ca|certificate|password|user\b\s+\w))"
    r"|\b(?:root|admin|administrator|superuser|elevated)\s+(?:privileges|rights|permissions)\b",
    re.IGNORECASE,
)
# A request that refuses root, names another way to get it, or means logging in somewhere as root.
_NOT_SUDO = re.compile(
    r"\b(?:without|not|no|never)\s+(?:\w+\s+){0,2}(?:root|sudo|elevated|admin)\b"
    r"|\b(?:doas|dzdo|pkexec|run0|su|gosu|fakeroot)\b"
    r"|\b(?:connect|log\s*in|login|ssh)\b",
    re.IGNORECASE,
)
# Utilities that get root their own way.
_ELEVATORS = frozenset({"sudo", "doas", "dzdo", "pkexec", "run0", "su", "gosu"})


def asks_for_root(request: str) -> bool:
    return bool(_ASKS_FOR_ROOT.search(request)) and not _NOT_SUDO.search(request)


def with_requested_sudo(request: str, command: str) -> str:
    """`command` with `sudo ` in front where the request asks for root and the command does not
    already get it. Left alone where sudo cannot run it: a builtin with no program of the same
    name (`cd`, `export`; `kill` has one), a keyword (`for`) or a variable assignment."""
    if not asks_for_root(request):
        return command
    utilities = command_utilities(command)
    # A command that does not parse is the validator's to refuse, not this step's to touch.
    if not utilities or _ELEVATORS & set(utilities):
        return command
    first = command.split()[0]
    if first in KEYWORDS or "=" in first or (first in BUILTINS and shutil.which(first) is None):
        return command
    return "sudo " + command.lstrip()


RULE = DecodingRule(
    name="requested-sudo", kind="shell", version=1, rewrite=with_requested_sudo, logits=False,
    reason='"start nethogs as root" gave nethogs --root; where the request asks for root, sudo goes in front of the answer',
)
