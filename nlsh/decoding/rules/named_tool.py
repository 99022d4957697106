"""The program a request names in a tool position, spelled the way the request spells it.

A word in a tool position ("oma: install nginx", "oma update the package list", "use aide to ...",
"... using sq", "... with foot"; nlsh.words.tool_words) is the program the user wants, and a small
model starts something it knows better: `mao` for oma, `aid` for aide, `readelf` for xauth,
`prightcat` for pridecat, which it never saw. While the command word is being written, a token that
keeps it a prefix of such a word moves up; once the model has begun the word, finishing it is all
but forced, and its next piece is offered even when the model ranks it far down. Before the first
letter it is favoured only mildly: the model may rightly begin with `sudo`.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from nlsh.decoding.guide import Guide, Prior
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.words import tool_words

# Before the first letter: large enough to beat a name the model prefers by a little, small next to
# the gap between a word the model means and one it does not consider.
BOOST = 4.0
# Once begun, all but forcing: the model was seen preferring a name it knows by more than 12 logits
# (`m` going on as `magento_passwd` for mosquitto_passwd).
TOOL_BOOST = 30.0
# The command word being written: the answer so far is at most `sudo ` and part of one word.
_COMMAND_WORD = re.compile(r"\s*(?:sudo\s+)?(\S*)")


def _command_word(text: str) -> str | None:
    """The part of the command word written so far ("" before it), or None past the command word."""
    m = _COMMAND_WORD.fullmatch(text)
    return m.group(1) if m else None


def tool_prior(request: str) -> Prior:
    """The prior favouring the programs the request names in a tool position as the command word
    is written."""
    tools = tool_words(request)

    def prior(text: str) -> Optional[Callable[[str], float]]:
        sofar = _command_word(text)
        if sofar is None:
            return None
        # A word already written whole stays live so that it ends there (`oma`, not `omapkg`).
        live = [w for w in tools if w.startswith(sofar)]
        if not live:
            return None
        # While what is written could still become `sudo`, that is favoured as much: the model, not
        # the prior, chooses between them.
        firm = set(live) | ({"sudo"} if sofar and "sudo".startswith(sofar) and not text.lstrip().startswith("sudo") else set())
        weight = TOOL_BOOST if sofar else BOOST

        def offset(piece: str) -> float:
            if not piece:  # the end of the answer: fine after a whole word, never after half of one
                return weight if sofar in firm else 0.0
            grown = sofar + piece
            word = re.match(r"\S*", grown).group(0)
            if not word:
                return 0.0  # a leading space or newline is not the word begun
            if len(word) == len(grown):  # still inside the word
                return weight if any(w.startswith(word) for w in firm) else 0.0
            return weight if word in firm else 0.0

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


def _guide(asked: Asked) -> Optional[Guide]:
    if not tool_words(asked.request):
        return None
    return Guide(prior=tool_prior(asked.request), wanted=tool_rest(asked.request))


RULE = DecodingRule(
    name="named-tool", kind="shell", version=2, weight=TOOL_BOOST, unit="logits", alone=True, guide=_guide,
    reason='"initialize the database using aide" gave aid, "use mosquitto_passwd ..." magento_passwd; a program named in a tool position is favoured from its first letter and finished',
)
