"""The Home Assistant backend and `nlsh devices import --ha` against a real Home Assistant core
(2024.3.3, with its `demo` integration) started on loopback for this module. Slow: about half a
minute once Home Assistant's own requirements are installed.

Home Assistant lives in its own virtual environment, never in nlsh's: set NLSH_HASS to its `hass`
executable, or put the venv at ../ha-venv beside the repository:

    python3.11 -m venv ../ha-venv && ../ha-venv/bin/pip install homeassistant==2024.3.3 'josepy<2'

(josepy 2 removed a name the acme package that Home Assistant 2024.3 pulls in still imports; with
it every HTTP request fails.)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from nlsh.home.backends.homeassistant import HomeAssistantBackend, HomeAssistantClient
from nlsh.home.registry import load_registry
from nlsh.home.validate import check_actions
from nlsh.schema import Action

REPO = Path(__file__).resolve().parents[1]
HASS = os.environ.get("NLSH_HASS") or str(REPO.parent / "ha-venv" / "bin" / "hass")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.access(HASS, os.X_OK), reason=f"no Home Assistant at {HASS} (set NLSH_HASS; see this file's docstring)"),
]

CONFIG = """\
homeassistant:
  name: nlsh test
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: UTC
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
onboarding:
demo:
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 10):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, resp.read()


def _wait(what: str, check, proc: subprocess.Popen, log: Path, timeout: float):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Home Assistant exited while waiting for {what}: {log.read_text()[-2000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"Home Assistant: no {what} after {timeout} s; log tail: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def home_assistant(tmp_path_factory):
    """(base URL, access token) of a fresh Home Assistant with the demo integration."""
    config = tmp_path_factory.mktemp("ha")
    port = _free_port()
    (config / "configuration.yaml").write_text(CONFIG.format(port=port))
    log = config / "ha.log"
    proc = subprocess.Popen([HASS, "-c", str(config), "--log-file", str(log)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait("HTTP API", lambda: _http("GET", f"{url}/api/onboarding")[0] == 200, proc, log, 300)
        # A fresh instance: onboarding creates the owner and hands out an authorization code.
        client_id = f"{url}/"
        body = json.dumps({"client_id": client_id, "name": "nlsh", "username": "nlsh",
                           "password": "nlsh-test-password", "language": "en"}).encode()
        _, raw = _http("POST", f"{url}/api/onboarding/users", body, {"Content-Type": "application/json"})
        code = json.loads(raw)["auth_code"]
        form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "client_id": client_id}).encode()
        _, raw = _http("POST", f"{url}/auth/token", form, {"Content-Type": "application/x-www-form-urlencoded"})
        token = json.loads(raw)["access_token"]
        auth = {"Authorization": f"Bearer {token}"}

        def demo_ready() -> bool:
            states = json.loads(_http("GET", f"{url}/api/states", headers=auth)[1])
            ids = {s["entity_id"] for s in states}
            return {"light.bed_light", "lock.front_door", "cover.garage_door", "climate.hvac"} <= ids

        _wait("demo entities", demo_ready, proc, log, 180)
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _state(url: str, token: str, entity: str) -> dict:
    return HomeAssistantClient(url, token).request("GET", f"/api/states/{entity}")


def test_import_builds_a_usable_registry(home_assistant, tmp_path: Path):
    url, token = home_assistant
    out = tmp_path / "home.yaml"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path), "NLSH_HA_TOKEN": token,
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    r = subprocess.run([sys.executable, "-m", "nlsh", "devices", "import", "--ha", url, "-o", str(out)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    reg = load_registry(out)
    bed = reg.get("light.bed_light")
    assert bed.name == "Bed Light" and bed.features == ["brightness", "color"]
    garage = reg.get("cover.garage_door")
    assert garage.device_class == "garage" and garage.features == []
    assert reg.get("cover.hall_window").features == ["position"]
    assert reg.get("climate.hvac").features == ["temperature"] and reg.get("climate.hvac").temp_range == (7, 35)
    assert "lock.front_door" in reg and "alarm_control_panel.security" in reg
    assert not any(d.domain in ("sensor", "sun", "weather") for d in reg.devices)
    # risk rules apply to what was imported
    assert check_actions([Action(device="cover.garage_door", action="open_cover")], reg).risk == "dangerous"


def test_actions_change_real_states(home_assistant):
    url, token = home_assistant
    backend = HomeAssistantBackend(url, token=token)
    results = backend.execute([
        Action(device="light.bed_light", action="turn_on", args={"brightness_pct": 40, "color_name": "red"}),
        Action(device="lock.front_door", action="unlock"),
        Action(device="climate.hvac", action="set_temperature", args={"temperature": 23}),
    ])
    assert [r.status for r in results] == ["ok", "ok", "ok"], [r.detail for r in results]
    bed = _state(url, token, "light.bed_light")
    assert bed["state"] == "on" and bed["attributes"]["brightness"] == 102 and bed["attributes"]["rgb_color"] == [255, 0, 0]
    assert _state(url, token, "lock.front_door")["state"] == "unlocked"
    assert _state(url, token, "climate.hvac")["attributes"]["temperature"] == 23


def test_a_rejected_action_stops_the_rest(home_assistant):
    url, token = home_assistant
    before = _state(url, token, "light.ceiling_lights")["state"]
    results = HomeAssistantBackend(url, token=token).execute([
        Action(device="light.bed_light", action="explode"),
        Action(device="light.ceiling_lights", action="toggle"),
    ])
    assert [r.status for r in results] == ["failed", "skipped"]
    assert results[0].detail.startswith("Home Assistant answered HTTP 400 for /api/services/light/explode")
    assert _state(url, token, "light.ceiling_lights")["state"] == before  # never sent


def test_a_wrong_token_is_reported_once_per_action(home_assistant):
    url, _ = home_assistant
    results = HomeAssistantBackend(url, token="not-a-token").execute([Action(device="light.bed_light", action="turn_off")])
    assert results[0].status == "failed" and "rejected the access token (HTTP 401)" in results[0].detail
