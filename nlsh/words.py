"""A request's words as nlsh reads them.

- for matching (the retriever, nlsh's own examples): stemmed, without the words that carry no hint,
  everyday words joined by the words man pages use for them, and the values a request fills in (file
  names, paths, numbers) weighing less than the words saying what to do;
- for naming programs (the retriever, the shell grammar, the spelling rules): the words that could be
  a program's name, those the request presents as a program, loosely (the retriever), and those in a
  place where people name the program they want ("use aide to ...").
"""

from __future__ import annotations

import re

# Words that carry no hint about which utility is meant.
_STOP = frozenset(
    """a an the of to in on for and or with by from at as is are be been it its this that these those all
    any my me i you your we our us do does did can could would should will shall please how what which
    who whom when where why there here into onto out up down show tell give get make let want need just
    only also than then so if not no yes current currently using use via one some each every""".split()
)

# A few everyday words that man page summaries spell differently. Kept tiny and generic on purpose.
_SYNONYMS = {
    "folder": ["directory"],
    "folders": ["directory"],
    "dir": ["directory"],
    "disk": ["file", "system", "space"],
    "free": ["space"],
    "delete": ["remove"],
    "erase": ["remove"],
    "rename": ["move"],
    "biggest": ["size"],
    "largest": ["size"],
    "smallest": ["size"],
    "big": ["size"],
    "large": ["size"],
    "zip": ["archive", "compress"],
    "unzip": ["extract", "archive"],
    "compress": ["archive"],
    "download": ["transfer", "url"],
    "internet": ["network"],
    "ip": ["address", "network"],
    "ram": ["memory"],
    "cpu": ["processor"],
    "running": ["process"],
    "program": ["process"],
    "programs": ["process"],
    "kill": ["signal", "process"],
    "permissions": ["mode"],
    "owner": ["ownership"],
    "text": ["pattern"],
    "search": ["pattern", "find"],
    "occurrences": ["pattern", "count"],
    "words": ["word", "count"],
    "lines": ["line", "count"],
    "time": ["date"],
    "today": ["date"],
    "uptime": ["running"],
    "user": ["login"],
    "users": ["login"],
}

TOKEN = re.compile(r"[a-z0-9][a-z0-9+_-]*")


def stem(word: str) -> str:
    """Strip common English suffixes so "files" meets "file" and "directories" meets "directory"."""
    if len(word) <= 3:
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word  # process, status, analysis
            if suffix == "es" and not word[-3] in "sxz" and not word.endswith(("ches", "shes")):
                return word[:-1]
            return word[: len(word) - len(suffix)] + repl
    return word


def terms(text: str) -> list[str]:
    return [stem(t) for t in TOKEN.findall(text.lower()) if t not in _STOP]


def query_terms(text: str) -> dict[str, float]:
    """Stemmed request words with weight 1, plus their synonyms at a lower weight."""
    words = [t for t in TOKEN.findall(text.lower()) if t not in _STOP]
    out: dict[str, float] = {}
    for w in words:
        for s in _SYNONYMS.get(w, ()):
            out.setdefault(stem(s), 0.5)
    for w in words:
        out[stem(w)] = 1.0
    return out


# Words that ask for the opposite of each other: "stop the dev server" is no request like "start the
# dev server", though all but one word agree.
_OPPOSITES = [
    ("start", "stop"), ("start", "kill"), ("run", "stop"), ("open", "close"), ("enable", "disable"),
    ("mount", "unmount"), ("mount", "umount"), ("install", "uninstall"), ("install", "remove"),
    ("add", "remove"), ("add", "delete"), ("create", "delete"), ("create", "remove"), ("make", "delete"),
    ("show", "hide"), ("lock", "unlock"), ("on", "off"), ("up", "down"), ("compress", "decompress"),
    ("compress", "extract"), ("zip", "unzip"), ("encrypt", "decrypt"), ("connect", "disconnect"),
    ("push", "pull"), ("upload", "download"), ("increase", "decrease"), ("pause", "resume"),
    ("load", "unload"), ("allow", "deny"), ("allow", "block"), ("include", "exclude"), ("start", "restart"),
    ("show", "delete"), ("show", "remove"), ("list", "delete"), ("list", "remove"), ("open", "delete"),
]
_OPPOSITE: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    _OPPOSITE.setdefault(_a, set()).add(_b)
    _OPPOSITE.setdefault(_b, set()).add(_a)


def opposed(request: str, other: str) -> bool:
    """Whether a request asks the opposite of another: it says a word whose opposite the other
    says, and not that word itself ("stop the dev server" against "start the dev server")."""
    mine, theirs = set(TOKEN.findall(request.lower())), set(TOKEN.findall(other.lower()))
    return any(_OPPOSITE.get(w, set()) & (theirs - mine) for w in mine - theirs)


# A file name, path, number or URL is what a request fills in, not what it asks for: "extract
# backup.tar.gz" is nearer "extract data.tar.bz2" than "list contents of backup.tar.gz".
_VALUE_WORD = re.compile(r"\S*[./~0-9]\S*")
_VALUE_WEIGHT = 0.25


