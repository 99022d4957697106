"""Where device actions go: `print` (a dry run), an MQTT broker, or Home Assistant; make_backend
turns the [home] table of the configuration into one of them."""

from __future__ import annotations

from typing import IO

from nlsh.errors import UsageError
from nlsh.home.backends.base import Backend
from nlsh.home.backends.printer import PrintBackend


def make_backend(config=None, stream: IO[str] | None = None) -> Backend:
    """The backend the configuration's [home] table names (nlsh.config.HomeConfig; None: print)."""
    from nlsh.config import HomeConfig

    config = config or HomeConfig()
    if config.backend == "print":
        return PrintBackend(stream=stream, continue_on_error=config.continue_on_error)
    if config.backend == "mqtt":
        from nlsh.home.backends.mqtt import MqttBackend

        return MqttBackend(**config.mqtt.model_dump(), continue_on_error=config.continue_on_error)
    if config.backend == "homeassistant":
        from nlsh.home.backends.homeassistant import HomeAssistantBackend

        return HomeAssistantBackend(**config.homeassistant.model_dump(), continue_on_error=config.continue_on_error)
    raise UsageError(f"unknown home backend '{config.backend}' (known: print, mqtt, homeassistant).")
