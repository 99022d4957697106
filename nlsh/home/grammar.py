"""A GBNF grammar generated from one home's registry: the model can only write existing device ids,
the actions each device's domain and features allow (a colour only for a light with the color
feature, a level only for a dimmable one), and field values in range (the answer format of
nlsh.home.answer): volume 0-1 with at most two decimals, a thermostat's own setpoint range, and no
level of 0 where 0 means another action (catalog.ArgSpec.least_generated: brightness 0 is turn_off).

Device ids and colour names are emitted as a radix tree rather than a flat list of alternatives:
llama.cpp checks every candidate token against every live grammar stack, and a flat list of 500 ids
keeps 500 stacks alive at the first character, a tree only as many as there are distinct next
characters. bench/home_grammar.py measures what that costs per token.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict

from nlsh.home.answer import NO_DEVICE_MAX
from nlsh.home.catalog import ARGS, CSS3_COLORS, HVAC_MODES, allowed_actions, allowed_args
from nlsh.home.registry import Device, Registry

PREFIX = "home-"  # every rule here starts with it, so a shell grammar can sit beside it


def _lit(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _same_length(a: str, b: str) -> list[str]:
    """Sequences matching exactly the numbers a..b, both written with the same number of digits."""
    if a == b:
        return [_lit(a)]
    if len(a) == 1:
        return [f"[{a}-{b}]"]
    if a[0] == b[0]:
        return [f"{_lit(a[0])} {rest}" for rest in _same_length(a[1:], b[1:])]
    n = len(a) - 1
    out: list[str] = []
    first, last = int(a[0]), int(b[0])
    if a[1:] != "0" * n:
        out += [f"{_lit(a[0])} {rest}" for rest in _same_length(a[1:], "9" * n)]
        first += 1
    tail: list[str] = []
    if b[1:] != "9" * n:
        tail = [f"{_lit(b[0])} {rest}" for rest in _same_length("0" * n, b[1:])]
        last -= 1
    if first <= last:
        head = _lit(str(first)) if first == last else f"[{first}-{last}]"
        out.append(head + " [0-9]" * n)
    return out + tail


def int_range(lo: int, hi: int) -> str:
    """A GBNF expression for the whole numbers lo..hi (non-negative, no leading zeros)."""
    lo = max(0, lo)
    alts: list[str] = []
    for digits in range(len(str(lo)), len(str(hi)) + 1):
        a = max(lo, 10 ** (digits - 1) if digits > 1 else 0)
        b = min(hi, 10**digits - 1)
        if a <= b:
            alts += _same_length(str(a), str(b))
    return " | ".join(alts) if alts else '""'


def _trie(words: dict[str, str]) -> str:
    """A GBNF expression for a set of words, each followed by its continuation expression, as a
    radix tree: alternatives at every branch start with distinct characters."""

    def build(items: list[tuple[str, str]]) -> str:
        alts: list[str] = []
        done = [cont for w, cont in items if w == ""]
        if done:
            alts.append(done[0] or '""')
        rest = sorted((w, c) for w, c in items if w)
        groups: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
        for w, c in rest:
            groups.setdefault(w[0], []).append((w, c))
        for _, group in groups.items():
            prefix = group[0][0]
            for w, _c in group[1:]:
                while not w.startswith(prefix):
                    prefix = prefix[:-1]
            sub = [(w[len(prefix):], c) for w, c in group]
            if len(sub) == 1 and sub[0][0] == "":
                tail = sub[0][1]
                alts.append(f"{_lit(prefix)} {tail}".strip())
            else:
                alts.append(f"{_lit(prefix)} ({build(sub)})")
        return " | ".join(alts)

    return build(list(words.items()))


def _temp_rule(lo: float, hi: float) -> str:
    whole = int_range(math.ceil(lo), math.floor(hi))
    halves = [k for k in range(math.floor(lo), math.ceil(hi)) if lo <= k + 0.5 <= hi]
    if not halves:
        return whole
    return f"{whole} | ({int_range(halves[0], halves[-1])}) {_lit('.5')}"


def _signature(d: Device) -> tuple:
    """What the device accepts: devices that accept the same share one action rule."""
    accepts = tuple((a.name, tuple(allowed_args(a, d.features))) for a in allowed_actions(d.domain, d.features))
    temp = d.temp_range if d.domain == "climate" and d.has("temperature") else None
    return (d.domain, accepts, temp)


class _Builder:
    def __init__(self) -> None:
        self.rules: OrderedDict[str, str] = OrderedDict()

    def rule(self, name: str, body: str) -> str:
        full = PREFIX + name
        self.rules.setdefault(full, body)
        return full

    def value(self, d: Device, arg: str) -> str:
        spec = ARGS[arg]
        if arg == "temperature":
            lo, hi = d.temp_range
            return self.rule(f"temp-{_num_name(lo)}-{_num_name(hi)}", _temp_rule(lo, hi))
        if arg == "color_name":
            return self.rule("color", _trie({c: "" for c in CSS3_COLORS}))
        if arg == "hvac_mode":
            return self.rule("hvac", " | ".join(_lit(m) for m in HVAC_MODES))
        if spec.kind == "bool":
            return self.rule("bool", '"true" | "false"')
        if spec.kind == "digits":
            return self.rule("code", f"[0-9]{{{int(spec.lo)},{int(spec.hi)}}}")
        if arg == "volume_level":
            # 0, 1 or 0.x / 0.xx without a trailing zero: the one way format_value writes it
            return self.rule("level", '"0" ("." ([0-9] [1-9] | [1-9]))? | "1"')
        lo = int(spec.lo if spec.least_generated is None else spec.least_generated)
        return self.rule(f"int-{lo}-{int(spec.hi)}", int_range(lo, int(spec.hi)))

    def actions(self, d: Device, index: int) -> str:
        alts = []
        for act in allowed_actions(d.domain, d.features):
            parts = [_lit(act.name)]
            for arg in allowed_args(act, d.features):
                field = f"{_lit(' ' + arg + '=')} {self.value(d, arg)}"
                parts.append(field if arg in act.required else f"({field})?")
            alts.append(" ".join(parts))
        return self.rule(f"do-{d.domain.replace('_', '-')}-{index}", " | ".join(alts))


def _num_name(x: float) -> str:
    return format(x, "g").replace(".", "p").replace("-", "m")


def home_answer_rules(registry: Registry, tree: bool = True) -> str:
    """The GBNF rules of an answer in this home, without a root: home_grammar and the mixed grammar
    root them. `tree=False` lists device ids flat, for bench/home_grammar to show what the tree saves."""
    b = _Builder()
    by_sig: dict[tuple, str] = {}
    continuation: dict[str, str] = {}
    for d in registry.devices:
        sig = _signature(d)
        if sig not in by_sig:
            by_sig[sig] = b.actions(d, len(by_sig))
        continuation[d.id] = f'" " {by_sig[sig]}'
    lines = [
        f"{PREFIX}answer ::= {PREFIX}no-device | {PREFIX}action ({_lit('; ')} {PREFIX}action)*",
        # the words the request used for the missing device: short, and no characters of the format
        f'{PREFIX}no-device ::= "no_device \\"" [^"\\n;<>_=]{{1,{NO_DEVICE_MAX}}} "\\""',
    ]
    if continuation and tree:
        lines.append(f"{PREFIX}action ::= {_trie(continuation)}")
    elif continuation:  # flat alternatives, kept only so the benchmark can show what the tree saves
        lines.append(f"{PREFIX}action ::= " + " | ".join(f"{_lit(k)} {v}" for k, v in continuation.items()))
    else:
        # An empty registry: no action can be written, only no_device.
        lines[0] = f"{PREFIX}answer ::= {PREFIX}no-device"
    lines += [f"{name} ::= {body}" for name, body in b.rules.items()]
    return "\n".join(lines) + "\n"


_CACHE: OrderedDict[str, str] = OrderedDict()
_CACHE_SIZE = 8


def _cached(key: str, make) -> str:
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    text = make()
    _CACHE[key] = text
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return text


def home_grammar(registry: Registry) -> str:
    """GBNF for a home answer in this home. Cached per registry content."""
    return _cached("home:" + registry.content_hash, lambda: f"root ::= {PREFIX}answer\n" + home_answer_rules(registry))


_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\[(?:\\.|[^\]\\])*\]|#[^\n]*|[A-Za-z0-9_-]+|.', re.S)


def _rename_root(gbnf: str, new: str) -> str:
    """Rename the rule `root` (its definition and every reference) outside strings, classes and comments."""
    return "".join(new if tok == "root" else tok for tok in _TOKEN.findall(gbnf))


def home_or_shell_grammar(registry: Registry, shell_rule_text: str) -> str:
    """GBNF that accepts either a home answer for this registry or whatever `shell_rule_text` (a
    complete GBNF whose start rule is `root`) accepts. Cached per registry content and shell text."""
    defined = set(re.findall(r"(?m)^\s*([A-Za-z0-9_-]+)\s*::=", shell_rule_text))
    clash = sorted(n for n in defined if n.startswith(PREFIX) or n == "shell-root")
    if clash:
        raise ValueError(f"the shell grammar defines rules reserved for the home grammar: {', '.join(clash)}")
    if "root" not in defined:
        raise ValueError("the shell grammar has no root rule")
    key = f"both:{registry.content_hash}:{hash(shell_rule_text)}"

    def make() -> str:
        shell = _rename_root(shell_rule_text, "shell-root")
        return f"root ::= {PREFIX}answer | shell-root\n" + home_answer_rules(registry) + shell.rstrip("\n") + "\n"

    return _cached(key, make)
