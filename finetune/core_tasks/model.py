"""What the core task generator works with: templates, the tasks drawn from them, the pairs it writes."""

from __future__ import annotations

from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict

# A drawn task's values: a slot's one spelling in the command, or in a request several spellings
# ("in photos", "under photos/") of which each wording takes one.
Values = dict[str, "str | list[str]"]

# Utility families whose commands the sandbox cannot judge (no network, no services, no other
# processes, no root, nothing that runs until stopped): their pairs are kept, marked unverified and
# counted apart.
UNVERIFIABLE_FAMILIES = frozenset({"process", "network", "package", "service", "follow", "ownership"})


class Template(BaseModel):
    """One command shape with its wordings. `group` names it; templates whose commands are
    near-duplicates end up in one group (finetune.core_tasks.registry.group_id), which the benchmark
    holds out or training keeps as a whole."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    group: str
    # finetune.families' names (find, text, sort, archive, disk, files, perms, checksum, compare, date, git,
    # system, process, network, package), and service, follow, ownership for what the sandbox cannot run
    family: str
    command: str  # with {slot}s
    phrasings: list[str]  # phrase patterns (finetune.core_tasks.phrases) with {slot}s
    # Draws one task's values from the tree's facts; None when the tree has nothing that fits.
    draw: Callable[..., Values | None]
    expect: Literal["output", "output_unordered", "changes", "output_and_changes"] = "output_unordered"
    # Which benchmark file a held-out group goes to: a composed task, or one whose answer is a flag.
    kind: Literal["compositional", "flag"] = "compositional"
    # Other commands that do what the request asks (`wc -l < F` beside `wc -l F`): more references for
    # the benchmark, each kept only where the judge finds it right against itself.
    alternatives: list[str] = []
    # False where two runs of the command print different things (free memory, df, a random
    # line): fine to train on, useless as a benchmark reference.
    benchable: bool = True

    @property
    def verifiable(self) -> bool:
        return self.family not in UNVERIFIABLE_FAMILIES

class Task(BaseModel):
    """A template filled with one draw: the command, and the values its wordings use."""

    group: str
    command: str
    values: dict[str, str | list[str]]


class CorePair(BaseModel):
    request: str
    command: str
    family: str
    utility: str  # first utility of the command
    utilities: list[str]  # every utility the command runs
    construction: str  # single, flag, predicates, action, pipeline
    group: str
    verified: bool  # False: a family the sandbox cannot judge


def construction(command: str, utilities: list[str]) -> str:
    """How a command is built: what the benchmark's failures cluster on (find predicates, actions,
    pipelines)."""
    if "|" in command.replace("||", ""):
        return "pipeline"
    if utilities and utilities[0] == "find":
        if len(utilities) > 1 or " -delete" in command:
            return "action"
        tests = sum(command.count(t) for t in (" -name", " -iname", " -type", " -size", " -mtime", " -mmin",
                                               " -amin", " -atime", " -empty", " -perm", " -newer", " -maxdepth",
                                               " -path", " -user"))
        return "predicates" if tests > 1 else "single"
    return "single" if len(utilities) <= 1 else "composed"

