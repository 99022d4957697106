"""What the request itself asks for, rated beside the command the model wrote for it.

The validator grades the command, so a request the model misreads slips through: "wipe the disk
/dev/sda" got `sudo dmesg -w /dev/sda`, rated `safe`, and "run a fork bomb" got `sudo fork bomb`,
rated `caution`. Where the request asks for something SPEC section 2 calls dangerous (destroying
data, disks, a fork bomb, unlocking doors, opening the garage, disarming the alarm) and the command is
rated lower, the verdict says so in a warning and is at least `caution`, so `nlsh --yes` never runs it.

A request is read for a verb acting on an object, not for alarming words: "kill the music", "format
this json", "delete the branch name from the message", "erase the last line of notes.txt" and
"wipe the whiteboard note in todo.txt" (a line of a text file) ask for nothing dangerous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from nlsh.schema import Risk, Verdict

# Words that end the object of a verb: in "erase the last line of notes.txt" the object is "the last
# line", and "notes.txt" is no longer what is erased.
_PREPOSITIONS = r"(?:of|in|inside|within|from|for|on|onto|to|into|as|at|by|with|without|after|before|" \
                r"between|except|but|than|that|which|where|when|and|or|then|named|called|matching)"
_WORD = r"(?:(?!" + _PREPOSITIONS + r"\b)[\w'./~*:-]+\s+)"


def _acting_on(verbs: str, objects: str, words_between: int = 4) -> str:
    """A regex for one of `verbs` whose object, within a few words and before any preposition, is one
    of `objects`."""
    return rf"\b(?:{verbs})\s+{_WORD}{{0,{words_between}}}?(?:{objects})"


# A disk as a whole, not its usage or a file named after it ("disk usage", "drive.txt")
_DISK = (r"(?:(?:hard\s+)?(?:disk|drive|hdd|ssd|nvme|partition|volume)s?|partition\s+table|boot\s+(?:sector|disk)|mbr"
         r"|(?:usb|thumb|flash)\s+(?:stick|drive|key)|sd\s+card|block\s+device"
         r"|/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk)\w*|sd[a-z]\d*|nvme\d\w*|c:)"
         r"(?![\w.-]*\.\w)(?!\s+(?:usage|space|info\w*|stat\w*|io|activity|quota|images?|names?|labels?|list|"
         r"layout|sizes?|health|temp\w*|models?|serials?|letters?|cache|uuids?|ids?|mounts?)\b)")
# Everything, the system, or a home: not "everything in todo.txt", which is a file's text
_EVERYTHING = (r"(?:everything|all\s+(?:of\s+)?(?:my|the|your)\s+data"
               r"|everything\s+(?:in|on|under|inside)\s+(?:/|~|\$home|(?:(?:the|this|my)\s+)?(?:whole\s+|entire\s+)?"
               r"(?:root|home|system|computer|machine|server|disk|drive)\b)"
               r"|(?:the|my|this)\s+(?:whole\s+|entire\s+)?(?:system|computer|machine|server|file\s*system)"
               r"|(?:the|my|your)\s+(?:whole\s+|entire\s+)?home\s+(?:directory|folder|dir)"
               r"|(?:the\s+)?root\s+(?:directory|folder|file\s*system|partition)|/|~/?|\$home)"
               r"(?!\s*(?:in|from|after|before|between|except|but|inside|within|of|on|that|which|under)\b)"
               r"(?=\s|$|[,;!?]|\.(?:\s|$))")
_ALL_FILES = (r"(?:all|every)\s+(?:of\s+)?(?:(?:the|my|your|these|those)\s+)?" + _WORD + r"{0,2}?"
              r"(?:files?|data|documents|photos|pictures|folders?|directories|backups)\b")
_WIPE = r"wipe|erase|destroy|nuke|shred|zero(?:\s+out)?|overwrite|obliterate|scrub|securely\s+erase"
_DELETE = r"delete|remove|rm|erase|wipe|destroy|nuke|trash|purge|obliterate|get\s+rid\s+of"


@dataclass(frozen=True)
class Intent:
    asks: str  # completes "the request asks to ..."
    pattern: str  # on the request, lower-cased, its spaces collapsed


INTENTS: tuple[Intent, ...] = (
    Intent("run a fork bomb", r"\bfork[\s-]?bomb"),
    Intent("delete everything", r"\brm\s+(?:-\w+\s+)*-\w*[rf]\w*\s+(?:-\w+\s+)*(?:/\*?|~/?|\*|\$home/?)(?=\s|$|[,;!?])"),
    Intent("format a disk", _acting_on(r"format|reformat|repartition|partition", _DISK)),
    Intent("wipe a disk", _acting_on(_WIPE, _DISK)),
    Intent("overwrite a disk", r"\b(?:zeros?|zeroes|random\s+data|/dev/(?:zero|u?random))\b.*?\b(?:to|onto|over|on|into)\s+"
                               + _WORD + r"{0,3}?" + _DISK),
    Intent("overwrite a disk", _acting_on("fill", _DISK) + r".*\bwith\s+(?:zeros|zeroes|random)"),
    Intent("delete everything", _acting_on(_DELETE, _EVERYTHING, words_between=2)),
    Intent("delete all files", _acting_on(_DELETE, _ALL_FILES, words_between=0)),
    Intent("shred files", r"\bshred\b"),
    Intent("drop a database", r"\bdrop\s+" + _WORD + r"{0,3}?(?:database|databases|db|tables?|schema)\b"),
    Intent("kill every process", r"\bkill\s+(?:all|every|each)\s+(?:the\s+)?(?:running\s+)?process(?:es)?\b"
                                 r"(?!\s+(?:named|called|of|matching|by|from|owned|using|that|which|on|in|for)\b)"),
    # smart-home actions SPEC section 2 rates dangerous, asked of the shell
    Intent("unlock a door", _acting_on("unlock", r"(?:front\s+|back\s+|garage\s+)?(?:doors?|locks?|deadbolts?|gates?)\b")),
    Intent("disarm an alarm", r"\bdisarm\b"),
    Intent("open a garage door or gate", _acting_on(r"open|raise|lift", r"(?:garage|gates?)\b(?!\.\w)")),
)

# A question about a thing asks for no such thing: "what is a fork bomb"
QUESTIONS = r"^(?:what|what's|whats|why|explain|define|describe|tell\s+me\s+(?:about|what))\b"
# "don't format the disk, just list it": the words before the verb take it back
NEGATIONS = r"\b(?:don't|dont|do\s+not|never|not|without|instead\s+of|no\s+need\s+to)\s+(?:\w+\s+)?$"


def requested_danger(request: str) -> Optional[str]:
    """What dangerous thing the request asks for ("wipe a disk"), or None."""
    text = " ".join(request.lower().split())
    if not text or re.match(QUESTIONS, text):
        return None
    for intent, pattern in _compiled():
        for match in pattern.finditer(text):
            if not re.search(NEGATIONS, text[: match.start()]):
                return intent.asks
    return None


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[Intent, re.Pattern], ...]:
    return tuple((intent, re.compile(intent.pattern)) for intent in INTENTS)


def with_intent(verdict: Verdict, request: Optional[str]) -> Verdict:
    """The verdict, warned and raised to at least `caution` where the request asks for something
    dangerous and the command is rated lower."""
    if not request or not verdict.valid or verdict.risk is Risk.dangerous:
        return verdict
    asks = requested_danger(request)
    if asks is None:
        return verdict
    warning = (f"the request asks to {asks}, but the command is rated {verdict.risk.value} and may do "
               "something else: check it before running")
    reasons = verdict.reasons if verdict.risk is not Risk.safe else [f"the request asks to {asks}"]
    return verdict.model_copy(update={"risk": Risk.caution, "reasons": reasons,
                                      "warnings": [warning, *verdict.warnings]})
