"""What every backend is: one that sends device actions in order, with a result for each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Iterator, Literal

from pydantic import BaseModel

from nlsh.schema import Action


class ActionResult(BaseModel):
    action: Action
    status: Literal["ok", "failed", "skipped"]
    detail: str = ""  # one sentence when failed or skipped

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class BackendUnavailable(Exception):
    """The backend cannot send anything (broker down, bad credentials); carries one sentence."""


class Backend(ABC):
    """Sends actions in order. After a failure the rest are skipped unless continue_on_error."""

    name = "backend"

    def __init__(self, continue_on_error: bool = False):
        self.continue_on_error = continue_on_error

    @contextmanager
    def session(self) -> Iterator[None]:
        """Whatever one batch of actions shares (a broker connection)."""
        yield

    @abstractmethod
    def send(self, action: Action) -> None:
        """Send one action. Raise ActionFailed when only this action failed, BackendUnavailable
        when nothing more can be sent; each with one sentence."""

    def execute(self, actions: list[Action]) -> list[ActionResult]:
        results: list[ActionResult] = []
        try:
            with self.session():
                failed = False
                for a in actions:
                    if failed and not self.continue_on_error:
                        results.append(ActionResult(action=a, status="skipped", detail="not sent because an earlier action failed."))
                        continue
                    try:
                        self.send(a)
                    except ActionFailed as e:
                        failed = True
                        results.append(ActionResult(action=a, status="failed", detail=str(e)))
                    else:
                        results.append(ActionResult(action=a, status="ok"))
        except BackendUnavailable as e:
            # results so far belong to actions[:len(results)], in order
            results += [ActionResult(action=a, status="failed", detail=str(e)) for a in actions[len(results):]]
        return results


class ActionFailed(Exception):
    """One action was not carried out; carries one sentence."""
