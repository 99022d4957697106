"""The execution-checked dev benchmark (bench/exec_dev/*.jsonl): its task format and reading it.

Each task is judged by running: an answer is right when it does what one of the task's references
does on the judge's file tree (finetune.judge). bench/exec_dev/README.md describes the files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from finetune.judge import Expect

BENCH_DIR = Path(__file__).resolve().parent.parent / "bench" / "exec_dev"
ALTS_FILE = "alts.json"  # second references written by hand, kept apart from the generated task files


class BenchTask(BaseModel):
    id: str
    request: str
    references: list[str]  # commands that do what the request asks; the first is the canonical one
    expect: Expect
    source: Literal["everyday", "compositional", "flag"]
    family: str  # utility family (find, text, archive, ...)
    group: str  # the template or everyday task: training never sees a group of the benchmark
    # A second reference written by a person, spelled differently, that does the same: the judge's
    # own check (it should score close to 100%). Not one of `references`.
    alt: str | None = None


class Alt(BaseModel):
    """A hand-written second reference for the task `id`, written against `reference` (the task's
    first reference then): if the generator later changes that task, the alt no longer applies."""

    id: str
    reference: str
    alt: str


def read_bench(folder: Path = BENCH_DIR) -> list[BenchTask]:
    """Every task of the folder's *.jsonl files, with the alts of its alts.json merged in."""
    folder = Path(folder)
    tasks = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if line.strip():
                    try:
                        tasks.append(BenchTask.model_validate_json(line))
                    except ValidationError as e:
                        err = e.errors()[0]
                        where = ".".join(str(x) for x in err["loc"])
                        raise ValueError(f"{path}:{number} is not a benchmark task ({where}: {err['msg']})") from None
    alts_path = folder / ALTS_FILE
    if alts_path.exists():
        alts = {a.id: a for a in (Alt.model_validate(x) for x in json.loads(alts_path.read_text(encoding="utf-8")))}
        for t in tasks:
            a = alts.get(t.id)
            if t.alt is None and a is not None and a.reference in t.references:
                t.alt = a.alt
    return tasks
