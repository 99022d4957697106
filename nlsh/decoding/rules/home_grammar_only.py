"""A device answer that leaves the home grammar is decoded again under the home grammar alone.

With a registry but no --home, the grammar is "home answer | shell line", and the shell side accepts
any line, so a device answer can wander off the home grammar half-way: "kitchen lights off and heat
the living room to 21" once came out with `hvac_mode=heat_mode`. Once the answer is clearly about
devices, it is decoded again as a device answer alone.
"""

from __future__ import annotations

from nlsh.decoding.rule import DecodingRule
from nlsh.home.answer import is_home_answer
from nlsh.home.grammar import home_grammar


def redo(decoding, generation):
    asked = decoding.asked
    if decoding.grammar is None or asked.alone("home") or not is_home_answer(generation.text):
        return generation
    grammar = home_grammar(asked.registry)
    if decoding.model.accepts(grammar, generation.text):
        return generation
    return decoding.again(grammar, kinds=("home",))


RULE = DecodingRule(
    name="home-grammar-only", kind="home", version=1, redo=redo, stage="repair",
    reason='"kitchen lights off and heat the living room to 21" left the home grammar (hvac_mode=heat_mode) where a shell line was also allowed',
)
