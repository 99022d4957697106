"""Home Assistant over its REST API: each action is `POST /api/services/<domain>/<action>` with
`{"entity_id": ..., **args}`. urllib only, so nlsh needs no HTTP library."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request

from nlsh.errors import UsageError
from nlsh.home.backends.base import ActionFailed, Backend, BackendUnavailable
from nlsh.schema import Action

TOKEN_ENV = "NLSH_HA_TOKEN"


class HomeAssistantError(Exception):
    """One request failed; `status` is the HTTP status (None when no answer came)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class HomeAssistantClient:
    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0, token_env: str = TOKEN_ENV):
        token = token or os.environ.get(token_env)
        if not token:
            raise UsageError(f"set {token_env} to a Home Assistant long-lived access token.")
        self.token_env = token_env
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"the Home Assistant URL must start with http:// or https://, not '{url}'.")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: object | None = None) -> object:
        """Send a request and return its JSON answer. Raises HomeAssistantError with one sentence."""
        raw = self._send(method, path, body)
        try:
            return json.loads(raw) if raw else None
        except json.JSONDecodeError:
            raise HomeAssistantError(f"Home Assistant at {self.url} sent something that is not JSON for {path}.") from None

    def request_text(self, method: str, path: str, body: object | None = None) -> str:
        return self._send(method, path, body).decode("utf-8", "replace")

    def _send(self, method: str, path: str, body: object | None) -> bytes:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            raise HomeAssistantError(self._http_message(e, path), e.code) from None
        except (TimeoutError, socket.timeout):
            raise HomeAssistantError(f"Home Assistant at {self.url} did not answer within {self.timeout:g} s.") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, (TimeoutError, socket.timeout)):
                raise HomeAssistantError(f"Home Assistant at {self.url} did not answer within {self.timeout:g} s.") from None
            reason = getattr(e.reason, "strerror", None) or str(e.reason)
            raise HomeAssistantError(f"could not reach Home Assistant at {self.url}: {reason}.") from None
        except OSError as e:
            raise HomeAssistantError(f"could not reach Home Assistant at {self.url}: {e.strerror or e}.") from None
        return raw

    def _http_message(self, e: urllib.error.HTTPError, path: str) -> str:
        if e.code == 401:
            return f"Home Assistant at {self.url} rejected the access token (HTTP 401); check {self.token_env}."
        detail = ""
        try:
            text = e.read().decode("utf-8", "replace").strip()
            parsed = json.loads(text) if text.startswith("{") else None
            detail = (parsed or {}).get("message", "") if isinstance(parsed, dict) else text[:200]
        except (OSError, ValueError):
            pass
        if e.code == 404 and path.startswith("/api/services/"):
            service = path.removeprefix("/api/services/").replace("/", ".")
            return f"Home Assistant has no service {service} (HTTP 404)."
        detail = f": {detail.rstrip('.')}" if detail else ""
        return f"Home Assistant answered HTTP {e.code} for {path}{detail}."


class HomeAssistantBackend(Backend):
    name = "homeassistant"

    def __init__(
        self,
        url: str = "http://localhost:8123",
        token: str | None = None,
        timeout: float = 10.0,
        token_env: str = TOKEN_ENV,
        continue_on_error: bool = False,
    ):
        super().__init__(continue_on_error)
        self.client = HomeAssistantClient(url, token, timeout, token_env)

    def send(self, action: Action) -> None:
        domain = action.device.split(".", 1)[0]
        try:
            self.client.request("POST", f"/api/services/{domain}/{action.action}", {"entity_id": action.device, **action.args})
        except HomeAssistantError as e:
            if e.status == 401:
                raise BackendUnavailable(str(e)) from None
            raise ActionFailed(str(e)) from None
