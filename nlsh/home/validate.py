"""The validator for device actions: whatever produced them (the model, a user's edit, a script),
nothing unknown, out of range or self-contradictory reaches a backend, and the risky ones say so."""

from __future__ import annotations

from nlsh.home.answer import format_answer, format_value
from nlsh.home.catalog import ARGS, DOMAINS, ENTRY_COVER_CLASSES
from nlsh.home.registry import Device, Registry
from nlsh.schema import Action, Risk, Verdict

_ENTRY_WORDS = ("garage", "gate", "door")


def _arg_problem(device: Device, name: str, value: object) -> str | None:
    spec = ARGS[name]
    shown = format_value(value)
    if spec.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{name} must be a whole number, not '{shown}'"
        lo, hi = spec.lo, spec.hi
    elif spec.kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return f"{name} must be a number, not '{shown}'"
        lo, hi = device.temp_range if name == "temperature" else (spec.lo, spec.hi)
    elif spec.kind == "enum":
        if value not in spec.choices:
            return f"{name} '{shown}' is not one of the known values"
        return None
    elif spec.kind == "bool":
        return None if isinstance(value, bool) else f"{name} must be true or false, not '{shown}'"
    else:  # digits
        ok = isinstance(value, str) and value.isdigit() and spec.lo <= len(value) <= spec.hi
        return None if ok else f"{name} must be {int(spec.lo)} to {int(spec.hi)} digits"
    if not lo <= value <= hi:
        problem = f"{name} {shown} is out of range ({format_value(float(lo))}-{format_value(float(hi))})"
        if name == "volume_level" and 1 < value <= 100:
            # "volume to 40%" written as 40: say what the percent is on SPEC's 0-1 scale
            problem += f"; {shown}% is {format_value(value / 100)}"
        return problem
    return None


def _action_problems(a: Action, device: Device) -> list[str]:
    spec = DOMAINS[device.domain]
    act = spec.actions.get(a.action)
    if act is None:
        return [f"{a.device}: {device.domain} has no action '{a.action}'"]
    if not device.has(act.feature):
        return [f"{a.device}: {a.action} needs the '{act.feature}' feature, which this device does not list"]
    problems = []
    for name, value in a.args.items():
        if name not in act.args:
            problems.append(f"{a.device}: {a.action} takes no field '{name}'")
        elif not device.has(ARGS[name].feature):
            problems.append(f"{a.device}: {name} needs the '{ARGS[name].feature}' feature, which this device does not list")
        else:
            p = _arg_problem(device, name, value)
            if p:
                problems.append(f"{a.device}: {p}")
    for name in act.required:
        if name not in a.args:
            problems.append(f"{a.device}: {a.action} needs {name}")
    return problems


def _is_entry_cover(device: Device) -> bool:
    if device.device_class is not None:
        return device.device_class in ENTRY_COVER_CLASSES
    # No class given: judge by its words, so an unclassified "garage door" is not treated as blinds.
    words = f"{device.object_id} {device.name}".lower()
    return any(w in words for w in _ENTRY_WORDS)


def action_risk(a: Action, device: Device) -> tuple[Risk, str | None]:
    """Every device action changes state (caution); SPEC section 2 names the dangerous ones."""
    if device.domain == "lock" and a.action == "unlock":
        return Risk.dangerous, f"unlocks {device.name} ({a.device})"
    if device.domain == "cover" and _is_entry_cover(device):
        opens = a.action == "open_cover" or (
            a.action == "set_cover_position" and not (isinstance(a.args.get("position"), int) and a.args["position"] == 0)
        )
        if opens:
            kind = device.device_class or "door"
            return Risk.dangerous, f"opens {device.name} ({a.device}, a {kind})"
    if device.domain == "alarm_control_panel" and a.action == "alarm_disarm":
        return Risk.dangerous, f"disarms {device.name} ({a.device})"
    return Risk.caution, None


def _conflicts(actions: list[Action], registry: Registry) -> list[str]:
    problems = []
    seen: dict[str, list[Action]] = {}
    for a in actions:
        for b in seen.get(a.device, []):
            if b.action == a.action:
                what = "is given twice" if b.args == a.args else "is given twice with different values"
                problems.append(f"{a.device}: {a.action} {what}")
                continue
            dev = registry.get(a.device)
            groups = DOMAINS[dev.domain].exclusive if dev and dev.domain in DOMAINS else ()
            if any(a.action in g and b.action in g for g in groups):
                problems.append(f"{a.device}: {b.action} and {a.action} contradict each other")
        seen.setdefault(a.device, []).append(a)
    return problems


def check_actions(actions: list[Action], registry: Registry) -> Verdict:
    """Validate actions against the registry. `valid` is False with the reasons when a device is
    unknown, an action or field is not allowed for the device, a value is out of range or of the
    wrong type, or actions repeat or contradict each other. The risk is the worst action's."""
    command = format_answer(actions)
    problems: list[str] = []
    risky: list[str] = []
    levels: list[Risk] = []
    if not actions:
        problems.append("no device actions were given")
    for a in actions:
        device = registry.get(a.device)
        if device is None:
            problems.append(f"no such device: {a.device}")
            continue
        own = _action_problems(a, device)
        problems.extend(own)
        level, reason = action_risk(a, device)
        levels.append(level)
        if reason:
            risky.append(reason)
    problems.extend(_conflicts(actions, registry))
    risk = Risk.worst(levels) if levels else Risk.caution
    return Verdict(command=command, risk=risk, reasons=problems + risky, valid=not problems)
