"""MQTT backend: one JSON message `{"action": ..., "args": {...}}` per action on a per-device topic,
QoS 1 by default, each acknowledged by the broker (PUBACK) before the next is sent."""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from contextlib import contextmanager
from typing import Iterator

import paho.mqtt.client as mqtt

from nlsh.errors import UsageError
from nlsh.home.backends.base import ActionFailed, Backend, BackendUnavailable
from nlsh.schema import Action

_PLACEHOLDERS = {"device_id", "domain", "object_id", "action"}


def topic_template(template: str) -> str:
    """Normalise `nlsh/<device_id>/set` to `nlsh/{device_id}/set` and check the placeholders."""
    template = re.sub(r"<(\w+)>", r"{\1}", template)
    names = set(re.findall(r"{(\w*)}", template))
    unknown = names - _PLACEHOLDERS
    if unknown:
        raise UsageError(
            f"unknown placeholder {{{sorted(unknown)[0]}}} in the MQTT topic template (known: {', '.join(sorted(_PLACEHOLDERS))})."
        )
    if "+" in template or "#" in template:
        raise UsageError("the MQTT topic template must not contain the wildcards + or #.")
    return template


def topic_for(template: str, action: Action) -> str:
    domain, _, object_id = action.device.partition(".")
    return template.format(device_id=action.device, domain=domain, object_id=object_id, action=action.action)


def payload_for(action: Action) -> bytes:
    return json.dumps({"action": action.action, "args": action.args}).encode()


class MqttBackend(Backend):
    name = "mqtt"

    def __init__(
        self,
        host: str = "localhost",
        port: int = 1883,
        topic: str = "nlsh/{device_id}/set",
        qos: int = 1,
        username: str | None = None,
        password: str | None = None,  # else $NLSH_MQTT_PASSWORD
        timeout: float = 5.0,
        tls: bool = False,
        continue_on_error: bool = False,
    ):
        super().__init__(continue_on_error)
        self.host, self.port, self.qos, self.timeout, self.tls = host, port, qos, timeout, tls
        self.username = username
        self.password = password if password is not None else os.environ.get("NLSH_MQTT_PASSWORD")
        self.template = topic_template(topic)
        self._client: mqtt.Client | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @contextmanager
    def session(self) -> Iterator[None]:
        o = self
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"nlsh-{uuid.uuid4().hex[:12]}")
        if o.username:
            client.username_pw_set(o.username, o.password)
        if o.tls:
            client.tls_set()
        answered = threading.Event()
        codes: list = []

        def on_connect(_client, _userdata, _flags, reason_code, _properties) -> None:
            codes.append(reason_code)
            answered.set()

        client.on_connect = on_connect
        try:
            client.connect(o.host, o.port, keepalive=max(5, int(o.timeout * 2)))
        except OSError as e:
            reason = e.strerror or str(e) or type(e).__name__
            raise BackendUnavailable(f"could not connect to the MQTT broker at {self.where}: {reason}.") from None
        client.loop_start()
        try:
            if not answered.wait(o.timeout):
                raise BackendUnavailable(f"the MQTT broker at {self.where} did not answer within {o.timeout:g} s.")
            if codes[0].is_failure:
                raise BackendUnavailable(f"the MQTT broker at {self.where} refused the connection: {codes[0]}.")
            self._client = client
            yield
        finally:
            self._client = None
            client.disconnect()
            client.loop_stop()

    def send(self, action: Action) -> None:
        assert self._client is not None, "send() outside session()"
        topic = topic_for(self.template, action)
        info = self._client.publish(topic, payload_for(action), qos=self.qos)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise BackendUnavailable(
                f"the MQTT broker at {self.where} dropped the connection ({mqtt.error_string(info.rc)})."
            )
        try:
            info.wait_for_publish(self.timeout)
        except (RuntimeError, ValueError) as e:
            raise BackendUnavailable(f"publishing to {topic} on {self.where} failed: {e}.") from None
        if not info.is_published():
            raise ActionFailed(
                f"the MQTT broker at {self.where} did not acknowledge {topic} within {self.timeout:g} s."
            )
