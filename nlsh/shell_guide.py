"""Decoding hint for shell answers: spell the tool a request names the way the request spells it.

Asked to "show notes.txt in rainbow colours with pridecat", the model knows to start
with the named tool but, never having seen the word, spells it from more familiar pieces
("prightcat", "plsksk" for plesk). While the command word is being written, a candidate token that
keeps it a prefix of a word the user typed moves up. Like nlsh.home.guide's prior it only re-ranks
the model's own best candidates, so it never brings in a token the model did not rank.

Any word of the request is favoured once the model has written its first characters itself. A word
in a tool position ("oma: install nginx", "oma update the package list", "use aide to ...",
"... using sq", "... with foot") is favoured from its first character: there the user has said which
program they want, and the model otherwise starts something else it knows better (`mao` for oma, `aid`
for aide, `readelf` for xauth). Once the model has begun such a word, finishing it is favoured
firmly, and its next piece is offered even when the model ranks it far down (Guide.wanted).
"""

from __future__ import annotations

import re
from typing import Callable, Collection, Mapping

from nlsh.model import Guide

VERSION = "copy-4"
GO_ON = "go-on-1"
# Large enough to beat a misspelling the model prefers by a wide margin, small next to the gap
# between a word the model means and one it does not consider.
BOOST = 4.0
# Once a program named in a tool position is begun, all but forcing: the model was seen preferring a
# name it knows by more than 12 logits (`m` going on as `magento_passwd` for mosquitto_passwd).
TOOL_BOOST = 30.0
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]+")
# The command word being written: the answer so far is at most `sudo ` and part of one word.
_COMMAND_WORD = re.compile(r"\s*(?:sudo\s+)?(\S*)")
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


def _command_word(text: str) -> str | None:
    """The part of the command word written so far ("" before it), or None past the command word."""
    m = _COMMAND_WORD.fullmatch(text)
    return m.group(1) if m else None


def copy_prior(request: str, started: int = 2) -> Callable[[str], Callable[[str], float] | None]:
    """started: how many characters of a request word the model must have written itself before
    the rest is favoured (a shared first letter is no sign of copying). Favouring every named word
    from its first letter on was tried: it pushed `sudo` out where the model had put it, and it
    turned "use text editor" into `textedit`; so only words in a tool position get that."""
    words = named_words(request)
    tools = tool_words(request)

    def prior(text: str) -> Callable[[str], float] | None:
        sofar = _command_word(text)
        if sofar is None:
            return None
        # A word already written whole stays live so that it ends there (`oma`, not `omapkg`).
        live = [w for w in words if (len(sofar) >= started or w in tools) and w.startswith(sofar)]
        if not live:
            return None

        # Once the model has begun a program the user named in a tool position, finishing it is
        # all but certain to be right, and a small model still drifts to a name it knows better
        # (`aid` ending there by 4+ logits, `om` going on as `omapkg`, `m` as `magento_passwd`).
        # While what is written could still become `sudo`, that is favoured as much: the model, not
        # the prior, chooses between them.
        strong = {w for w in live if w in tools} if sofar else set()
        if strong and "sudo".startswith(sofar) and not text.lstrip().startswith("sudo"):
            strong.add("sudo")

        def boost(fits: Callable[[str], bool]) -> float:
            if any(fits(w) for w in strong):
                return TOOL_BOOST
            return BOOST if any(fits(w) for w in live) else 0.0

        def offset(piece: str) -> float:
            if not piece:  # the end of the answer: fine after a whole word, never after half of one
                return boost(lambda w: w == sofar)
            grown = sofar + piece
            word = re.match(r"\S*", grown).group(0)
            if not word:
                return 0.0  # a leading space or newline is not the word begun
            if len(word) == len(grown):  # still inside the word
                return boost(lambda w: w.startswith(word))
            return boost(lambda w: w == word)

        return offset

    return prior


def tool_rest(request: str) -> Callable[[str], list[str]]:
    """For Guide.wanted: once the model has begun writing a program the request names in a tool
    position, the rest of that name. The model's next piece of it is often far down its list (`aid`
    then ` -i`, `om` then `apkg`), out of reach of a prior that only re-ranks its best candidates.
    Not offered before the first character: there the model may rightly begin with `sudo`."""
    tools = tool_words(request)

    def wanted(text: str) -> list[str]:
        sofar = _command_word(text)
        if not sofar:
            return []
        return [w[len(sofar) :] for w in tools if w.startswith(sofar) and w != sofar]

    return wanted


