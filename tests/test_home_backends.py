"""Backends against real servers: a mosquitto broker started here on a free loopback port, and a
local HTTP server that speaks the part of Home Assistant's REST API nlsh uses (see
test_home_assistant_real.py for the real Home Assistant core, a slow test)."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import yaml

from nlsh.config import HomeConfig
from nlsh.errors import UsageError
from nlsh.home.backends import PrintBackend, make_backend
from nlsh.home.backends.homeassistant import HomeAssistantBackend
from nlsh.home.backends.mqtt import MqttBackend
from nlsh.home.registry import load_registry
from nlsh.schema import Action

REPO = Path(__file__).resolve().parents[1]
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)

ACTIONS = [
    Action(device="light.kitchen", action="turn_off"),
    Action(device="climate.living_room", action="set_temperature", args={"temperature": 21}),
    Action(device="light.desk", action="turn_on", args={"brightness_pct": 40, "color_name": "red"}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def start_mosquitto(tmp: Path, extra: str = "allow_anonymous true\n"):
    port = free_port()
    conf = tmp / f"mosquitto-{port}.conf"
    # Started as root, mosquitto would switch to its own user, who cannot read files under tmp_path.
    as_root = "user root\n" if os.geteuid() == 0 else ""
    conf.write_text(f"listener {port} 127.0.0.1\npersistence false\nlog_dest stderr\n{as_root}{extra}")
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_port(port, proc)
    return proc, port


needs_mosquitto = pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed (apt-get install mosquitto)")


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    proc, port = start_mosquitto(tmp_path_factory.mktemp("mqtt"))
    yield port
    proc.terminate()
    proc.wait(timeout=10)


class Subscriber:
    """A paho client that records every message on a topic filter, subscribed before it returns."""

    def __init__(self, port: int, topic: str, **auth):
        self.messages: list[tuple[str, dict, int]] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-sub-{port}-{time.time_ns()}")
        if auth:
            self.client.username_pw_set(auth["username"], auth["password"])
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.on_message = lambda c, u, m: self.messages.append((m.topic, json.loads(m.payload), m.qos))
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert subscribed.wait(5), "subscription was not acknowledged"

    def wait_for(self, n: int, timeout: float = 5.0) -> list:
        deadline = time.time() + timeout
        while len(self.messages) < n and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # anything extra would arrive now
        return list(self.messages)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@needs_mosquitto
def test_mqtt_publishes_each_action_once_in_order_with_qos1(broker):
    sub = Subscriber(broker, "nlsh/#")
    try:
        results = MqttBackend(port=broker, host="127.0.0.1").execute(ACTIONS)
        got = sub.wait_for(3)
    finally:
        sub.close()
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    assert got == [
        ("nlsh/light.kitchen/set", {"action": "turn_off", "args": {}}, 1),
        ("nlsh/climate.living_room/set", {"action": "set_temperature", "args": {"temperature": 21}}, 1),
        ("nlsh/light.desk/set", {"action": "turn_on", "args": {"brightness_pct": 40, "color_name": "red"}}, 1),
    ]


@needs_mosquitto
def test_mqtt_topic_template_placeholders(broker):
    sub = Subscriber(broker, "home/#")
    try:
        backend = MqttBackend(host="127.0.0.1", port=broker, topic="home/<domain>/{object_id}/{action}")
        results = backend.execute(ACTIONS[:2])
        got = sub.wait_for(2)
    finally:
        sub.close()
    assert all(r.ok for r in results)
    assert [t for t, _, _ in got] == ["home/light/kitchen/turn_off", "home/climate/living_room/set_temperature"]


@needs_mosquitto
def test_make_backend_from_config(broker):
    config = HomeConfig.model_validate({"backend": "mqtt", "mqtt": {"host": "127.0.0.1", "port": broker, "topic": "cfg/{device_id}"}})
    backend = make_backend(config)
    sub = Subscriber(broker, "cfg/#")
    try:
        assert all(r.ok for r in backend.execute(ACTIONS[:1]))
        assert [t for t, _, _ in sub.wait_for(1)] == ["cfg/light.kitchen"]
    finally:
        sub.close()


def test_mqtt_broker_down_is_one_sentence_per_action():
    port = free_port()  # nothing listens here
    results = MqttBackend(host="127.0.0.1", port=port, timeout=2).execute(ACTIONS)
    assert [r.status for r in results] == ["failed"] * 3
    assert results[0].detail == f"could not connect to the MQTT broker at 127.0.0.1:{port}: Connection refused."


@needs_mosquitto
def test_mqtt_refused_credentials(tmp_path: Path):
    pwfile = tmp_path / "passwd"
    subprocess.run([shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd", "-b", "-c", str(pwfile), "nlsh", "secret"],
                   check=True, capture_output=True)
    pwfile.chmod(0o600)
    proc, port = start_mosquitto(tmp_path, f"allow_anonymous false\npassword_file {pwfile}\n")
    try:
        bad = MqttBackend(host="127.0.0.1", port=port, username="nlsh", password="wrong").execute(ACTIONS[:2])
        assert [r.status for r in bad] == ["failed", "failed"]
        assert "refused the connection: Not authorized" in bad[0].detail
        sub = Subscriber(port, "nlsh/#", username="nlsh", password="secret")
        try:
            good = MqttBackend(host="127.0.0.1", port=port, username="nlsh", password="secret").execute(ACTIONS[:1])
            assert good[0].ok
            assert len(sub.wait_for(1)) == 1
        finally:
            sub.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_mqtt_rejects_bad_topic_templates():
    with pytest.raises(UsageError, match="unknown placeholder {room}"):
        MqttBackend(topic="nlsh/{room}/set")
    with pytest.raises(UsageError, match="wildcards"):
        MqttBackend(topic="nlsh/#")


def test_print_backend_writes_json_lines():
    out = io.StringIO()
    results = PrintBackend(stream=out).execute(ACTIONS[:2])
    assert all(r.ok for r in results)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [a.model_dump() for a in ACTIONS[:2]]


# -- Home Assistant REST, against a local server that records requests ------------------------

STATES = [
    {"entity_id": "light.kitchen", "state": "on",
     "attributes": {"friendly_name": "Kitchen Light", "supported_color_modes": ["hs", "color_temp"]}},
    {"entity_id": "light.hall", "state": "off", "attributes": {"friendly_name": "Hall", "supported_color_modes": ["onoff"]}},
    {"entity_id": "light.desk", "state": "off", "attributes": {"friendly_name": "Desk", "supported_color_modes": ["brightness"]}},
    {"entity_id": "cover.garage_door", "state": "closed",
     "attributes": {"friendly_name": "Garage Door", "device_class": "garage", "supported_features": 3}},
    {"entity_id": "cover.living_blinds", "state": "open",
     "attributes": {"friendly_name": "Living Room Blinds", "device_class": "blind", "supported_features": 15}},
    {"entity_id": "climate.hvac", "state": "heat",
     "attributes": {"friendly_name": "Hvac", "supported_features": 1, "min_temp": 7, "max_temp": 35, "hvac_modes": ["off", "heat"]}},
    {"entity_id": "fan.bedroom", "state": "off", "attributes": {"friendly_name": "Bedroom Fan", "supported_features": 1}},
    {"entity_id": "media_player.tv", "state": "off", "attributes": {"friendly_name": "TV", "supported_features": 21437}},
    {"entity_id": "lock.front_door", "state": "locked", "attributes": {"friendly_name": "Front Door"}},
    {"entity_id": "sensor.outside_temperature", "state": "12", "attributes": {"friendly_name": "Outside"}},
    {"entity_id": "sun.sun", "state": "above_horizon", "attributes": {}},
    {"entity_id": "switch.decorative_lights", "state": "on", "attributes": {"friendly_name": "Decorative Lights"}},
]
AREAS = {"light.kitchen": "Kitchen", "cover.living_blinds": "Living Room", "fan.bedroom": "Bedroom"}


class FakeHomeAssistant:
    def __init__(self, token: str = "good-token", areas: bool = True):
        self.requests: list[tuple[str, str, dict | None]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _reply(self, code: int, body: object, content_type: str = "application/json"):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((method, self.path, body))
                if self.headers.get("Authorization") != f"Bearer {token}":
                    return self._reply(401, "401: Unauthorized", "text/plain")
                if method == "GET" and self.path == "/api/states":
                    return self._reply(200, STATES)
                if method == "POST" and self.path == "/api/template":
                    if not areas:
                        return self._reply(400, {"message": "Error rendering template"})
                    lines = "".join(f"{s['entity_id']}\t{AREAS.get(s['entity_id'], '')}\n" for s in STATES)
                    return self._reply(200, lines, "text/plain")
                if method == "POST" and self.path.startswith("/api/services/"):
                    entity = (body or {}).get("entity_id", "")
                    if self.path == "/api/services/light/explode":
                        return self._reply(400, {"message": "Service light.explode not found."})
                    if entity == "light.broken":
                        return self._reply(500, {"message": "Error communicating with the bulb"})
                    if entity == "light.slow":
                        time.sleep(1.5)
                    return self._reply(200, [])
                return self._reply(404, "404: Not Found", "text/plain")

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def service_calls(self):
        return [(p, b) for m, p, b in self.requests if p.startswith("/api/services/")]


@pytest.fixture
def fake_ha(monkeypatch):
    monkeypatch.setenv("NLSH_HA_TOKEN", "good-token")
    ha = FakeHomeAssistant()
    yield ha
    ha.close()


def test_ha_posts_one_service_call_per_action(fake_ha):
    results = HomeAssistantBackend(fake_ha.url).execute(ACTIONS)
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    assert fake_ha.service_calls == [
        ("/api/services/light/turn_off", {"entity_id": "light.kitchen"}),
        ("/api/services/climate/set_temperature", {"entity_id": "climate.living_room", "temperature": 21}),
        ("/api/services/light/turn_on", {"entity_id": "light.desk", "brightness_pct": 40, "color_name": "red"}),
    ]


def test_ha_failure_stops_later_actions(fake_ha):
    actions = [ACTIONS[0], Action(device="light.broken", action="turn_on"), ACTIONS[1]]
    results = HomeAssistantBackend(fake_ha.url).execute(actions)
    assert [r.status for r in results] == ["ok", "failed", "skipped"]
    assert results[1].detail == (
        "Home Assistant answered HTTP 500 for /api/services/light/turn_on: Error communicating with the bulb."
    )
    assert "earlier action failed" in results[2].detail
    assert len(fake_ha.service_calls) == 2  # the third was never sent


def test_ha_continue_on_error_sends_the_rest(fake_ha):
    actions = [Action(device="light.kitchen", action="explode"), ACTIONS[0]]
    results = HomeAssistantBackend(fake_ha.url, continue_on_error=True).execute(actions)
    assert [r.status for r in results] == ["failed", "ok"]
    assert "Service light.explode not found" in results[0].detail
    assert len(fake_ha.service_calls) == 2


def test_ha_timeout_is_reported_per_action(fake_ha):
    actions = [Action(device="light.slow", action="turn_on"), ACTIONS[0]]
    results = HomeAssistantBackend(fake_ha.url, timeout=0.3).execute(actions)
    assert [r.status for r in results] == ["failed", "skipped"]
    assert results[0].detail == f"Home Assistant at {fake_ha.url} did not answer within 0.3 s."


def test_ha_bad_token_fails_everything_clearly(fake_ha, monkeypatch):
    monkeypatch.setenv("NLSH_HA_TOKEN", "stale")
    results = HomeAssistantBackend(fake_ha.url).execute(ACTIONS[:2])
    assert [r.status for r in results] == ["failed", "failed"]
    assert "rejected the access token (HTTP 401); check NLSH_HA_TOKEN" in results[0].detail


def test_ha_unreachable_and_missing_token(monkeypatch):
    monkeypatch.setenv("NLSH_HA_TOKEN", "t")
    port = free_port()
    results = HomeAssistantBackend(f"http://127.0.0.1:{port}").execute(ACTIONS[:1])
    assert results[0].detail.endswith(f"could not reach Home Assistant at http://127.0.0.1:{port}: Connection refused.")
    monkeypatch.delenv("NLSH_HA_TOKEN")
    with pytest.raises(UsageError, match="set NLSH_HA_TOKEN"):
        HomeAssistantBackend("http://127.0.0.1:1")


def _import_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": env.get("HOME", "/tmp")}
    return subprocess.run([sys.executable, "-m", "nlsh", "devices", *args], capture_output=True, text=True, env={**base, **env},
                          cwd=REPO, timeout=60)


def test_import_builds_a_registry_from_states(fake_ha, tmp_path: Path):
    out = tmp_path / "home.yaml"
    env = {"NLSH_HA_TOKEN": "good-token", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    r = _import_cli("import", "--ha", fake_ha.url, "-o", str(out), env=env)
    assert r.returncode == 0, r.stderr
    assert "Wrote 10 devices" in r.stderr
    reg = load_registry(out)
    assert [d.id for d in reg.devices] == sorted(s["entity_id"] for s in STATES if s["entity_id"].split(".")[0] not in ("sensor", "sun"))
    k = reg.get("light.kitchen")
    assert (k.name, k.area, k.features) == ("Kitchen Light", "Kitchen", ["brightness", "color"])
    assert reg.get("light.hall").features == []
    assert reg.get("light.desk").features == ["brightness"]
    assert reg.get("cover.garage_door").device_class == "garage" and reg.get("cover.garage_door").features == []
    assert reg.get("cover.living_blinds").features == ["position"]
    assert reg.get("climate.hvac").temp_range == (7, 35) and reg.get("climate.hvac").features == ["temperature"]
    assert reg.get("fan.bedroom").features == ["speed"]
    assert reg.get("media_player.tv").features == ["volume", "playback"]
    assert reg.get("switch.decorative_lights").features is None
    raw = yaml.safe_load(out.read_text())
    assert "aliases" not in raw["devices"][0]

    # An existing file is not replaced without --force, and stays as it was.
    before = out.read_text()
    r = _import_cli("import", "--ha", fake_ha.url, "-o", str(out), env=env)
    assert r.returncode == 2 and "already exists; pass --force" in r.stderr
    assert out.read_text() == before
    r = _import_cli("import", "--ha", fake_ha.url, "-o", str(out), "--force", env=env)
    assert r.returncode == 0


def test_import_errors_are_one_line(fake_ha, tmp_path: Path):
    out = tmp_path / "home.yaml"
    base = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    r = _import_cli("import", "--ha", fake_ha.url, "-o", str(out), env={**base, "NLSH_HA_TOKEN": "bad"})
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "rejected the access token" in r.stderr and not out.exists()
    r = _import_cli("import", "--ha", fake_ha.url, "-o", str(out), env=base)
    assert r.returncode == 2 and "set NLSH_HA_TOKEN" in r.stderr
    r = _import_cli("import", "--ha", f"http://127.0.0.1:{free_port()}", "-o", str(out), env={**base, "NLSH_HA_TOKEN": "x"})
    assert r.returncode == 2 and "could not reach Home Assistant" in r.stderr and "Traceback" not in r.stderr


def test_import_without_template_api_has_no_areas(monkeypatch):
    from nlsh.home.ha_import import fetch_registry

    monkeypatch.setenv("NLSH_HA_TOKEN", "good-token")
    ha = FakeHomeAssistant(areas=False)
    try:
        reg = fetch_registry(ha.url)
    finally:
        ha.close()
    assert reg.get("light.kitchen").area is None and len(reg.devices) == 10
