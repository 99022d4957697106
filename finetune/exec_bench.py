"""The execution-checked dev benchmark (bench/exec_dev/*.jsonl): its task format and reading it.

Each task is judged by running: an answer is right when it does what one of the task's references
does on the judge's file tree (finetune.judge). bench/exec_dev/README.md describes the files.
"""

from __future__ import annotations

import json
import re
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


_FOLDERS = re.compile(r"(?:[\w.~-]+/)+P\b")


class LeakFilter:
    """Tells a training record that would leak a benchmark task.

    A compositional or flag task holds out a command shape: a record leaks when its command with the
    values masked (nl2bash.mask; the folders before a masked file go too, `logs/app.log` and
    `server.log` are one value) is such a task's reference so masked. An everyday task holds out a
    request as people word it, not its command's shape: "make deploy.sh executable" must still be
    taught by other wordings and values, since users ask for `chmod +x` every day, so a record
    leaks only when its request is the task's (values masked) or shares the task's command shape
    and most of its words (REQUEST_OVERLAP). Masking shapes alone dropped 5,707 of 24,088 core pairs
    for 305 everyday tasks (every `md5sum F`, `tac F`, `wc -c F`). Groups keep the benchmark's
    templates out of the generated data; this catches the same task reaching training by another
    source (NL2Bash, tldr, the everyday pairs)."""

    # Share of an everyday task's request words a record with the task's command shape must hold to
    # count as its near-duplicate.
    REQUEST_OVERLAP = 0.5

    def __init__(self, tasks: list[BenchTask]):
        self.commands = {self.command_key(c) for t in tasks if t.source != "everyday" for c in self._commands(t)}
        self.requests = {self.request_key(t.request) for t in tasks}
        self.everyday: dict[str, list[set[str]]] = {}
        for t in tasks:
            if t.source == "everyday":
                for c in self._commands(t):
                    self.everyday.setdefault(self.command_key(c), []).append(self._words(t.request))

    @staticmethod
    def _commands(t: BenchTask) -> list[str]:
        return t.references + ([t.alt] if t.alt else [])

    @staticmethod
    def command_key(command: str) -> str:
        from finetune.nl2bash import mask

        return _FOLDERS.sub("P", mask(command))

    @staticmethod
    def request_key(request: str) -> str:
        from finetune.nl2bash import mask, words

        return words(_FOLDERS.sub("P", mask(request)))

    @classmethod
    def _words(cls, request: str) -> set[str]:
        return set(cls.request_key(request).split()) - {"p", "n", "q"}

    def leaks(self, request: str, command: str) -> bool:
        key = self.command_key(command)
        if key in self.commands or self.request_key(request) in self.requests:
            return True
        said = self._words(request)
        return any(len(said & task) >= self.REQUEST_OVERLAP * max(1, len(task)) for task in self.everyday.get(key, ()))

    def keep(self, records: list) -> tuple[list, int]:
        """The records that leak nothing (Record: instruction, answer), and how many were dropped."""
        kept = [r for r in records if not self.leaks(r.instruction, r.answer)]
        return kept, len(records) - len(kept)
