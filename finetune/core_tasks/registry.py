"""Every core template, and which of them the execution-checked benchmark holds out.

A held-out template is a whole command shape with all its wordings: training never sees it, so
the benchmark measures composing what was trained (an `-o` group with `-mtime`, `cut | sort | uniq
-c` on another file) rather than recalling a wording.
"""

from __future__ import annotations

import hashlib

from finetune.core_tasks import (
    archive_templates, file_templates, find_templates, git_templates, offline_templates, sort_templates,
    system_templates, text_templates,
)
from finetune.core_tasks.model import Template

TEMPLATES: list[Template] = [
    *find_templates.TEMPLATES, *text_templates.TEMPLATES, *sort_templates.TEMPLATES, *archive_templates.TEMPLATES,
    *file_templates.TEMPLATES, *system_templates.TEMPLATES, *git_templates.TEMPLATES, *offline_templates.TEMPLATES,
]

HOLD_OUT_FRACTION = 0.25  # of the groups the benchmark may take (verifiable, deterministic output)
HOLD_OUT_SEED = "exec-dev-0"  # fixed: changing it moves templates between training and the benchmark


def held_out(t: Template) -> bool:
    """Drawn by a hash of the group, so adding a template never moves another one."""
    if not t.verifiable or not t.benchable:
        return False
    h = hashlib.sha1(f"{HOLD_OUT_SEED}:{t.group}".encode()).digest()
    return int.from_bytes(h[:4], "big") / 2**32 < HOLD_OUT_FRACTION
