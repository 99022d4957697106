"""The requested-sudo rule: a request that asks for root gets `sudo`, through the real model and validator."""

from __future__ import annotations

import pytest

from nlsh.decoding.rules.requested_sudo import asks_for_root, with_requested_sudo


@pytest.mark.parametrize("request_", ["start nethogs as root", "edit /etc/hosts with sudo",
                                      "run it with root privileges", "As root, find all core files"])
def test_requests_that_ask_for_root(request_):
    assert asks_for_root(request_)
    assert with_requested_sudo(request_, "tool --flag x") == "sudo tool --flag x"


@pytest.mark.parametrize("request_", ["list the root directory", "edit /etc/hosts without sudo",
                                      "show disk usage, not as root", "launch the shell as root with doas",
                                      "connect as root to the hypervisor", "use dir as the root for testing"])
def test_requests_that_do_not(request_):
    assert not asks_for_root(request_)
    assert with_requested_sudo(request_, "tool x") == "tool x"


def test_commands_that_already_get_root_or_cannot_take_sudo():
    asked = "do it as root"
    assert with_requested_sudo(asked, "echo x | sudo tee -a /etc/f") == "echo x | sudo tee -a /etc/f"
    assert with_requested_sudo(asked, "pkexec npm test") == "pkexec npm test"
    assert with_requested_sudo(asked, "cd /root") == "cd /root"  # a builtin with no program: sudo cannot run it
    assert with_requested_sudo(asked, "FOO=1 make") == "FOO=1 make"
    assert with_requested_sudo(asked, "for f in *; do rm $f; done").startswith("for ")
    assert with_requested_sudo(asked, "kill 12") == "sudo kill 12"  # /bin/kill exists
    # Read the way the validator reads commands: `su` as an argument gets no root.
    assert with_requested_sudo(asked, "grep su notes.txt") == "sudo grep su notes.txt"


def test_the_pipeline_runs_what_was_asked_for_as_root(model_paths):
    """Unguided, the shipped model answers `nethogs --root`: "root" read as an option."""
    from nlsh.config import Config
    from nlsh.api import Translator

    path, adapter = model_paths
    pipeline = Translator(Config(), model_path=path, lora=adapter, use_cache=False)
    try:
        proposal = pipeline.translate("start nethogs as root")
        assert proposal.command.split()[:2] == ["sudo", "nethogs"], proposal.command
        plain = pipeline.translate("show the current date")
        assert not plain.command.startswith("sudo"), plain.command
        commands = [p.command for p in pipeline.alternatives("start nethogs as root", 3)]
        assert len(set(commands)) == len(commands) and all(c.startswith("sudo ") for c in commands), commands
    finally:
        pipeline.close()


def test_a_cached_answer_gets_the_sudo_too(model_paths, isolated_home):
    """An answer cached before this rule existed (the model's own `nethogs --root`) comes back
    with the sudo the request asks for, and without the model being loaded."""
    from nlsh.config import Config
    from nlsh.api import Translator, clean_instruction
    from nlsh.decoding.runner import Generation

    path, adapter = model_paths
    request = clean_instruction("start nethogs as root")
    pipeline = Translator(Config(), model_path=path, lora=adapter)
    try:
        key = pipeline.answer_key(request)
        pipeline.cache.put(key, Generation(text="nethogs --root", confidence=0.9, n_tokens=4, seconds=0.1))
        cached = pipeline.generate(request)
        assert pipeline._model is None  # answered from the cache
        assert cached.text == "sudo nethogs --root"
    finally:
        pipeline.close()
