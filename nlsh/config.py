"""The user's settings: $XDG_CONFIG_HOME/nlsh/config.toml read into a pydantic model.

Every key is optional; a missing file means the defaults. A key nlsh does not know, or a value of the
wrong kind, is an error naming the file and the key, so a typo never silently does nothing.

    model = "smollm2"            # or gemma3, a path to a .gguf, ollama:NAME[:TAG], hf:REPO/FILE.gguf,
                                 # lmstudio:NAME (nlsh.model_sources); with `server`: the server's model
    lora = "none"                # or a path; unset = the adapter nlsh ships
    merge = true                 # run model + adapter merged into one Q8_0 file, built once in the cache
    registry = "~/home.yaml"     # device registry used when --devices is not given
    default_answer = "abort"     # abort | execute | edit | explain
    color = "auto"               # auto | always | never
    grammar = "format"           # format | path (first word installed or named in the request)
    min_confidence = 0.2
    cache = true
    threads = 0                  # 0 = as many as there are idle cores
    rules_off = []               # decoding rules to switch off by name (nlsh.decoding.rules)
    server = "http://gpu.lan:8080"   # an OpenAI-compatible model server (nlsh.server); unset = local
    server_api = "auto"          # auto | llama.cpp | vllm | openai
    server_timeout = 30          # seconds per request; the token comes from $NLSH_SERVER_TOKEN

    [retrieval]
    tools = 3
    examples = 2
    bundled = true               # nlsh's own everyday examples

    [home]
    backend = "print"            # print | mqtt | homeassistant
    [home.mqtt]
    host = "localhost"
    port = 1883
    topic = "nlsh/{device_id}/set"
    [home.homeassistant]
    url = "http://localhost:8123"
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nlsh.errors import UsageError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RetrievalConfig(_Strict):
    # How many utility summaries and how many (instruction, command) examples go into the prompt.
    tools: int = Field(default=3, ge=0, le=10)
    examples: int = Field(default=2, ge=0, le=10)
    # Read the user's tldr client cache for hints and examples when one exists.
    tldr: bool = True
    # Show nlsh's own everyday pairs as examples when one asks what the request asks.
    bundled: bool = True


class MqttConfig(_Strict):
    host: str = "localhost"
    port: int = Field(default=1883, ge=1, le=65535)
    topic: str = "nlsh/{device_id}/set"
    qos: int = Field(default=1, ge=0, le=2)
    username: str | None = None
    password: str | None = None
    timeout: float = Field(default=5.0, gt=0)
    tls: bool = False


class HomeAssistantConfig(_Strict):
    url: str = "http://localhost:8123"
    # The token itself is read from $NLSH_HA_TOKEN; a token in a config file tends to leak.
    token_env: str = "NLSH_HA_TOKEN"
    timeout: float = Field(default=10.0, gt=0)


class HomeConfig(_Strict):
    backend: Literal["print", "mqtt", "homeassistant"] = "print"
    # Send the remaining actions after one fails (default: stop at the first failure).
    continue_on_error: bool = False
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    homeassistant: HomeAssistantConfig = Field(default_factory=HomeAssistantConfig)


class Config(_Strict):
    model: str | None = None
    lora: str | None = None
    # Run the model and its adapter merged into one Q8_0 GGUF (nlsh.merge), built once into the
    # cache: faster than applying the adapter at every token; false runs them as two files.
    merge: bool = True
    registry: str | None = None
    default_answer: Literal["abort", "execute", "edit", "explain"] = "abort"
    color: Literal["auto", "always", "never"] = "auto"
    grammar: Literal["format", "path"] = "format"
    min_confidence: float = Field(default=0.2, ge=0.0, le=1.0)
    cache: bool = True
    # CPU threads for the model; 0 picks from the cores that are idle right now.
    threads: int = Field(default=0, ge=0, le=256)
    # Decoding rules switched off by name (nlsh.decoding.rules): to measure what each one adds.
    rules_off: list[str] = Field(default_factory=list)
    # A model server decoding in place of the local model (nlsh.server, docs/servers.md); nothing
    # is sent anywhere unless this is set.
    server: str | None = None
    server_api: Literal["auto", "llama.cpp", "vllm", "openai"] = "auto"
    server_timeout: float = Field(default=30.0, gt=0)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    home: HomeConfig = Field(default_factory=HomeConfig)

    @field_validator("color", mode="before")
    @classmethod
    def _color_bool(cls, value):
        # `color = false` reads naturally in TOML; map booleans onto the named modes.
        if value is True:
            return "always"
        if value is False:
            return "never"
        return value

    @field_validator("model", "lora", "registry")
    @classmethod
    def _expand(cls, value):
        return os.path.expanduser(value) if value else value


def _xdg(variable: str, default: str) -> Path:
    """$VARIABLE/nlsh, or ~/DEFAULT/nlsh; the XDG spec says relative values are to be ignored."""
    base = os.environ.get(variable, "")
    return (Path(base) if base and os.path.isabs(base) else Path.home() / default) / "nlsh"


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share")


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache")


def config_path() -> Path:
    """$NLSH_CONFIG if set, else $XDG_CONFIG_HOME/nlsh/config.toml."""
    env = os.environ.get("NLSH_CONFIG")
    return Path(env).expanduser() if env else config_dir() / "config.toml"


def learned_path() -> Path:
    """The user's (instruction, command) pairs learned from edits (nlsh.learned), one JSON object a line."""
    return data_dir() / "learned.jsonl"


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read the config file; a missing file (unless named explicitly) gives the defaults."""
    explicit = path is not None
    path = Path(path) if path is not None else config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"The config file {path} does not exist.") from None
        return Config()
    except OSError as exc:
        raise UsageError(f"The config file {path} cannot be read: {exc.strerror}.") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"The config file {path} is not valid UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"The config file {path} is not valid TOML: {exc}.") from None
    return parse_config(data, path)


def parse_config(data: dict, path: str | os.PathLike = "config.toml") -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise UsageError(_explain(exc, path)) from None


def _explain(exc: ValidationError, path) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"The config file {path} has an unknown key `{key}`."
    msg = err["msg"]
    # pydantic's messages start with a capital ("Input should be ..."); fold them into our sentence.
    msg = msg[0].lower() + msg[1:] if msg else "is invalid"
    return f"The config file {path} has a bad value for `{key}`: {msg}."
