"""What a caller knows about its answer, offered to the decoding loop (nlsh.decoding.runner), and how
the parts the decoding rules offer become one Guide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

# For the answer so far, a function from a candidate token's text to a logit offset, or None where
# there is no preference.
Prior = Callable[[str], Optional[Callable[[str], float]]]


@dataclass
class Guide:
    """What the caller knows about its answer format, offered to the decoding loop.

    cut(text, done): where an answer that has gone wrong should end (a character count), or None.
        Called after each token holding `cut_on` and once more at the end (done=True).
    prior(text): for the answer so far, a function from a candidate token's text to a logit offset,
        or None where the caller has no preference. Applied to the best grammar-allowed candidates
        only, so it re-ranks what the model already considers (a large offset all but decides
        between them) and never brings in a token the model did not rank, except:
    wanted(text): texts the caller expects may come next (the rest of a word the user typed); the
        tokens that begin them join the candidates the prior re-ranks even when the model ranks them
        lower, since a small model often has the right word's next piece far down its list ("aid" is
        followed by " -i" long before "e" when the user asked for aide).
    go_on(text): True where the answer so far cannot end (an `if` without its `fi`, a trailing
        pipe); there the end-of-turn token is passed over for the best token that goes on. A line
        cut short is no answer at all, and the model's next choice is usually its closing word.
    """

    cut: Callable[[str, bool], Optional[int]] | None = None
    cut_on: bytes = b";"
    prior: Prior | None = None
    wanted: Callable[[str], list[str]] | None = None
    go_on: Callable[[str], bool] | None = None


def compose(parts: Iterable[Guide]) -> Optional[Guide]:
    """One Guide from the parts the active rules offer, in their order: the priors add up (where
    none has a preference, there is none), the wanted texts join, the answer goes on where any part
    says so, and the first cut decides. None when no part offers anything."""
    parts = list(parts)
    if not parts:
        return None
    cuts = [p for p in parts if p.cut is not None]
    priors = [p.prior for p in parts if p.prior is not None]
    wanted = [p.wanted for p in parts if p.wanted is not None]
    go_on = [p.go_on for p in parts if p.go_on is not None]
    return Guide(
        cut=cuts[0].cut if cuts else None,
        cut_on=cuts[0].cut_on if cuts else b";",
        prior=summed(priors) if priors else None,
        wanted=(wanted[0] if len(wanted) == 1 else lambda text: [w for f in wanted for w in f(text)]) if wanted else None,
        go_on=(go_on[0] if len(go_on) == 1 else lambda text: any(f(text) for f in go_on)) if go_on else None,
    )


def summed(priors: list[Prior]) -> Prior:
    """The priors' offsets added up where any has a preference; a lone one's as it is."""
    if len(priors) == 1:
        return priors[0]

    def prior(text: str) -> Optional[Callable[[str], float]]:
        offsets = [o for o in (p(text) for p in priors) if o is not None]
        if not offsets:
            return None
        if len(offsets) == 1:
            return offsets[0]
        return lambda piece: sum(o(piece) for o in offsets)

    return prior


def following(texts: Iterable[str], weight: float) -> Optional[Guide]:
    """A guide favouring, by `weight` logits, the token that goes on with one of `texts` while the
    answer so far is the beginning of one, and offering it even when the model ranks it low; once
    the answer leaves them all, no preference. None for no texts."""
    texts = [t for t in dict.fromkeys(texts) if t]
    if not texts:
        return None

    # Space before the answer is no part of it: a model may begin with " switch".
    def prior(text: str) -> Optional[Callable[[str], float]]:
        sofar = text.lstrip()
        live = [t for t in texts if t.startswith(sofar)]
        if not live:
            return None

        def offset(piece: str) -> float:
            if not piece:  # the end of the answer: where one of them ends
                return weight if sofar in live else 0.0
            grown = sofar + piece if sofar else piece.lstrip()
            return weight if grown and any(t.startswith(grown) for t in live) else 0.0

        return offset

    def wanted(text: str) -> list[str]:
        sofar = text.lstrip()
        return [t[len(sofar):] for t in texts if t.startswith(sofar) and t != sofar]

    return Guide(prior=prior, wanted=wanted)
