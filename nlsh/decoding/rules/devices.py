"""What the device rules share: the request read once against the registry (nlsh.home.naming), and
a device answer read as far as it is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Optional

from nlsh.decoding.guide import Guide
from nlsh.decoding.rule import Asked
from nlsh.home.answer import is_home_answer
from nlsh.home.naming import MENTIONED, colour_lights, coverage, mentions, named_devices, named_groups, said_actions, said_values, spared, stems
from nlsh.home.registry import plain_words


@dataclass(frozen=True)
class Reading:
    """A request read against the registry."""

    scores: dict[str, float]  # device id -> how fully the request's words name it
    ids: list[str]  # every device id, sorted
    groups: list[list[str]]  # the groups named with a quantifier, each in registry order
    plural_groups: list[list[str]]  # the other groups a plural with a place names ("the bedroom lights")
    values: dict[str, set[str]]  # argument -> the values the request says for it
    actions: dict[str, set[str]]  # domain -> the actions the request's words say for it
    domain: dict[str, str]  # device id -> its domain
    said_at: dict[str, set[int]]  # device id -> where the request says its own words (well-named devices)
    named: frozenset[str]  # the devices the request names outright, groups included, spared ones not
    spared: frozenset[str]  # the devices it says to leave as they are ("except the porch light")

    def matching(self, cand: str) -> list[str]:
        """The device ids a device id being written (or written whole, then a space) can still be."""
        if " " in cand:
            return [cand.split()[0]] if cand.split()[0] in self.scores else []
        return [i for i in self.ids if i.startswith(cand)]


_READINGS: dict[tuple[int, str], tuple[object, Reading]] = {}


def reading(asked: Asked) -> Reading:
    """The request read against the registry, once per request (every device rule reads it)."""
    registry, request = asked.registry, asked.request
    key = (id(registry), request)
    held = _READINGS.get(key)
    if held is not None and held[0] is registry:
        return held[1]
    said = stems(request)
    scores = {d.id: coverage(d, said) for d in registry.devices}
    words = plain_words(request).split()
    groups, plural_groups = named_groups(registry, request)
    named = named_devices(registry, request)
    values = said_values(request)
    if "color_name" in values:  # a colour goes to the lights that take one: they are the group
        grouped = {i for g in groups + plural_groups for i in g}
        named = {i for i in named if i not in grouped or _taking_colour(registry, [i])}
        groups = [g for g in (_taking_colour(registry, g) for g in groups) if g]
        plural_groups = [g for g in (_taking_colour(registry, g) for g in plural_groups) if g]
        colour = colour_lights(registry, request, named)
        if colour:  # the request names none: the others are not named either
            groups = groups if groups or plural_groups else [colour]
            named = {i for i in named if _taking_colour(registry, [i])} | set(colour)
    found = Reading(
        scores=scores,
        ids=sorted(scores),
        groups=groups,
        plural_groups=plural_groups,
        values=values,
        actions=said_actions(request),
        domain={d.id: d.domain for d in registry.devices},
        said_at={d.id: mentions(d, words) for d in registry.devices if scores[d.id] >= MENTIONED},
        named=frozenset(named),
        spared=frozenset(spared(registry, request)),
    )
    if len(_READINGS) >= 64:
        _READINGS.clear()
    _READINGS[key] = (registry, found)
    return found


def _taking_colour(registry, ids: list[str]) -> list[str]:
    """The ids less the lights that take no colour."""
    return [i for i in ids if not (i.startswith("light.") and not registry.get(i).has("color"))]


@dataclass(frozen=True)
class SoFar:
    """A device answer as far as it is written."""

    partial: str  # the action being written, leading blanks taken off
    begun: bool  # an earlier action is written (a separator came before this one)
    written: dict[str, list[str]]  # device -> its actions written before this one

    @property
    def used(self) -> set[str]:
        return set(self.written)

    @property
    def past_device(self) -> bool:
        """Whether the device id of the action being written is whole (its action has begun)."""
        return " " in self.partial


def answer_so_far(text: str, asked: Asked) -> Optional[SoFar]:
    """The answer so far, or None where no device rule has a say: a shell command, an action that
    is no device action, or the first device id while the grammar still allows a shell command and
    the answer does not yet read as one (`ls` starts the way `light.x` does: the kind of answer is
    the model's to choose)."""
    head, sep, current = text.rpartition(";")
    partial = current.lstrip()
    if sep and not is_home_answer(head):
        return None  # a shell command
    if " " in partial and not is_home_answer(partial):
        return None
    if " " not in partial and not sep and not asked.alone("home") and "." not in partial:
        return None
    written: dict[str, list[str]] = {}
    for part in head.split(";"):
        device, action, *_ = part.split() + ["", ""]
        if device:
            written.setdefault(device, []).append(action)
    return SoFar(partial=partial, begun=bool(sep), written=written)


Offset = Optional[Callable[[str], float]]


def device_guide(asked: Asked, at: Literal["device", "action", "both"], offset: Callable[[SoFar], Offset]) -> Guide:
    """A Guide whose prior hands each point of a device answer to `offset`: where a device id is
    being written, where its action is, or both; elsewhere (a shell command) it has no preference."""

    def prior(text: str) -> Offset:
        so_far = answer_so_far(text, asked)
        if so_far is None or (at == "device" and so_far.past_device) or (at == "action" and not so_far.past_device):
            return None
        return offset(so_far)

    return Guide(prior=prior)
