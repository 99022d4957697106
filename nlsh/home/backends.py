"""Where device actions go: the common interface, the dry-run `print` backend, and the factory that
turns configuration into a backend (the MQTT and Home Assistant ones live in their own modules)."""

from __future__ import annotations

import json
import sys
from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import IO, Iterator, Literal

from pydantic import BaseModel

from nlsh.errors import UsageError
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


class PrintBackend(Backend):
    """Dry run: writes each action as the JSON a real backend would receive, one per line."""

    name = "print"

    def __init__(self, stream: IO[str] | None = None, continue_on_error: bool = False):
        super().__init__(continue_on_error)
        self.stream = stream

    def send(self, action: Action) -> None:
        out = self.stream or sys.stdout
        out.write(json.dumps(action.model_dump(), separators=(", ", ": ")) + "\n")
        out.flush()


def make_backend(config=None, stream: IO[str] | None = None) -> Backend:
    """The backend the configuration's [home] table names (nlsh.config.HomeConfig; None: print)."""
    from nlsh.config import HomeConfig

    config = config or HomeConfig()
    if config.backend == "print":
        return PrintBackend(stream=stream, continue_on_error=config.continue_on_error)
    if config.backend == "mqtt":
        from nlsh.home.mqtt import MqttBackend

        return MqttBackend(**config.mqtt.model_dump(), continue_on_error=config.continue_on_error)
    if config.backend == "homeassistant":
        from nlsh.home.homeassistant import HomeAssistantBackend

        return HomeAssistantBackend(**config.homeassistant.model_dump(), continue_on_error=config.continue_on_error)
    raise UsageError(f"unknown home backend '{config.backend}' (known: print, mqtt, homeassistant).")