def shell_guide(request: str, copy: bool = True) -> Guide:
    """The copy prior (unless copy=False), no value glued onto an option cluster, and no end to a
    line bash reads as cut short."""
    unglued = unglued_values(request)
    if not copy:
        return Guide(prior=unglued, go_on=cut_short, name=f"{GO_ON}-{UNGLUED}")
    return Guide(prior=_sum(copy_prior(request), unglued), wanted=tool_rest(request), go_on=cut_short,
                 name=f"{VERSION}-{GO_ON}-{UNGLUED}")


UNGLUED = "unglued-1"
# The answer so far ends in a cluster of option letters (`grep -rl`).
_CLUSTER_END = re.compile(r"(?:^|\s)-[a-z]{2,}$")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")


def quoted_words(request: str) -> set[str]:
    """The first word of each value the request quotes ("search for 'def main' in src": def)."""
    found = set()
    for m in _QUOTED.finditer(request):
        words = (m.group(1) or m.group(2)).split()
        if words and words[0][:1].isalnum() and len(words[0]) >= 3:
            found.add(words[0])
    return found


def unglued_values(request: str) -> Callable[[str], Callable[[str], float] | None]:
    """Never a quoted value of the request glued onto an option cluster: asked "search for 'TODO:'
    in main.py", the model wrote `grep -rlTODO main.py`, which grep reads as -r -l -T -O -D O and
    refuses. A piece is barred there when it is three or more letters of such a value, or the whole
    of it; one or two letters may be options themselves (`-rin`). A single option letter is left
    alone, as some take their value glued on (`mysql -p'secret'`)."""
    values = quoted_words(request)

    def prior(text: str) -> Callable[[str], float] | None:
        if not values or not _CLUSTER_END.search(text):
            return None

        def offset(piece: str) -> float:
            glued = any((len(piece) >= 3 and v.startswith(piece)) or piece.startswith(v) for v in values)
            return BARRED if glued else 0.0

        return offset

    return prior


def _sum(*priors: Callable[[str], Callable[[str], float] | None]) -> Callable[[str], Callable[[str], float] | None]:
    def prior(text: str) -> Callable[[str], float] | None:
        offsets = [o for o in (p(text) for p in priors) if o is not None]
        if not offsets:
            return None
        if len(offsets) == 1:
            return offsets[0]
        return lambda piece: sum(o(piece) for o in offsets)

    return prior


def cut_short(text: str) -> bool:
    """True where bash would read on past the end of the answer so far: an `if` without its `fi`,
    a `do` without its `done`, a trailing `|` or `&&`. Trained on five such compounds in 30,000
    commands, the model ends `if [ -f x ]; then echo yes` there; barred from ending, it writes `; fi`."""
    from nlsh.validator.parse import ParseError, parse_command

    if not text.strip():
        return False
    try:
        parse_command(text)
    except ParseError as error:
        return "unexpected EOF" in str(error)
    except Exception:  # bashlex has more ways to fail than it documents; those are no sign of either
        return False
    return False


# Far below any candidate's logit: the option is never written, the model's next choice is.
BARRED = -1e9
_FLAG_WORD = re.compile(r"(?<!\S)--?[A-Za-z][\w-]*(?!\S)")


def barring_options(guide: Guide | None, options: Mapping[str, Collection[str]]) -> Guide:
    """`guide`, and never completing one of a program's barred options as a whole word in that
    program's command, nor a cluster one opens (`-l` or `-lp` after `uptime` where uptime documents
    no `-l`; `grep -l` stays). At that point the model makes its next choice, and the rest is decoded
    as usual. Whole answers ranked next by the model were worse (`uptime -l`, then `uptime --total`,
    then `system -n 1`): barring the one word keeps everything before it."""
    from nlsh.validator.options import uses_any

    base = guide.prior if guide else None

    def barred(grown: str, flag: str, start: int) -> bool:
        command = re.split(r"[|;&()]", grown[:start])[-1].split()
        return any(uses_any(flag, options.get(word.rsplit("/", 1)[-1], ())) for word in command)

    def prior(text: str) -> Callable[[str], float]:
        inner = base(text) if base else None

        def offset(piece: str) -> float:
            grown = text + piece
            if piece and any(m.end() > len(text) and barred(grown, m.group(), m.start())
                             for m in _FLAG_WORD.finditer(grown)):
                return BARRED
            return inner(piece) if inner else 0.0

        return offset

    return Guide(prior=prior, wanted=guide.wanted if guide else None, go_on=guide.go_on if guide else None,
                 name=f"{guide.name if guide else ''}-barring:" + ";".join(f"{p}:{','.join(sorted(f))}" for p, f in sorted(options.items())))
