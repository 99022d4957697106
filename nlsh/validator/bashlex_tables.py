"""bashlex's parse table, built once and kept in nlsh's cache.

bashlex's copy of PLY's yacc reads no table file: every `import bashlex` rebuilds the LALR table of
bash's grammar, about 0.1 s of CPU on this project's 2-core EPYC (cProfile: 0.33 s of 0.36 s in
LRTable), which was a third of a `nlsh --dry-run` answered from the translation cache. The table
depends on bashlex's grammar alone, so the first import builds it as before and saves it as JSON
under a name made of the stamps of bashlex's files and the Python version; later
imports read it back (a few ms). A missing, unreadable or foreign file is rebuilt: the only cost of
any failure here is the old import time.

install() must run before bashlex is first imported (nlsh.validator.parse calls it).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Optional

FORMAT = 1


class _Production:
    """What the LR parser reads of a grammar production while parsing."""

    def __init__(self, name: str, length: int, func: Optional[str], text: str):
        self.name, self.len, self.func, self.str = name, length, func, text
        self.callable = None

    def bind(self, pdict: dict) -> None:
        if self.func:
            self.callable = pdict[self.func]

    def __str__(self) -> str:
        return self.str


class _Table:
    def __init__(self, action: dict, goto: dict, productions: list[_Production]):
        self.lr_action, self.lr_goto, self.lr_productions = action, goto, productions


def table_file(cache: Path, package: Path) -> Path:
    """Where the table of this bashlex (its grammar and its yacc) under this Python is kept."""
    stamps = []
    for file in sorted(package.glob("*.py")):
        st = file.stat()
        stamps.append(f"{file.name}:{st.st_size}:{st.st_mtime_ns}")
    stamps.append(f"{sys.version_info[:2]}:{FORMAT}")
    return cache / f"bashlex-table-{hashlib.sha256('|'.join(stamps).encode()).hexdigest()[:16]}.json"


def dump(parser) -> bytes:
    """A freshly built parser's table (before bashlex's own fix-ups change it) as JSON."""
    return json.dumps({
        "action": {str(s): row for s, row in parser.action.items()},
        "goto": {str(s): row for s, row in parser.goto.items()},
        "productions": [[p.name, p.len, p.func, str(p)] for p in parser.productions],
    }).encode()


def load(data: bytes) -> _Table:
    raw = json.loads(data)
    return _Table({int(s): row for s, row in raw["action"].items()},
                  {int(s): row for s, row in raw["goto"].items()},
                  [_Production(*p) for p in raw["productions"]])


def install(cache: Optional[Path] = None) -> None:
    """Import bashlex with a yacc() that reads the kept table: the steps of `import bashlex`, with
    bashlex's yacc module patched between loading it and running the package, which builds the
    parser. Where any step fails, bashlex is left to import as it always did."""
    if "bashlex" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec("bashlex")
        package = Path(next(iter(spec.submodule_search_locations)))
        if cache is None:
            from nlsh.config import cache_dir

            cache = cache_dir()
        file = table_file(cache, package)
        module = importlib.util.module_from_spec(spec)
    except (ImportError, AttributeError, TypeError, ValueError, StopIteration, OSError):
        return
    sys.modules["bashlex"] = module
    try:
        yacc = importlib.import_module("bashlex.yacc")
        yacc.yacc = _kept(yacc, yacc.yacc, file)
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - whatever it was, `import bashlex` meets it again and reports it
        for name in [n for n in sys.modules if n == "bashlex" or n.startswith("bashlex.")]:
            del sys.modules[name]


def _kept(yacc, build, file: Path):
    """yacc.yacc() reading the table from `file`, or building it (as `build` does) and keeping it."""

    def kept_yacc(**kwargs):
        pdict = sys._getframe(1).f_globals  # bashlex.parser's p_ functions, as yacc() finds them
        try:
            table = load(file.read_bytes())
            for production in table.lr_productions:
                production.bind(pdict)
            return yacc.LRParser(table, pdict.get("p_error"))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        built = build(module=sys.modules[pdict["__name__"]], **kwargs)
        from nlsh.machine.index import write_atomic

        write_atomic(file, dump(built))
        return built

    return kept_yacc
