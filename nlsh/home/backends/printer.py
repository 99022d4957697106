"""The dry-run backend: each action printed as the JSON a real backend would receive."""

from __future__ import annotations

import json
import sys
from typing import IO

from nlsh.home.backends.base import Backend
from nlsh.schema import Action


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