def task_terms(text: str) -> dict[str, float]:
    """Stemmed words with weight 1, or _VALUE_WEIGHT for the pieces of a value word."""
    out: dict[str, float] = {}
    for word in text.lower().split():
        weight = _VALUE_WEIGHT if _VALUE_WORD.fullmatch(word) else 1.0
        for t in TOKEN.findall(word):
            if t not in _STOP:
                t = stem(t)
                out[t] = max(out.get(t, 0.0), weight)
    return out


# --- words that name programs ---------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]+")
_WORD = r"([A-Za-z0-9][A-Za-z0-9_+-]*)"
# After the tool word: the end, a colon, or " - " before the values ("using oma: nginx").
_ENDS = r"\s*(?:$|:|\s-\s)"
_TOOL_POSITIONS = [
    re.compile(r"^\s*" + _WORD + r"\s*:"),  # "oma: install nginx"
    re.compile(r"^\s*use\s+" + _WORD + r"(?:\s+\S+)?\s+to\b", re.I),  # "use b4 prep to enroll a branch"
    re.compile(r"\busing\s+" + _WORD + _ENDS, re.I),  # "list secret keys using sq"
    re.compile(r"\bwith\s+" + _WORD + _ENDS, re.I),  # "check the configuration file with foot"
]
# English that fills a tool position without naming a tool ("with a comma", "using it").
_NOT_TOOLS = frozenset("a an the my your this that these those all any some each every it its them".split())
# Verbs a task starts with. A word before one of them at the very start is the program to run it
# with ("oma update the package list", "drill perform a dnssec trace"), unless it is English itself
# ("only show", "recursively copy", "also list"). Read on the training corpus: the word so found was
# the command's program in 96% of 2,041 requests.
_TASK_VERBS = frozenset(
    """add allow analyze append apply archive attach authenticate backup bring build calculate cancel change
    check clean clear clone close compare compile compress configure connect continuously convert copy count
    create decode decompress decrypt define delete deploy describe detach diff disable discover display
    download dump edit enable encode encrypt enter erase execute exit export extract fetch filter find follow
    force format generate get import index init initialize insert inspect install interactively kill launch
    limit link list load lock log login logout make merge mount move open output pack parse pause perform ping
    play print publish pull push query read rebuild record recursively refresh register reload remove rename
    render replace reset resize restart restore resume run save scan search select send set setup share show
    sign simulate sort spawn specify split start stop submit suspend switch sync tag test toggle trace
    transform translate uninstall unlock unmount unpack update upgrade upload use validate verify view wait
    watch write""".split()
)
_FIRST_WORD = re.compile(r"^\s*" + _WORD + r"\s+([A-Za-z]+)\b")
_ENGLISH_LEAD = frozenset("only also just then now please first again still never always even use using".split())


def named_words(request: str) -> set[str]:
    """Words of the request that could be a program's name (not `config.json`, `~/src`, `42`)."""
    words = (w.strip("'\"`,:;()!?") for w in request.split())
    return {w for w in words if _NAME.fullmatch(w) and not w.isdigit()}


# Two readings of "the program a request names", for two uses. The retriever's is loose: any word
# after "use"/"with"/"run" or quoted boosts that program's hint and asks for its --help line, where a
# wrong guess ("replace foo with bar") costs a hint that matches nothing. The spelling rules' is
# strict (tool_words): the word is copied into the command letter for letter, so "with the largest
# size" must name nothing. One reader for both changes answers: with tool_words in the retriever, 9
# of 1,121 requests (tests/test_model.py's, bench/everyday's, bench/exec_dev's) got another command,
# among them "remove tmp files in the tmp folder using find -exec".
_NAMING = re.compile(
    r"(?:\b(?:use|using|with|run|via|call|invoke|through)\s+|[`'\"])([A-Za-z0-9][A-Za-z0-9_.+-]*)"
)


def named_tools(instruction: str) -> set[str]:
    """Words the request presents as a program, loosely: after "use"/"with"/"run", or quoted."""
    return {m.group(1).lower() for m in _NAMING.finditer(instruction)}


def tool_words(request: str) -> set[str]:
    """Words of the request in a place where people name the program they want."""
    found = {m.group(1) for p in _TOOL_POSITIONS for m in p.finditer(request)}
    lead = _leading_tool(request)
    if lead:
        found.add(lead)
    return {w for w in found if w.lower() not in _NOT_TOOLS} & named_words(request)


def _leading_tool(request: str) -> str | None:
    """The first word when a task verb follows it: "oma update the list of packages" -> oma."""
    m = _FIRST_WORD.match(request)
    if not m or m.group(2).lower() not in _TASK_VERBS:
        return None
    word = m.group(1).lower()
    if word in _ENGLISH_LEAD or word.endswith("ly") or _is_verb(word):
        return None
    return m.group(1)


def _is_verb(word: str) -> bool:
    """A task verb, also as "saves", "finds", "fetches" (NL2Bash writes its requests that way)."""
    return word in _TASK_VERBS or word[:-1] in _TASK_VERBS or (word.endswith("es") and word[:-2] in _TASK_VERBS)
