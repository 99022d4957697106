"""Decoding hint for shell answers: spell the tool a request names the way the request spells it.

Asked to "show notes.txt in rainbow colours with pridecat", the model knows to start
with the named tool but, never having seen the word, spells it from more familiar pieces
("prightcat", "plsksk" for plesk). While the command word is being written, a candidate token that
keeps it a prefix of a word the user typed moves up. Like nlsh.home.guide's prior it only re-ranks
the model's own best candidates, so it never writes a word the model did not start.
"""

from __future__ import annotations

import re
from typing import Callable

from nlsh.model import Guide

VERSION = "copy-1"
# Large enough to beat a misspelling the model prefers by a wide margin, small next to the gap
# between a word the model means and one it does not consider.
BOOST = 4.0
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]+")
# The command word being written: the answer so far is at most `sudo ` and part of one word.
_COMMAND_WORD = re.compile(r"\s*(?:sudo\s+)?(\S*)")


def named_words(request: str) -> set[str]:
    """Words of the request that could be a program's name (not `config.json`, `~/src`, `42`)."""
    words = (w.strip("'\"`,:;()!?") for w in request.split())
    return {w for w in words if _NAME.fullmatch(w) and not w.isdigit()}


def copy_prior(request: str, started: int = 2) -> Callable[[str], Callable[[str], float] | None]:
    """started: how many characters of a request word the model must have written itself before
    the rest is favoured (a shared first letter is no sign of copying). Favouring a named word from
    its first letter on was tried: it pushed `sudo` out where the model had put it, and it turned
    "use text editor" into `textedit`; finishing what the model started broke nothing."""
    words = named_words(request)

    def prior(text: str) -> Callable[[str], float] | None:
        m = _COMMAND_WORD.fullmatch(text)
        if m is None:
            return None  # past the command word
        sofar = m.group(1)
        live = [w for w in words if len(sofar) >= started and w.startswith(sofar) and w != sofar]
        if not live:
            return None

        def offset(piece: str) -> float:
            if not piece:
                return 0.0  # the end of the answer: a half-copied word is no command
            grown = sofar + piece
            word = re.match(r"\S*", grown).group(0)
            if len(word) == len(grown):  # still inside the word
                return BOOST if any(w.startswith(word) for w in live) else 0.0
            return BOOST if word in live else 0.0

        return offset

    return prior


def shell_guide(request: str) -> Guide:
    return Guide(prior=copy_prior(request), name=VERSION)
