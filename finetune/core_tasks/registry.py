"""Every core template, and which of them the execution-checked benchmark holds out.

A held-out template is a whole command shape with all its wordings: training never sees it, so
the benchmark measures composing what was trained (an `-o` group with `-mtime`, `cut | sort | uniq
-c` on another file) rather than recalling a wording.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from finetune.core_tasks import (
    archive_templates, file_templates, find_templates, git_templates, offline_templates, sort_templates,
    system_templates, text_templates,
)
from finetune.core_tasks.model import Template

TEMPLATES: list[Template] = [
    *find_templates.TEMPLATES, *text_templates.TEMPLATES, *sort_templates.TEMPLATES, *archive_templates.TEMPLATES,
    *file_templates.TEMPLATES, *system_templates.TEMPLATES, *git_templates.TEMPLATES, *offline_templates.TEMPLATES,
]

HOLD_OUT_FRACTION = 0.3  # of the groups the benchmark may take (verifiable, deterministic output)
HOLD_OUT_SEED = "exec-dev-0"  # fixed: changing it moves templates between training and the benchmark


def held_out(t: Template) -> bool:
    """Whether the template's group is the benchmark's: drawn by a hash of the group, so adding a
    template never moves another one; only a group with a template the benchmark can use (the
    sandbox judges it, its output is the same run to run) is drawn."""
    group = group_id(t)
    return group in _benchable_groups() and _hashed(group) < HOLD_OUT_FRACTION


def group_id(t: Template) -> str:
    """The near-duplicate group of a template: its own `group`, merged with every template whose
    command or reference reads the same once values are masked as the benchmark's leak filter masks
    them (`sed -n '3p' F` and `sed -n '5,9p' F`, `find . -mtime -3` and `find . -mtime +30`)."""
    return "core:" + _clusters()[t.group]


def _hashed(group: str) -> float:
    h = hashlib.sha1(f"{HOLD_OUT_SEED}:{group}".encode()).digest()
    return int.from_bytes(h[:4], "big") / 2**32


@lru_cache(maxsize=1)
def _benchable_groups() -> frozenset[str]:
    return frozenset(group_id(t) for t in TEMPLATES if t.verifiable and t.benchable)


CLUSTER_DRAWS = 8  # commands drawn per template to find its near-duplicates


@lru_cache(maxsize=1)
def _clusters() -> dict[str, str]:
    """template group -> the name of its cluster (the first group of it in sorted order)."""
    import random

    from finetune.core_tasks.drawing import draw_tasks, render
    from finetune.core_tasks.tree_view import load_view
    from finetune.exec_bench import LeakFilter

    view = load_view(0)
    parent: dict[str, str] = {t.group: t.group for t in TEMPLATES}

    def root(g: str) -> str:
        while parent[g] != g:
            g = parent[g]
        return g

    first_of_key: dict[str, str] = {}
    for t in TEMPLATES:
        for task in draw_tasks(t, view, random.Random(f"cluster:{t.group}"), CLUSTER_DRAWS):
            for command in [task.command] + t.alternatives:
                try:
                    key = LeakFilter.command_key(render(command, task.values) if command in t.alternatives else command)
                except KeyError:
                    continue
                other = first_of_key.setdefault(key, t.group)
                a, b = sorted((root(other), root(t.group)))
                parent[b] = a
    return {g: root(g) for g in parent}
