"""Every core template, and which of them the execution-checked benchmark holds out.

A held-out template is a whole command shape with all its wordings: training never sees it, so
the benchmark measures composing what was trained (an `-o` group with `-mtime`, `cut | sort | uniq
-c` on another file) rather than recalling a wording.
"""

from __future__ import annotations

import hashlib
from collections import Counter
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

HOLD_OUT_FRACTION = 0.6  # of the groups the benchmark may take (verifiable, deterministic output)
HOLD_OUT_SEED = "exec-dev-0"  # fixed: changing it moves templates between training and the benchmark
# A group of more templates than this is a utility's whole everyday use (every `sed -i` edit, every
# awk one-liner on a file): it trains, however the hash falls.
MAX_HELD_TEMPLATES = 3
# The benchmark holds out shapes, not utilities: a group is held out only while every utility its
# commands run still trains in this many other groups (`tar -tzf` is held, `tar` trains elsewhere).
MIN_TRAINED_GROUPS = 2
# Nor does it hold out a shape nlsh's own everyday pairs teach (`chmod +x F`, `unzip F -d D`,
# `find . -name '*.py' | xargs wc -l`): those pairs ship as examples and teach what people ask every
# day, and holding their shape out would drop them from training as leaks.
CLUSTER_DRAWS = 8  # commands drawn per template to find its near-duplicates and utilities
_NOT_UTILITIES = {"cd", "sudo"}  # words in command position that say nothing about the task


def held_out(t: Template) -> bool:
    """Whether the template's group is the benchmark's (training never sees it)."""
    return group_id(t) in _held_groups()


def group_id(t: Template) -> str:
    """The near-duplicate group of a template: its own `group`, merged with every template whose
    command or reference reads the same once values are masked as the benchmark's leak filter masks
    them (`sed -n '3p' F` and `sed -n '5,9p' F`, `find . -mtime -3` and `find . -mtime +30`)."""
    return "core:" + _clusters()[0][t.group]


def _hashed(group: str) -> float:
    h = hashlib.sha1(f"{HOLD_OUT_SEED}:{group}".encode()).digest()
    return int.from_bytes(h[:4], "big") / 2**32


@lru_cache(maxsize=1)
def _held_groups() -> frozenset[str]:
    """Groups drawn by a hash (adding a template never moves another group), in hash order, among
    those with a template the benchmark can use (the sandbox judges it, its output is the same run to
    run), within MAX_HELD_TEMPLATES and MIN_TRAINED_GROUPS."""
    _, utilities, keys = _clusters()
    taught = _everyday_keys()
    members = Counter(group_id(t) for t in TEMPLATES)
    benchable = {group_id(t) for t in TEMPLATES if t.verifiable and t.benchable}
    trained = Counter(u for g in members for u in utilities[g])
    held: set[str] = set()
    for g in sorted((g for g in benchable if _hashed(g) < HOLD_OUT_FRACTION), key=_hashed):
        if members[g] <= MAX_HELD_TEMPLATES and not keys[g] & taught and all(trained[u] - 1 >= MIN_TRAINED_GROUPS for u in utilities[g]):
            held.add(g)
            trained.subtract(utilities[g])
    return frozenset(held)


def _everyday_keys() -> set[str]:
    """The command shapes (leak-filter keys) of nlsh's own everyday pairs."""
    import json

    from nlsh.bundled import EXAMPLES_FILE, data_file
    from finetune.exec_bench import LeakFilter

    lines = data_file(EXAMPLES_FILE).read_text(encoding="utf-8").splitlines()
    return {LeakFilter.command_key(json.loads(line)["answer"]) for line in lines if line.strip()}


@lru_cache(maxsize=1)
def _clusters() -> tuple[dict[str, str], dict[str, set[str]], dict[str, set[str]]]:
    """(template group -> its group's name, the first template group of it in sorted order;
    group name with the "core:" prefix -> the utilities its commands run; and -> their command
    shapes, as leak-filter keys)."""
    import random

    from finetune.core_tasks.drawing import draw_tasks, render
    from finetune.core_tasks.tree_view import load_view
    from finetune.exec_bench import LeakFilter
    from nlsh.validator import command_utilities

    view = load_view(0)
    parent: dict[str, str] = {t.group: t.group for t in TEMPLATES}

    def root(g: str) -> str:
        while parent[g] != g:
            g = parent[g]
        return g

    first_of_key: dict[str, str] = {}
    used: dict[str, set[str]] = {t.group: set() for t in TEMPLATES}
    shapes: dict[str, set[str]] = {t.group: set() for t in TEMPLATES}
    for t in TEMPLATES:
        for task in draw_tasks(t, view, random.Random(f"cluster:{t.group}"), CLUSTER_DRAWS):
            used[t.group] |= set(command_utilities(task.command) or []) - _NOT_UTILITIES
            for command in [task.command] + t.alternatives:
                try:
                    key = LeakFilter.command_key(render(command, task.values) if command in t.alternatives else command)
                except KeyError:
                    continue
                shapes[t.group].add(key)
                other = first_of_key.setdefault(key, t.group)
                a, b = sorted((root(other), root(t.group)))
                parent[b] = a
    names = {g: root(g) for g in parent}
    utilities: dict[str, set[str]] = {}
    keys: dict[str, set[str]] = {}
    for g, name in names.items():
        utilities.setdefault("core:" + name, set()).update(used[g])
        keys.setdefault("core:" + name, set()).update(shapes[g])
    return names, utilities, keys
