"""Filling a template: distinct commands drawn from the tree, and wordings of each."""

from __future__ import annotations

import random

from finetune.core_tasks.model import Task, Template
from finetune.core_tasks.phrases import fill, sample
from finetune.core_tasks.tree_view import TreeView


def render(template: str, values: dict) -> str:
    """A command from its template: `{slot}` takes the value's one spelling; `{{`/`}}` are braces."""
    return template.format(**{k: v if isinstance(v, str) else v[0] for k, v in values.items()})


def draw_tasks(t: Template, view: TreeView, rng: random.Random, n: int) -> list[Task]:
    """Up to n tasks with distinct commands (a few tries more, as draws repeat)."""
    tasks: dict[str, Task] = {}
    for _ in range(n * 4):
        values = t.draw(view, rng)
        if values is None:
            continue
        try:
            command = render(t.command, values)
        except KeyError:  # this draw lacks a value the template needs (a file without words)
            continue
        if command not in tasks:
            tasks[command] = Task(group=t.group, command=command, values=values)
        if len(tasks) >= n:
            break
    return list(tasks.values())


def wordings(t: Template, task: Task, rng: random.Random, n: int) -> list[str]:
    """n distinct requests for one task (fewer when the patterns have fewer)."""
    seen: list[str] = []
    for _ in range(n * 6):
        request = fill(sample(rng.choice(t.phrasings), rng), task.values, rng)
        if request and request not in seen:
            seen.append(request)
            if len(seen) >= n:
                break
    return seen
