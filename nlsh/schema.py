"""The data nlsh passes between its parts: proposals, actions and validator verdicts (SPEC sections 2-3)."""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal, Union

from pydantic import BaseModel, Field


class Risk(str, Enum):
    safe = "safe"
    caution = "caution"
    dangerous = "dangerous"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def worst(cls, levels) -> "Risk":
        return max(levels, key=lambda r: r.rank, default=cls.safe)


_RANK = {Risk.safe: 0, Risk.caution: 1, Risk.dangerous: 2}


class Verdict(BaseModel):
    """What the validator says about one command (the `--check` JSON)."""

    command: str
    risk: Risk = Risk.safe
    reasons: list[str] = Field(default_factory=list)
    valid: bool = True
    warnings: list[str] = Field(default_factory=list)


class Action(BaseModel):
    """One smart-home action: a Home Assistant service call on one entity."""

    device: str
    action: str
    args: dict[str, Any] = Field(default_factory=dict)


class ShellProposal(BaseModel):
    kind: Literal["shell"] = "shell"
    instruction: str
    command: str
    risk: Risk = Risk.safe
    reasons: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    warnings: list[str] = Field(default_factory=list)
    # Which model answered: the model nlsh ran, or a server's model and the server's URL.
    model: str | None = None


class HomeProposal(BaseModel):
    kind: Literal["home"] = "home"
    instruction: str
    actions: list[Action]
    risk: Risk = Risk.caution
    reasons: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    warnings: list[str] = Field(default_factory=list)
    model: str | None = None


Proposal = Union[ShellProposal, HomeProposal]


class Failure(BaseModel):
    """The JSON line for an instruction that produced no proposal."""

    instruction: str
    error: str
