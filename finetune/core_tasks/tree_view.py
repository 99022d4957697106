"""The tree as the task generator sees it: the judge's TreeFacts, in the terms drawing needs
(extensions without their dot, ages in days, text as lines)."""

from __future__ import annotations

from functools import cached_property
from pathlib import PurePosixPath

from pydantic import BaseModel

class FileView(BaseModel):
    path: str  # relative to the tree's root (HOME and the working directory)
    size: int
    age_days: float  # since last modification
    atime_days: float  # since last access
    mode: int  # permission bits
    lines: list[str] | None = None  # text content, for text files up to 32 KiB

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def parent(self) -> str:
        return str(PurePosixPath(self.path).parent)

    @property
    def ext(self) -> str:
        suffix = PurePosixPath(self.path).suffix[1:]
        return suffix if suffix.isalnum() and not suffix.isdigit() else ""

    @property
    def stem(self) -> str:
        return PurePosixPath(self.path).stem

    @property
    def hidden(self) -> bool:
        return any(part.startswith(".") for part in PurePosixPath(self.path).parts)


class TreeView(BaseModel):
    files: list[FileView]
    dirs: list[str]  # relative folders, "." excluded
    symlinks: dict[str, str]  # link -> target as written
    dangling: list[str]  # links whose target is missing
    archives: dict[str, list[str]]  # archive path -> member names
    archive_formats: dict[str, str]  # archive path -> tar.gz, tar.bz2, tar, zip, gz
    repo: str  # the git repository's folder
    branches: list[str]
    repo_files: list[str]  # tracked files, relative to the repository

    def under(self, folder: str, *, hidden: bool = False) -> list[FileView]:
        """Files below a folder at any depth ("." is the whole tree); hidden ones only if asked."""
        prefix = "" if folder == "." else folder.rstrip("/") + "/"
        return [f for f in self.files if f.path.startswith(prefix) and (hidden or not f.hidden)]

    def subdirs(self, folder: str) -> list[str]:
        prefix = "" if folder == "." else folder.rstrip("/") + "/"
        return [d for d in self.dirs if d.startswith(prefix) and d != folder]

    @cached_property
    def text_files(self) -> list[FileView]:
        return [f for f in self.files if f.lines and not f.hidden]

    def file(self, path: str) -> FileView | None:
        return next((f for f in self.files if f.path == path), None)


def load_view(seed: int = 0) -> TreeView:
    """The judge's tree for a seed, as facts (nothing is written)."""
    from finetune.filetree import tree_facts

    facts = tree_facts(seed)
    repo = facts.git.path
    tracked = sorted({rel for rel in _committed(facts)} | set(facts.git.modified))
    return TreeView(
        files=[FileView(path=f.path, size=f.size, age_days=f.mtime_age / 86400, atime_days=f.atime_age / 86400,
                        mode=f.mode, lines=f.text.splitlines() if f.text is not None else None) for f in facts.files],
        dirs=[d.path for d in facts.dirs],
        symlinks={l.path: l.target or "" for l in facts.symlinks},
        dangling=[l.path for l in facts.symlinks if l.dangling],
        archives={a.path: a.members for a in facts.archives},
        archive_formats={a.path: a.format for a in facts.archives},
        repo=repo, branches=facts.git.branches, repo_files=tracked)


def _committed(facts) -> list[str]:
    """Files of the repository that git tracks: all under it but untracked and ignored ones."""
    prefix = facts.git.path + "/"
    return [f.path[len(prefix):] for f in facts.files if f.path.startswith(prefix)
            and f.path[len(prefix):] not in facts.git.untracked and "__pycache__" not in f.path
            and not f.path.endswith(".pyc")]
