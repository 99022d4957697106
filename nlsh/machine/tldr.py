"""The pages of the user's own tldr client, where there is one (python tldr, tealdeer, the node client):
English pages only, for this OS and the common ones. Nothing is downloaded."""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, Field

from nlsh.machine.manpage import first_sentence
from nlsh.machine.programs import MAX_DOC_CHARS
from nlsh.prompt import Example, ToolHint

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")


class TldrPage(BaseModel):
    name: str = ""
    description: list[str] = Field(default_factory=list)  # the page's "> " lines, in order
    examples: list[Example] = Field(default_factory=list)  # (what it does, the command as written)


def _platform() -> str:
    return {"darwin": "osx"}.get(sys.platform, "linux" if sys.platform.startswith("linux") else sys.platform)


def page_dirs(env: Optional[dict[str, str]] = None) -> list[Path]:
    """The English page directories of every tldr client cache here, each client's common pages
    before this OS's."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    xdg = env.get("XDG_CACHE_HOME")
    roots = [env.get("TLDR_CACHE_DIR", ""), env.get("TEALDEER_CACHE_DIR", ""),
             *([os.path.join(xdg, "tldr"), os.path.join(xdg, "tealdeer")] if xdg else []),
             str(home / ".cache" / "tldr"), str(home / ".cache" / "tealdeer"), str(home / ".local" / "share" / "tldr"),
             str(home / ".tldr"), str(home / ".tldrc"), str(home / "Library" / "Caches" / "tealdeer")]
    found: dict[str, Path] = {}
    for root in dict.fromkeys(r for r in roots if r and os.path.isdir(r)):
        for platform in ("common", _platform()):
            for pattern in (platform, f"*/{platform}", f"*/*/{platform}"):
                for d in sorted(Path(root).glob(pattern)):
                    if d.is_dir() and ("/pages." not in str(d) or "/pages.en/" in str(d)):
                        found.setdefault(os.path.realpath(d), d)
    return list(found.values())


def parse_page(text: str) -> TldrPage:
    """One tldr markdown page: its command name, its description lines and its examples, each the
    first command under its "- " line."""
    page = TldrPage()
    pending: Optional[str] = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("# ") and not page.name:
            page.name = line[2:].strip()
        elif line.startswith(">"):
            page.description.append(line[1:].strip())
        elif line.startswith("- "):
            pending = line[2:].strip().rstrip(":")
        elif line.startswith("`") and line.endswith("`") and pending:
            page.examples.append(Example(instruction=pending, answer=line.strip("`")))
            pending = None
    return page


def summary_line(page: TldrPage) -> str:
    """The page's first description line, as a tool hint shows it."""
    return page.description[0].rstrip(".") if page.description else ""


def summary(page: TldrPage) -> str:
    """The first sentence of what the page says the command does, as Explain shows it."""
    lines = [line for line in page.description if not line.lower().startswith(("more information", "see also"))]
    return first_sentence(" ".join(lines)) if lines else ""


def filled(example: Example) -> Example:
    """An example with its placeholders filled by their own words ({{path/to/file}}: path/to/file)."""
    return example.model_copy(update={"answer": _PLACEHOLDER.sub(lambda m: m.group(1), example.answer)})


def flags(page: TldrPage) -> dict[str, str]:
    """Each flag used in the page's examples, with that example's description."""
    out: dict[str, str] = {}
    for example in page.examples:
        command = re.sub(r"\{\{.*?\}\}", "X", example.answer)
        for flag in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", command):
            out.setdefault(flag, example.instruction)
    return out


def lookup_key() -> tuple[str, ...]:
    """The page directories, as a key for caches that must notice a new tldr client."""
    return tuple(str(d) for d in page_dirs())


@functools.lru_cache(maxsize=256)
def page(name: str, dirs: tuple[str, ...]) -> TldrPage:
    """The page of `name` in `dirs`, this OS's before the common one; an empty page if none."""
    if not dirs or not re.fullmatch(r"[\w.+\-]+", name):
        return TldrPage()
    for d in sorted(dirs, key=lambda d: Path(d).name == "common"):
        try:
            return parse_page((Path(d) / f"{name}.md").read_text(encoding="utf-8", errors="replace")[:MAX_DOC_CHARS])
        except OSError:
            continue
    return TldrPage()


def entries(executables: frozenset[str]) -> tuple[list[ToolHint], list[Example]]:
    """The summaries and examples of every page whose command is one of `executables`."""
    tools: dict[str, ToolHint] = {}
    examples: list[Example] = []
    for d in page_dirs():
        for path in sorted(d.glob("*.md")):
            try:
                parsed = parse_page(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            exe = (parsed.name or path.stem).split()[0] if (parsed.name or path.stem) else ""
            if exe not in executables:
                continue
            if summary_line(parsed) and exe not in tools:
                tools[exe] = ToolHint(name=exe, summary=summary_line(parsed))
            examples.extend(filled(e) for e in parsed.examples)
    return list(tools.values()), examples


def stamp() -> list:
    """The page directories and when each last changed: any change rebuilds an index of them."""
    return [[str(d), d.stat().st_mtime_ns] for d in page_dirs()]
