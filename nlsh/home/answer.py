"""The model's answer format for device actions, defined once: the training data writes it, the
grammar allows only it, and the pipeline parses it.

    light.kitchen turn_off; climate.living_room set_temperature temperature=21
    light.desk turn_on brightness_pct=40 color_name=red
    no_device "garage heater"

One line; actions separated by "; " in the order to run them; each action is the device id, the
Home Assistant service name and key=value fields in catalog order. Values never contain spaces.
A request naming a device the home does not have is answered `no_device "<the words used>"`.
"""

from __future__ import annotations

import re

from nlsh.errors import NoTranslation
from nlsh.home.catalog import ARGS, DOMAINS
from nlsh.home.registry import is_plural
from nlsh.schema import Action

NO_DEVICE = "no_device"
NO_DEVICE_MAX = 60  # characters of the phrase; the grammar allows no more
SEPARATOR = "; "

_HOME_START = re.compile(r'^\s*(?:no_device\s+"|([a-z_]+)\.[a-z0-9_]+\s+[a-z_]+\b)')
_NO_DEVICE_ANSWER = re.compile(r'^no_device\s+"([^"]*)"\s*$')
_INT = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+)$")


class NoSuchDevice(NoTranslation):
    """The request named a device the registry does not have (the model said no_device), or one of
    several it has ("the fan" in a home with two: the message then asks which)."""

    def __init__(self, phrase: str, message: str | None = None):
        super().__init__(message or f"no such device: {phrase}")
        self.phrase = phrase


def several_in_the_singular(phrase: str, named: list) -> bool:
    """Whether a phrase names several of the home's devices in the singular ("pause the tv" with two
    TVs): one of them was meant, and which one is the user's to say."""
    return len(named) >= 2 and not is_plural(phrase.split()[-1])


def _no_device(phrase: str, registry) -> NoSuchDevice:
    """The refusal for a no_device answer: where the words name several devices of the home in the
    singular, one that asks which, as SPEC's refusals may."""
    named = registry.resolve(phrase) if registry is not None else []
    if not several_in_the_singular(phrase, named):
        return NoSuchDevice(phrase)
    names = [d.name for d in named]
    listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) <= 4 else ", ".join(names[:3]) + f" or {len(names) - 3} more"
    return NoSuchDevice(phrase, f"'{phrase}' could be {listed}: say which.")


class BadAnswer(NoTranslation):
    """Text that is not in the answer format."""


def format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _arg_order(domain: str, action: str, args: dict) -> list[str]:
    spec = DOMAINS.get(domain)
    declared = list(spec.actions[action].args) if spec and action in spec.actions else []
    return [a for a in declared if a in args] + sorted(a for a in args if a not in declared)


def format_action(action: Action) -> str:
    domain = action.device.split(".", 1)[0]
    fields = "".join(f" {k}={format_value(action.args[k])}" for k in _arg_order(domain, action.action, action.args))
    return f"{action.device} {action.action}{fields}"


def format_answer(actions: list[Action]) -> str:
    return SEPARATOR.join(format_action(a) for a in actions)


def format_no_device(phrase: str) -> str:
    """The answer for a request naming a device that does not exist; `phrase` as the user wrote it."""
    clean = " ".join(re.sub(r'["\n;<>_=]', " ", phrase).split())[:NO_DEVICE_MAX].strip()
    return f'{NO_DEVICE} "{clean}"'


def no_device_phrase(text: str) -> str | None:
    """The phrase of a no_device answer, or None for any other text."""
    m = _NO_DEVICE_ANSWER.match(text.strip())
    return m.group(1).strip() if m else None


def parse_value(name: str, text: str) -> object:
    """Convert a field's text to its type. Text that does not fit is kept as a string, so that the
    validator (not the parser) says what is wrong with it."""
    spec = ARGS.get(name)
    kind = spec.kind if spec else None
    if kind == "int" and _INT.match(text):
        return int(text)
    if kind == "number" and _NUMBER.match(text):
        return int(text) if _INT.match(text) else float(text)
    if kind == "bool" and text in ("true", "false"):
        return text == "true"
    return text


def is_home_answer(text: str) -> bool:
    """Whether a model answer is in the home format rather than a shell command."""
    m = _HOME_START.match(text)
    return bool(m) and (m.group(1) is None or m.group(1) in DOMAINS)


def parse_answer(text: str, registry=None) -> list[Action]:
    """Parse the model's home answer into actions.

    Raises NoSuchDevice for a no_device answer (and, when a registry is given, for a device id it
    does not hold), BadAnswer for text that is not in the format. Ranges, features and
    contradictions are the validator's job (nlsh.home.validate.check_actions).
    """
    text = text.strip()
    if not text:
        raise BadAnswer("the model gave an empty answer.")
    phrase = no_device_phrase(text)
    if phrase is not None:
        raise _no_device(phrase or "unnamed device", registry)
    if text.startswith(NO_DEVICE):
        raise BadAnswer(f"malformed no_device answer: {text}")
    actions: list[Action] = []
    for part in text.split(";"):
        tokens = part.split()
        if len(tokens) < 2:
            raise BadAnswer(f"expected '<device> <action> [field=value ...]', got '{part.strip()}'.")
        device, action, *fields = tokens
        if not re.match(r"^[a-z_]+\.[a-z0-9_]+$", device):
            raise BadAnswer(f"'{device}' is not a device id.")
        if registry is not None and device not in registry:
            raise NoSuchDevice(device)
        args: dict[str, object] = {}
        for f in fields:
            key, eq, value = f.partition("=")
            if not eq or not key or not value:
                raise BadAnswer(f"expected field=value, got '{f}' in '{part.strip()}'.")
            if key in args:
                raise BadAnswer(f"field '{key}' is given twice in '{part.strip()}'.")
            args[key] = parse_value(key, value)
        actions.append(Action(device=device, action=action, args=args))
    return actions
