"""An option the program's documentation lacks, or one that only prints its help, is barred and the
answer decoded again.

"how much disk space is free" gave `df -b` where df's man page has no -b: the model invents options
for tools it knows, and such a command fails. Decoded again with every one-letter option that
program's documentation lacks barred in its command, and the invented long ones, the model makes its
next choice among what exists (`df -k`; barring only `-b`, it went on to the equally invented `-c`).
An option that only prints help or version is no answer either unless asked for (`uptime -h` for
"how long has this machine been up"), so it is found and barred alike. The answer with the fewest
such options is kept, the model's own on a tie; the validator still warns about invented ones left.
"""

from __future__ import annotations

import re
from typing import Callable, Collection, Mapping, Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import DecodingRule
from nlsh.validator.options import not_an_answer, not_answering_options, uses_any

RETRIES = 2  # decodes more, each barring the options found so far
# Far below any candidate's logit: the option is never written, the model's next choice is.
BARRED = -1e9
_ASKS_FOR_HELP = re.compile(r"\b(?:help|usage|version|options)\b", re.I)
_FLAG_WORD = re.compile(r"(?<!\S)--?[A-Za-z][\w-]*(?!\S)")


def redo(decoding, generation):
    if not generation.finished or decoding.kind_of(generation.text) != "shell":
        return generation
    keep_help = bool(_ASKS_FOR_HELP.search(decoding.asked.request))
    found = not_answering_options(generation.text, keep_help)
    best, fewest = generation, len(found)
    barred: dict[str, set[str]] = {}
    for _ in range(RETRIES):
        if not found:
            break
        for utility, flag in found:
            barred.setdefault(utility, set(not_an_answer(utility, keep_help))).add(flag)
        generation = decoding.model.generate(decoding.prompt, decoding.grammar,
                                             guide=barring_options(decoding.guide, barred))
        if not generation.finished:
            break
        found = not_answering_options(generation.text, keep_help)
        if len(found) < fewest:
            best, fewest = generation, len(found)
    return best


def barring_options(guide: Optional[Guide], options: Mapping[str, Collection[str]]) -> Guide:
    """`guide`, and never completing one of a program's barred options as a whole word in that
    program's command, nor a cluster one opens (`-l` or `-lp` after `uptime` where uptime documents
    no `-l`; `grep -l` stays). At that point the model makes its next choice, and the rest is decoded
    as usual. Whole answers ranked next by the model were worse (`uptime -l`, then `uptime --total`,
    then `system -n 1`): barring the one word keeps everything before it."""
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

    return Guide(prior=prior, wanted=guide.wanted if guide else None, go_on=guide.go_on if guide else None)


RULE = DecodingRule(
    name="option-barring", kind="shell", version=1, weight=RETRIES, unit="re-decodes", redo=redo, stage="refine",
    reason='"how much disk space is free" gave df -b (df documents no -b); options the documentation lacks, and help options, are barred and the answer decoded again',
)
