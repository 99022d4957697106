"""Where the model's answer loops, or is no answer of any kind, the most probable answer that leaves
its greedy path, finishes and is one is the next best answer.

Greedy decoding that loops (`grep -v '^[0-9]$[0-9]$...`; the untuned base model on "count unique ip
addresses in access.log": `bash:1:1:1...`) would loop again, and a line bash cannot parse or that
reads as prose would only be refused.
"""

from __future__ import annotations

from nlsh.decoding.rule import ANY, DecodingRule

FORKS = 6  # answers leaving the greedy path that are decoded, at most


def redo(decoding, generation):
    if generation.finished and decoding.is_answer(generation.text):
        return generation
    alternatives = decoding.model.alternatives(decoding.prompt, decoding.grammar, 1, guide=decoding.guide,
                                               max_forks=FORKS, accept=decoding.is_answer)
    finished = [g for g in alternatives if g.finished]
    return next((g for g in finished if decoding.is_answer(g.text)), finished[0] if finished else generation)


RULE = DecodingRule(
    name="fallback-forks", kind=ANY, version=1, weight=FORKS, unit="forks", redo=redo, stage="fallback",
    reason='the base model loops on "count unique ip addresses in access.log" (bash:1:1:1...); the next best answer that finishes and passes is kept',
)
