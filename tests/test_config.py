"""The config file: defaults, XDG location, and one clear error per mistake."""

from __future__ import annotations

import pytest

from nlsh.config import Config, config_path, load_config
from nlsh.errors import UsageError


def test_missing_file_means_defaults(isolated_home):
    assert not isolated_home.config_file.exists()
    assert load_config() == Config()
    assert config_path() == isolated_home.config_file


def test_a_full_file_is_read(isolated_home):
    isolated_home.write_config(
        """
model = "~/models/mine.gguf"
lora = "none"
registry = "~/home.yaml"
default_answer = "edit"
color = false
grammar = "path"
min_confidence = 0.35
cache = false
threads = 1

[retrieval]
tools = 0
examples = 4

[home]
backend = "mqtt"
continue_on_error = true

[home.mqtt]
host = "broker.lan"
port = 1884
topic = "house/{device_id}/cmd"

[home.homeassistant]
url = "http://ha.lan:8123"
"""
    )
    c = load_config()
    assert c.model == str(isolated_home.home / "models" / "mine.gguf")
    assert c.lora == "none" and c.default_answer == "edit" and c.color == "never"
    assert c.grammar == "path" and c.min_confidence == 0.35 and c.cache is False and c.threads == 1
    assert c.retrieval.tools == 0 and c.retrieval.examples == 4
    assert c.home.backend == "mqtt" and c.home.continue_on_error
    assert c.home.mqtt.host == "broker.lan" and c.home.mqtt.port == 1884
    assert c.home.mqtt.topic == "house/{device_id}/cmd"
    assert c.home.homeassistant.url == "http://ha.lan:8123"


@pytest.mark.parametrize(
    "text, key",
    [
        ("colour = 'never'\n", "colour"),
        ("[retrieval]\nhints = 3\n", "retrieval.hints"),
        ("[home.mqtt]\nhostname = 'x'\n", "home.mqtt.hostname"),
        ("min_confidence = 1.5\n", "min_confidence"),
        ("default_answer = 'yes'\n", "default_answer"),
        ("grammar = 'strict'\n", "grammar"),
        ("[home.mqtt]\nport = 'eighteen'\n", "home.mqtt.port"),
        ("cache = 'sometimes'\n", "cache"),
        ("retrieval = 3\n", "retrieval"),
    ],
)
def test_each_mistake_names_the_file_and_the_key(isolated_home, text, key):
    isolated_home.write_config(text)
    with pytest.raises(UsageError) as err:
        load_config()
    message = err.value.message
    assert str(isolated_home.config_file) in message
    assert f"`{key}`" in message
    assert "\n" not in message


def test_broken_toml_names_the_file(isolated_home):
    isolated_home.write_config("model = \n")
    with pytest.raises(UsageError, match="not valid TOML") as err:
        load_config()
    assert str(isolated_home.config_file) in err.value.message


def test_non_utf8_file(isolated_home):
    isolated_home.config_dir.mkdir(parents=True, exist_ok=True)
    isolated_home.config_file.write_bytes(b"model = '\xff'\n")
    with pytest.raises(UsageError, match="UTF-8"):
        load_config()


def test_explicit_path_must_exist(isolated_home):
    with pytest.raises(UsageError, match="does not exist"):
        load_config(isolated_home.home / "nope.toml")


def test_nlsh_config_variable_points_elsewhere(isolated_home, monkeypatch):
    other = isolated_home.home / "other.toml"
    other.write_text("grammar = 'path'\n")
    monkeypatch.setenv("NLSH_CONFIG", str(other))
    assert load_config().grammar == "path"


def test_the_cli_reports_a_bad_value_in_one_line(run_nlsh, isolated_home):
    isolated_home.write_config("[retrieval]\ntools = -1\n")
    proc = run_nlsh("--dry-run", "list files")
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "retrieval.tools" in lines[0] and str(isolated_home.config_file) in lines[0]
