"""What this machine documents about a command: its man page, else the shell's help for a builtin,
else `COMMAND --help` (only for programs that surely just print help), and the user's tldr page.

What it says is what the installed programs document about themselves, so it is right for this
OS's flags. Each command's documentation is read once per process.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, Field

from nlsh.machine import tldr
from nlsh.machine.manpage import (Entry, clean, first_sentence, help_summary, man_summary, mentioned, option_entries,
                                  paragraph_after, value_detail)
from nlsh.machine.programs import HELP_TIMEOUT_S, WIDTH, help_output, may_ask_for_help, run_status, run_text
from nlsh.machine.resolve import BUILTINS, KEYWORDS, resolve_executable

Source = Literal["man", "help", "builtin", "tldr", "shell", ""]

MAN_TIMEOUT_S = 5.0


class Doc(BaseModel):
    name: str = ""
    summary: str = ""
    source: Source = ""
    text: str = ""
    entries: dict[str, Entry] = Field(default_factory=dict)
    tldr: dict[str, str] = Field(default_factory=dict)  # flag -> tldr example description
    single_dash_long: bool = False

    def has_entry(self, flag: str) -> bool:
        return flag in self.entries

    def takes_value(self, flag: str) -> bool:
        entry = self.entries.get(flag)
        if entry is not None:
            return entry.takes_value
        # find --help lists "-type [bcdpflsD]" inside a paragraph: the placeholder says it takes one
        return self.single_dash_long and bool(re.search(r"\s[A-Z\[]", mentioned(self.text, flag).split(": ", 1)[-1]))

    def entry(self, flag: str) -> Optional[Entry]:
        return self.entries.get(flag)

    def source_for(self, flag: str) -> Source:
        if flag in self.entries:
            return self.source
        if flag in self.tldr:
            return "tldr"
        return self.source if self.describe(flag, "") else ""

    def describe(self, flag: str, value: str) -> str:
        entry = self.entries.get(flag)
        if entry is None:
            if flag in self.tldr:
                return self.tldr[flag]
            return mentioned(self.text, flag)
        text = entry.text or entry.header
        if value:
            detail = value_detail(entry.block, value)
            if detail:
                text = f"{text} {detail}"
        return text

    def entry_for_word(self, word: str) -> str:
        """A subcommand described in the parent's page (`apt-get install`, `systemctl status`)."""
        pattern = re.compile(rf"^(\s+){re.escape(word)}(\s*$|\s+[\[<A-Z.]|\s{{2,}}\S)")
        lines = self.text.splitlines()
        for i, line in enumerate(lines):
            match = pattern.match(line)
            if not match:
                continue
            indent = len(match.group(1))
            rest = line[match.end(1) + len(word):].strip()
            if re.match(r"^\s{2,}\S", line[match.end(1) + len(word):]):
                return first_sentence(rest)
            body = paragraph_after(lines, i, indent)
            if body:
                return first_sentence(body)
        return ""


# Tools whose subcommands each have a page of their own (`git status` is git-status(1)).
_OWN_PAGES = frozenset({"git"})


def subcommand_documentation(utility: str, sub: str, path: Optional[str] = None) -> Doc:
    """The subcommand's own page where its tool gives each one a page, or an empty Doc (apt-get's
    and systemctl's subcommands are described in the parent's page)."""
    if Path(utility).name not in _OWN_PAGES:
        return Doc()
    return documentation(f"{utility}-{sub}", path)


def documentation(command: str, path: Optional[str] = None, single_dash_long: bool = False) -> Doc:
    """What this machine documents about `command` (a name or a path), cached for the process.
    single_dash_long: the program spells long options with one dash (find's -name, -delete)."""
    return _documentation(command, path, single_dash_long, tldr.lookup_key())


@functools.lru_cache(maxsize=512)
def _documentation(command: str, path: Optional[str], single: bool, tldr_dirs: tuple[str, ...]) -> Doc:
    name = command.rsplit("/", 1)[-1]
    page_of_tldr = tldr.page(name, tldr_dirs)
    flags = tldr.flags(page_of_tldr)
    builtin_first = name in BUILTINS and not shutil.which(name)  # cd, read, export: man read is read(2)
    page = None if builtin_first else man_page(name)
    if page:
        summary = man_summary(page, name) or tldr.summary(page_of_tldr)
        return Doc(name=name, summary=summary, source="man", text=page, entries=option_entries(page),
                   tldr=flags, single_dash_long=single)
    if name in BUILTINS or name in KEYWORDS:
        text = builtin_help(name)
        if text:
            first = text.splitlines()[0] if text else ""
            summary = first.split(" - ", 1)[1] if " - " in first else first
            return Doc(name=name, summary=summary.strip(), source="builtin", text=text, entries=option_entries(text),
                       tldr=flags, single_dash_long=single)
    resolution = resolve_executable(command, path)
    if resolution.kind == "file" and resolution.path and may_ask_for_help(resolution.path, name):
        text = help_output(resolution.path)
        if text:
            return Doc(name=name, summary=tldr.summary(page_of_tldr) or help_summary(text), source="help", text=text,
                       entries=option_entries(text), tldr=flags, single_dash_long=single)
    if page_of_tldr != tldr.TldrPage():
        return Doc(name=name, summary=tldr.summary(page_of_tldr), source="tldr", tldr=flags, single_dash_long=single)
    return Doc(name=name, single_dash_long=single)


def man_page(name: str) -> Optional[str]:
    """The man page as plain text (no overstrike, no hyphenation), or None."""
    if not name or name.startswith("-") or "/" in name or not re.fullmatch(r"[\w.+\-\[]+", name):
        return None
    return _man_page(name)


@functools.lru_cache(maxsize=256)
def _man_page(name: str) -> Optional[str]:
    if not shutil.which("man"):
        return None
    env = dict(os.environ, MANWIDTH=WIDTH, COLUMNS=WIDTH, MANPAGER="cat", PAGER="cat", MAN_KEEP_FORMATTING="",
               GROFF_NO_SGR="1", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    env.pop("MAN_KEEP_FORMATTING")
    for argv in (["man", "--nh", "--nj", "-P", "cat", name], ["man", "-P", "cat", name]):
        status, text = run_status(argv, env, MAN_TIMEOUT_S)
        if status == 16:
            return None  # man-db: no such page (retrying without --nh --nj is for other man programs)
        if text and len(text.strip().splitlines()) > 3:
            text = clean(text)
            # a command's page, not a system call's or a library function's (read(2), printf(3))
            title = re.match(r"\s*\S+\s*\(([0-9a-zA-Z]+)\)", text)
            if title and title.group(1)[0] not in "168":
                return None
            return text
    return None


@functools.lru_cache(maxsize=128)
def builtin_help(name: str) -> Optional[str]:
    bash = shutil.which("bash")
    if not bash or name not in BUILTINS and name not in KEYWORDS:
        return None
    summary = run_text([bash, "-c", 'help -d -- "$1"', "help", name], dict(os.environ, LC_ALL="C"), HELP_TIMEOUT_S)
    body = run_text([bash, "-c", 'help -- "$1"', "help", name], dict(os.environ, LC_ALL="C"), HELP_TIMEOUT_S)
    if not summary and not body:
        return None
    return clean((summary or "").strip() + "\n\n" + (body or ""))
