"""The registry of decoding rules: every rule named, explained by the example that motivated it, and
switched off by name through the config, the Translator and the CLI (no model)."""

from __future__ import annotations

import dataclasses

import pytest

from nlsh.api import Translator
from nlsh.config import Config
from nlsh.decoding.registry import RuleSet, describe
from nlsh.decoding.rule import ANY, Asked
from nlsh.errors import UsageError


def test_every_rule_has_a_unique_name_a_reason_with_its_example_and_a_version():
    rules = describe()
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert rule.kind in ("shell", "home", ANY), rule.name
        assert '"' in rule.reason, rule.name  # the request that went wrong, quoted
        assert rule.version >= 1, rule.name
        assert rule.guide or rule.redo, rule.name


def test_an_unknown_name_is_refused_in_one_sentence():
    with pytest.raises(UsageError, match="Unknown decoding rule `named-tools`; the rules are: named-tool,"):
        RuleSet(["named-tools"])


def test_a_rule_switched_off_takes_no_part_and_changes_the_cache_key():
    shell = ("shell",)
    everything, without = RuleSet(), RuleSet(["close-compounds"])
    assert "close-compounds" in [r.name for r in everything.active(shell)]
    assert "close-compounds" not in [r.name for r in without.active(shell)]
    assert everything.key(shell) != without.key(shell)


def test_a_new_version_of_a_rule_changes_the_cache_key(monkeypatch):
    from nlsh.decoding import registry

    before = RuleSet().key(("shell",))
    bumped = tuple(dataclasses.replace(r, version=r.version + 1) if r.name == "close-compounds" else r
                   for r in registry.RULES)
    monkeypatch.setattr(registry, "RULES", bumped)
    assert RuleSet().key(("shell",)) != before


def test_shell_rules_serve_shell_only_prompts_and_device_rules_both():
    rules = RuleSet()
    either = [r.name for r in rules.active(("home", "shell"))]
    assert "named-tool" not in either and "fallback-forks" in either  # a shell answer is still a command
    assert {"repeat-cut", "device-names", "home-grammar-only"} <= set(either)
    assert not {"device-names", "repeat-cut"} & {r.name for r in rules.active(("shell",))}
    # with every guiding rule off there is no guide at all
    guiding = [r.name for r in describe() if r.guide is not None]
    assert RuleSet(guiding).guide(Asked(request="list files", kinds=("shell",))) is None


def test_rules_are_switched_off_by_the_config_and_by_the_translator(isolated_home):
    translator = Translator(Config(rules_off=["close-compounds"]), rules_off=["said-values"], use_cache=False)
    assert not {"close-compounds", "said-values"} & translator.rules.on
    assert "named-tool" in translator.rules.on
    assert translator.guide("list files using eza").wanted is not None  # named-tool still guides


def test_a_taught_command_is_favoured_while_the_answer_follows_it():
    from nlsh.decoding.rules import taught_command
    from nlsh.prompt import Example

    taught = (Example(instruction="show my todo list", answer="cat ~/notes/todo.md"),)
    guide = taught_command.RULE.guide(Asked(request="print my todo list", kinds=("shell",), taught=taught))
    boost = taught_command.BOOST
    assert guide.prior("")("cat") == boost and guide.prior("")("todo") == 0.0
    assert guide.prior("cat ~/")("notes") == boost and guide.prior("cat ~/")("") == 0.0
    assert guide.prior("cat ~/notes/todo.md")("") == boost  # it may end where the taught command ends
    assert guide.prior("todo") is None  # once the answer leaves it, the model is on its own
    assert guide.wanted("cat ~/no") == ["tes/todo.md"]
    # Nothing taught, or taught for the opposite request: no guide at all.
    assert taught_command.RULE.guide(Asked(request="print my todo list", kinds=("shell",))) is None
    assert taught_command.RULE.guide(Asked(request="delete my todo list", kinds=("shell",), taught=taught)) is None
