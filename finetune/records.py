"""One training/dev example as stored in the JSONL files `python -m finetune data` writes."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from nlsh.prompt import PromptContext


class Record(BaseModel):
    instruction: str
    answer: str  # a shell command, or home actions in nlsh.home.answer's format
    context: PromptContext = PromptContext()
    source: str  # tldr | nl2bash | home
    # Near-duplicates share a group (tldr page, NL2Bash command template, home template); the
    # dev split is drawn by group so no group straddles train and dev.
    group: str
    utility: str = ""  # first utility of the command, for balancing and same-utilities scoring
    # Home records: the registry of the home the example was generated in (nlsh.home.registry
    # Registry, dumped), so evaluation can run the real per-home grammar and validator.
    registry: dict | None = None
    # What a near-duplicate in another group shares with this record (`twin_keys` of finetune.tldr
    # and finetune.nl2bash). Only the data builder uses them, to keep such twins on one side of the
    # split; they are not written out.
    twin_keys: list[str] = Field(default_factory=list, exclude=True)


def read_records(path: Path) -> list[Record]:
    """The records of one JSONL file (train.jsonl, dev.jsonl, or any file in the same format)."""
    with Path(path).open(encoding="utf-8") as f:
        return [Record.model_validate_json(line) for line in f if line.strip()]
