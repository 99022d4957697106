"""The tool a request names, spelled the way the request spells it.

Asked to "show notes.txt in rainbow colours with pridecat", the model knows to start with the named
tool but, never having seen the word, spells it from more familiar pieces ("prightcat", "plsksk" for
plesk). While the command word is being written, a candidate token that keeps it a prefix of a word
the user typed moves up (copy-prior). Like the device priors it only re-ranks the model's own best
candidates, so it never brings in a token the model did not rank.

Any word of the request is favoured once the model has written its first characters itself. A word
in a tool position ("oma: install nginx", "oma update the package list", "use aide to ...",
"... using sq", "... with foot"; nlsh.words.tool_words) is favoured from its first character: there
the user has said which program they want, and the model otherwise starts something else it knows
better (`mao` for oma, `aid` for aide, `readelf` for xauth). Once the model has begun such a word,
finishing it is favoured firmly, and its next piece is offered even when the model ranks it far
down (named-tool).
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from nlsh.decoding.guide import Guide, Prior
from nlsh.decoding.rule import Asked, DecodingRule
from nlsh.words import named_words, tool_words

# Large enough to beat a misspelling the model prefers by a wide margin, small next to the gap
# between a word the model means and one it does not consider.
BOOST = 4.0
# Once a program named in a tool position is begun, all but forcing: the model was seen preferring a
# name it knows by more than 12 logits (`m` going on as `magento_passwd` for mosquitto_passwd).
TOOL_BOOST = 30.0
# The command word being written: the answer so far is at most `sudo ` and part of one word.
_COMMAND_WORD = re.compile(r"\s*(?:sudo\s+)?(\S*)")

def _command_word(text: str) -> str | None:
    """The part of the command word written so far ("" before it), or None past the command word."""
    m = _COMMAND_WORD.fullmatch(text)
    return m.group(1) if m else None


def copy_prior(request: str, tools: set[str], copy: bool = True, started: int = 2) -> Prior:
    """The prior favouring the request's words as the command word is written: with `copy` any of
    them the model has begun, and the `tools` (words in a tool position) from their first letter.
    started: how many characters of a request word the model must have written itself before
    the rest is favoured (a shared first letter is no sign of copying). Favouring every named word
    from its first letter on was tried: it pushed `sudo` out where the model had put it, and it
    turned "use text editor" into `textedit`; so only words in a tool position get that."""
    words = named_words(request) if copy else set(tools)

    def prior(text: str) -> Optional[Callable[[str], float]]:
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


def _copy_guide(asked: Asked) -> Guide:
    tools = tool_words(asked.request) if "named-tool" in asked.on else set()
    return Guide(prior=copy_prior(asked.request, tools))


def _tool_guide(asked: Asked) -> Guide:
    # With copy-prior on, its prior favours the tool words too (one prior, not two).
    prior = None if "copy-prior" in asked.on else copy_prior(asked.request, tool_words(asked.request), copy=False)
    return Guide(prior=prior, wanted=tool_rest(asked.request))


COPY_PRIOR = DecodingRule(
    name="copy-prior", kind="shell", version=1, weight=BOOST, unit="logits", alone=True, guide=_copy_guide,
    reason='"show notes.txt in rainbow colours with pridecat" was spelled prightcat; a request word the model has begun is finished as typed',
)
NAMED_TOOL = DecodingRule(
    name="named-tool", kind="shell", version=1, weight=TOOL_BOOST, unit="logits", alone=True, guide=_tool_guide,
    reason='"initialize the database using aide" gave aid, "use mosquitto_passwd ..." magento_passwd; a program named in a tool position is favoured from its first letter and finished',
)
