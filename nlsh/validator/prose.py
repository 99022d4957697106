"""Tell a sentence from a command.

A model that does not know the answer, or one never trained for nlsh, writes a description instead
of a command: `tool: lsblk - list block devices`, `npm - Usage: list all your starred packages`,
`yetris start a tetris game.` bash parses each of them as a program with arguments, so only the
shape of the words gives them away. The signs below come from reading a base model's answers. Over
83,932 distinct commands of six training builds they fire on four, all broken: two URLs run as
programs, a `//comment` passed to chown, a `partclone....` whose file-system type was lost; on
none of 9,961 answers of the shipped model, and on 511 of the base model's 600 dev answers.
"""

from __future__ import annotations

import re
from typing import Optional

from nlsh.validator.parse import ParsedCommand, SimpleCommand, Word

# A word of English as prose writes it: letters (inner hyphens allowed), maybe a trailing , . or :
_PLAIN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*[,.:]?$")
_FULL_STOP = re.compile(r"[A-Za-z]{2,}\.$")
# Programs whose arguments are text to print or say: prose there is the point.
_SAYS_TEXT = frozenset({"echo", "printf", "print", "say", "espeak", "espeak-ng", "spd-say", "notify-send",
                        "logger", "wall", "write", "shutdown", "figlet", "toilet", "banner", "cowsay", "cowthink"})
_WRAPPERS = frozenset({"sudo", "doas"})
SENTENCE_WORDS = 5  # a run of plain words this long, with a full stop or colon in it, is a sentence
DESCRIPTION_WORDS = 3  # `prog - list block devices`: plain words after a lone dash


def prose_sign(parsed: ParsedCommand) -> Optional[str]:
    """Why the line reads as prose rather than a command, or None."""
    for command in parsed.commands:
        sign = _command_sign(command)
        if sign:
            return sign
    return None


def _command_sign(command: SimpleCommand) -> Optional[str]:
    words = command.words
    if not words:
        return None
    k = 0
    while k < len(words) - 1 and words[k].text in _WRAPPERS:
        k += 1
    head, args = words[k], words[k + 1 :]
    if not head.quoted and not head.expands and head.text.strip("."):  # `.` and `..` are no sentence's words
        if "://" in head.text:
            return f"`{head.text}` is an address, not a program"
        if len(head.text) > 1 and head.text[-1] in ":,.":
            return f"`{head.text}` ends like a word in a sentence, not like a program name"
    if head.text in _SAYS_TEXT:
        return None
    plain = [_is_plain(w) for w in args]
    dashes = [i for i, w in enumerate(args) if w.raw == "-"]
    for i in dashes:
        after = args[i + 1 : i + 1 + DESCRIPTION_WORDS]
        # `trap - INT TERM EXIT` resets signals by their upper-case names; descriptions are lower case
        if len(after) == DESCRIPTION_WORDS and all(plain[i + 1 : i + 1 + DESCRIPTION_WORDS]) \
                and any(w.raw != w.raw.upper() for w in after):
            return "it reads as a program followed by a description of it"
    if any(b - a > 1 for a, b in zip(dashes, dashes[1:])):
        return "lone dashes separate its parts the way a list of descriptions does"
    run, stop = 0, False
    for w, ok in zip(args, plain):
        run, stop = (run + 1, stop or w.raw[-1] in ".:") if ok else (0, False)
        if run >= SENTENCE_WORDS and stop:
            return "its arguments run on as a sentence"
    if len(args) >= 3 and all(plain[-3:]) and _FULL_STOP.match(args[-1].raw):
        return "its arguments end in a full stop, like a sentence"
    return None


def _is_plain(word: Word) -> bool:
    return not word.quoted and not word.expands and bool(_PLAIN.match(word.raw))
