"""Which utilities a command line uses: for balancing data, filtering NL2Bash and scoring answers."""

from __future__ import annotations

from functools import lru_cache

import bashlex

# Wrappers whose first argument is the utility that matters for "same utilities".
_WRAPPERS = {"sudo", "doas", "env", "nice", "nohup", "time", "timeout", "xargs", "watch", "exec", "command"}


@lru_cache(maxsize=100_000)
def _utilities(command: str) -> tuple[str, ...] | None:
    try:
        trees = bashlex.parse(command)
    except Exception:  # bashlex raises several unrelated types on odd input
        return None
    found: list[str] = []

    class Visitor(bashlex.ast.nodevisitor):
        def visitcommand(self, node, parts):
            words = [p.word for p in parts if p.kind == "word"]
            while words and ("=" in words[0] and not words[0].startswith("=")):
                words = words[1:]  # FOO=bar cmd
            i = 0
            while i < len(words) and words[i] in _WRAPPERS:
                wrapper = words[i]
                found.append(wrapper)
                i += 1
                # Skip the wrapper's own flags and its duration/priority ("timeout 5 cmd").
                while i < len(words) and (
                    words[i].startswith("-") or (wrapper in ("timeout", "nice") and words[i][:1].isdigit())
                ):
                    i += 1
            if i < len(words):
                found.append(words[i])

    try:
        for tree in trees:
            Visitor().visit(tree)
    except Exception:
        return None
    return tuple(w.rsplit("/", 1)[-1] for w in found)


def command_utilities(command: str) -> list[str] | None:
    """Utilities in command position, in order (None when the command does not parse)."""
    result = _utilities(command)
    return None if result is None else list(result)
