"""tldr pages -> (instruction, command) examples with concrete values.

A tldr example is a description ("Find files by extension") and a command with `{{placeholders}}`.
People type terse, lower-case requests that name the values they want, so each placeholder is filled
with a realistic value and every value that reaches the command is named in the instruction too.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}(?!\})")

# (os family for the prompt, tldr platform folder)
PLATFORMS = {"common": "GNU/Linux", "linux": "GNU/Linux", "osx": "macOS"}


@dataclass
class TldrExample:
    page: str
    platform: str
    description: str
    template: str


@dataclass
class TldrPage:
    name: str
    platform: str
    summary: str
    examples: list[TldrExample] = field(default_factory=list)


def parse_page(path: Path, platform: str) -> TldrPage:
    name = path.stem
    summary = ""
    page = TldrPage(name=name, platform=platform, summary="")
    desc = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("> ") and not summary:
            summary = line[2:].strip()
        elif line.startswith("- "):
            desc = line[2:].strip()
        elif line.startswith("`") and line.endswith("`") and desc:
            page.examples.append(TldrExample(name, platform, desc, line[1:-1]))
            desc = None
    page.summary = summary
    return page


def load_pages(root: Path) -> list[TldrPage]:
    pages = []
    for platform in PLATFORMS:
        for path in sorted((root / "pages" / platform).glob("*.md")):
            pages.append(parse_page(path, platform))
    return pages


_PROGRAM = re.compile(r"[A-Za-z0-9_][\w.+-]*$")


def twin_keys(example: TldrExample) -> list[str]:
    """What a near-duplicate on another page shares with this example: its command template, each
    spelling as written long and each value masked. tldr repeats a tool's examples across its pages
    (`docker-compose` holds `docker compose logs --follow` of `docker-compose-logs`, `uv` holds
    `uv add` of `uv-add`), and the split holds out whole pages, so such pages must go together.
    Keyboard shortcuts (`<Ctrl q>`) and templates that open with a value name no program and link
    nothing."""
    words = example.template.split()
    if not words or not _PROGRAM.match(words[0]):
        return []

    def repl(m: re.Match) -> str:
        spelt = _spellings(m.group(1).strip())
        return spelt[0][-1] if spelt else "X"

    return ["cmd:" + " ".join(PLACEHOLDER.sub(repl, example.template).split())]


# --- values -------------------------------------------------------------------------------------

WORDS = ["report", "notes", "backup", "data", "config", "photo", "main", "todo", "draft", "music", "server", "app"]
DIRS = ["src", "docs", "~/projects", "/var/log", "~/Downloads", "build", "/tmp/cache", "~/photos", "logs", "/etc/nginx"]
EXTS = {"txt": "notes", "pdf": "report", "py": "main", "json": "config", "png": "photo", "jpg": "photo", "csv": "data",
        "tar": "backup", "gz": "backup", "zip": "archive", "md": "README", "sh": "deploy", "log": "app", "c": "main",
        "html": "index", "mp3": "song", "mp4": "video", "iso": "debian", "conf": "app", "yml": "compose", "yaml": "config"}
USERS = ["alice", "bob", "deploy", "www-data", "admin"]
HOSTS = ["example.com", "server.local", "192.168.1.20", "github.com", "db.internal"]
PATTERNS = ["TODO", "error", "timeout", "main", "WARNING", "password"]
PACKAGES = ["htop", "curl", "requests", "nginx", "git", "ripgrep", "numpy"]
NAMES = ["web", "api", "dev", "test", "prod", "db", "cache", "worker"]


def _path_value(inner: str, rng: random.Random) -> str:
    """`path/to/file.pdf` -> `report.pdf`, `path/to/directory` -> `~/projects`."""
    tail = inner.split("/")[-1]
    if "directory" in tail or tail in ("dir", "folder", "to") or tail.endswith("_dir") or "mount_point" in tail:
        return rng.choice(DIRS)
    if "." in tail:
        stem, ext = tail.rsplit(".", 1)
        ext = ext.strip("[]").split("|")[0] or "txt"
        base = EXTS.get(ext, rng.choice(WORDS))
        value = f"{base}.{ext}"
    else:
        value = rng.choice(["notes.txt", "report.pdf", "main.py", "data.csv", "config.json", "app.log", "script.sh"])
    if rng.random() < 0.25:
        value = rng.choice(["src/", "~/", "docs/", "/tmp/"]) + value
    return value


def _spellings(s: str) -> tuple[list[str], bool] | None:
    """The spellings of an option (`[-s|--long]`: short and long, True) or of a sub-command
    (`ls|list`, False), else None."""
    if s.startswith("[") and s.endswith("]") and "|" in s:
        return s[1:-1].split("|", 1), True
    if "|" in s and " " not in s and "/" not in s:
        return s.split("|"), False
    return None


def fill_value(inner: str, rng: random.Random) -> tuple[str, bool]:
    """A concrete value for one placeholder, and whether it is a value the user names.

    Option spellings (`[-s|--long]`) and sub-command spellings (`[ls|list]`) are not values: the
    user asks for the effect, not the spelling.
    """
    s = inner.strip()
    spelt = _spellings(s)
    if spelt:
        forms, option = spelt
        return ((forms[0] if rng.random() < 0.6 else forms[1]) if option else rng.choice(forms)), False
    if (" ..." in s or s.endswith("...")) and not s.startswith("..."):
        first = s.split()[0].rstrip(".")
        v1, _ = fill_value(first.rstrip("1"), rng)
        v2, _ = fill_value(first.rstrip("1"), rng)
        if v2 == v1:
            v2 = re.sub(r"(\w+)(\.|$)", r"\g<1>2\2", v1, count=1)
        return f"{v1} {v2}", True
    low = s.lower()
    if re.fullmatch(r"[+-]?\d+(\.\d+)?[a-zA-Z%]{0,3}", s):
        return s, True  # tldr already chose a realistic number or size ("10", "+500k")
    if low.startswith(("path/to", "~/", "/")) or low in ("file", "filename", "input_file", "output_file"):
        return _path_value(s, rng), True
    if "://" in s or "url" in low:
        return "https://" + rng.choice(["example.com", "github.com/user/repo", "files.example.org/data.zip"]), True
    if re.fullmatch(r"[\w.-]+\.(com|org|net|io)", s):
        return s, True
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+(/\d+)?", s):
        return s, True
    if "*" in s:
        return rng.choice(["*.py", "*.log", "*.txt", "*.jpg", "*.md"]) if s.startswith("*.") else s, True
    if "user" in low or low in ("owner", "login"):
        return rng.choice(USERS), True
    if "host" in low or "server" in low or "domain" in low or "address" in low:
        return rng.choice(HOSTS), True
    if "port" in low:
        return rng.choice(["8080", "22", "443", "3000"]), True
    if "pattern" in low or "regex" in low or "search" in low or "keyword" in low or low in ("string", "text", "query"):
        return rng.choice(PATTERNS), True
    if "package" in low or "module" in low:
        return rng.choice(PACKAGES), True
    if low in ("command", "program", "cmd"):
        return rng.choice(["ls", "make", "npm test", "python3 app.py"]), True
    if low in ("pid", "process_id"):
        return str(rng.randint(1000, 40000)), True
    if low in ("n", "number", "count", "seconds", "lines", "num", "amount"):
        return str(rng.choice([3, 5, 10, 20, 30, 100])), True
    if "branch" in low:
        return rng.choice(["main", "develop", "feature/login"]), True
    if low.startswith(("interface", "eth")):
        return rng.choice(["eth0", "wlan0"]), True
    if "password" in low or "token" in low or "secret" in low:
        return rng.choice(["s3cret", "hunter2"]), True
    if re.fullmatch(r"[a-z_]+", low):
        # Other named slots (container_name, bucket_name, tag): a short plausible identifier.
        return rng.choice(NAMES) + ("" if rng.random() < 0.6 else str(rng.randint(1, 9))), True
    return s, True


def _clean_description(desc: str) -> str:
    d = re.sub(r"\[(\w{1,3})\]", r"\1", desc)  # "[c]reate" -> "create"
    d = re.sub(r"`[^`]*`", "", d)
    d = re.sub(r"\s*\([^)]*\)", "", d)
    d = d.split(". ")[0]
    d = d.rstrip(":. ")
    d = re.sub(r"\b(a given|given|specific|specified|the specified|a specified)\s+", "", d, flags=re.I)
    return " ".join(d.split()).lower()


@dataclass
class Filled:
    instruction: str
    command: str
    values: list[str]


def tool_phrase(page: str, command: str) -> str | None:
    """How a user names the page's tool: `git-daemon` -> "git daemon" when the command runs it that
    way, else the page name when the command runs it (after `sudo`, say), else nothing."""
    words = command.split()
    spoken = page.replace("-", " ").split()
    if words[: len(spoken)] == spoken:
        return " ".join(spoken)
    return page if page in words else None


# The ways people name the tool they want ("compress it with zstd", "glab: approve the MR").
_TOOL_FORMS = ["{desc} with {tool}", "{tool}: {desc}", "{tool} {desc}", "{desc} using {tool}", "use {tool} to {desc}"]


def fill(example: TldrExample, rng: random.Random, tool_share: float = 0.0) -> Filled | None:
    """`tool_share`: the share of instructions that name the tool. tldr's descriptions never do (the
    page title does), but people often do, and without it a request like "rebuild the database
    schema" names no tool a model could know."""
    values: list[str] = []

    def repl(m: re.Match) -> str:
        value, named = fill_value(m.group(1), rng)
        if named:
            values.append(value)
        return value

    command = PLACEHOLDER.sub(repl, example.template)
    if "{{" in command or "}}" in command or not command.strip():
        return None
    desc = _clean_description(example.description)
    if not desc:
        return None
    tool = tool_phrase(example.page, command)
    if tool and not re.search(rf"\b{re.escape(tool.lower())}\b", desc) and rng.random() < tool_share:
        desc = rng.choice(_TOOL_FORMS).format(desc=desc, tool=tool)
    named = [v for v in dict.fromkeys(values) if v.lower() not in desc]
    instruction = desc
    if named:
        joiner = rng.choice([" ", ": ", " - "])
        instruction = desc + joiner + " ".join(f"'{v}'" if " " in v and len(named) > 1 else v for v in named)
    return Filled(instruction=instruction, command=command, values=list(dict.fromkeys(values)))
