"""python -m finetune {data,core,train,export,soup,eval}: build data, generate verified core pairs, train, export to
GGUF, average adapters, evaluate."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from finetune.config import TrainConfig
from finetune.core_tasks.generate import CoreConfig
from finetune.dataset import DataConfig
from finetune.evaluate import EvalConfig
from finetune.export import ExportConfig
from finetune.rft import RftConfig
from finetune.soup import SoupConfig


def field_docs(cls) -> dict[str, str]:
    """Each field's comment in the config class's source (the lines above it, or its own line's
    end): the config's comments are its flags' documentation, written once."""
    import inspect
    import re

    docs: dict[str, str] = {}
    above: list[str] = []
    for line in inspect.getsource(cls).splitlines():
        stripped = line.strip()
        field = re.match(r"(\w+)\s*:[^#]*?(?:#\s*(.*))?$", stripped)  # `name: type = default  # doc`
        if stripped.startswith("#"):
            above.append(stripped.lstrip("# "))
        elif field:
            docs[field.group(1)] = " ".join(above + ([field.group(2)] if field.group(2) else []))
            above = []
        else:
            above = []
    return docs


def _add_dataclass_args(parser: argparse.ArgumentParser, cls) -> None:
    docs = field_docs(cls)
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        flag = "--" + f.name.replace("_", "-")
        doc = docs.get(f.name, "").replace("%", "%%")  # argparse formats help with %
        help_ = f"{doc} (default: %(default)s)" if doc else "default: %(default)s"
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=help_)
        elif isinstance(default, list):
            parser.add_argument(flag, action="append", default=[], help=doc or None)
        else:
            parser.add_argument(flag, type=type(default) if not isinstance(default, Path) else Path, default=default,
                                help=help_)


def _build(cls, ns):
    return cls(**{f.name: getattr(ns, f.name) for f in dataclasses.fields(cls)})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m finetune", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, cls, help_ in (
        ("data", DataConfig, "build train/dev JSONL and a data card from ../shared/data"),
        ("core", CoreConfig, "core-utility (request, command) pairs, each command run by the judge; the held-out benchmark tasks"),
        ("train", TrainConfig, "fine-tune (LoRA by default) on the built data"),
        ("export", ExportConfig, "write the trained adapter as a llama.cpp LoRA GGUF"),
        ("soup", SoupConfig, "average several adapters' updates into one adapter (a model soup)"),
        ("eval", EvalConfig, "dev accuracy through nlsh's own inference path"),
        ("rft", RftConfig, "answers drawn for training tasks the model gets wrong, kept where the judge accepts them"),
    ):
        _add_dataclass_args(sub.add_parser(name, help=help_), cls)
    ns = ap.parse_args(argv)
    try:
        _run(ns)
    except FileNotFoundError as e:
        print(f"python -m finetune {ns.cmd}: no such file: {e.filename}", file=sys.stderr)
        return 2
    except ValueError as e:  # what the commands raise on input they cannot use
        print(f"python -m finetune {ns.cmd}: {e}", file=sys.stderr)
        return 2
    return 0


def _run(ns) -> None:
    if ns.cmd == "data":
        from finetune.dataset import build

        print(json.dumps(build(_build(DataConfig, ns)), indent=2))
    elif ns.cmd == "core":
        from finetune.core_tasks.generate import run_core

        print(json.dumps(run_core(_build(CoreConfig, ns)), indent=2))
    elif ns.cmd == "train":
        from finetune.train import train

        cfg = _build(TrainConfig, ns)
        if not cfg.base:
            from nlsh.bundled import default_model_path

            cfg.base = str(default_model_path())
        train(cfg)
    elif ns.cmd == "export":
        from finetune.export import export

        print(export(_build(ExportConfig, ns)))
    elif ns.cmd == "soup":
        from finetune.soup import soup

        print(json.dumps(soup(_build(SoupConfig, ns))))
    elif ns.cmd == "eval":
        from finetune.evaluate import run_eval

        print(run_eval(_build(EvalConfig, ns)))
    elif ns.cmd == "rft":
        from finetune.rft import rft

        print(json.dumps(rft(_build(RftConfig, ns)), indent=2))


if __name__ == "__main__":
    sys.exit(main())
