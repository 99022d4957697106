"""Reading options out of a man page or `--help` text: each option's names, whether it takes a
value, and the first sentence of what the text says about it. No program is run here.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field


class Entry(BaseModel):
    names: list[str]
    header: str
    text: str
    takes_value: bool = False
    block: list[str] = Field(default_factory=list)  # the entry's lines, for value sub-entries (find -type f)


def clean(text: str) -> str:
    text = re.sub(r".\x08", "", text).expandtabs(8)  # overstrike bold/underline
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)  # ANSI colours
    text = re.sub(r"[\u2010\u00ad]\n\s*", "", text)  # words hyphenated across lines
    return text.replace("\u2010", "-").replace("\u2212", "-").replace("\u2011", "-").replace("\u2019", "'")


def man_summary(page: str, name: str) -> str:
    lines = page.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "NAME":
            body = []
            for follow in lines[i + 1:]:
                if not follow.strip():
                    if body:
                        break
                    continue
                if not follow.startswith(" "):
                    break
                body.append(follow.strip())
            text = " ".join(body)
            for dash in (" - ", " \u2014 ", " \u2013 ", " -- "):
                if dash in text:
                    return squash(text.split(dash, 1)[1])
            return squash(text)
    return ""


def help_summary(text: str) -> str:
    """The first sentence of --help text that is not a usage line."""
    paragraph: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        skip = stripped.lower().startswith(("usage", "or:", "copyright")) or stripped.startswith("-")
        if not stripped or skip:
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    return first_sentence(" ".join(paragraph)) if paragraph else ""


_HEADER = re.compile(r"^(\s*)(--?[A-Za-z0-9?#@][\w\-.?#@]*)")


def option_entries(text: str) -> dict[str, Entry]:
    """Every option documented in a man page or --help text, by each of its names (-a, --all)."""
    lines = text.splitlines()
    desc_indent = _description_indent(lines)
    entries: dict[str, Entry] = {}
    for i, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        if indent > 24 or (desc_indent and indent >= desc_indent):
            continue  # a flag mentioned inside a description, not an entry
        previous = lines[i - 1] if i else ""
        if previous.strip() and _indent(previous) == indent and not _HEADER.match(previous):
            continue  # a wrapped prose line that happens to start with a flag
        following = lines[i + 1] if i + 1 < len(lines) else ""
        header, text_on_line = _split_header(line, indent, desc_indent, following)
        if header.count("(") != header.count(")"):
            continue
        names, takes_value = _option_names(header)
        if not names:
            continue
        body = text_on_line
        block = _block(lines, i, indent)
        if not body:
            body = paragraph_after(lines, i, indent)
        elif i + 1 < len(lines) and _indent(lines[i + 1]) > indent and lines[i + 1].strip() \
                and not _HEADER.match(lines[i + 1]):
            body += " " + paragraph_after(lines, i, indent)
        entry = Entry(names=names, header=header, text=first_sentence(body), takes_value=takes_value, block=block)
        for name in names:
            entries.setdefault(name, entry)
    return entries


def _description_indent(lines: list[str]) -> int:
    """Column where man page descriptions start (the tagged-paragraph indent), by majority."""
    counts: dict[int, int] = {}
    for i, line in enumerate(lines[:-1]):
        match = _HEADER.match(line)
        if match and lines[i + 1].strip():
            nxt = _indent(lines[i + 1])
            if nxt > len(match.group(1)):
                counts[nxt] = counts.get(nxt, 0) + 1
    return max(counts, key=counts.get) if counts else 0


def _split_header(line: str, indent: int, desc_indent: int, following: str = "") -> tuple[str, str]:
    stripped = line[indent:].rstrip()
    gap = re.search(r"(\t+|\s{2,})", stripped)
    if gap:
        return stripped[: gap.start()].strip(), stripped[gap.end():].strip()
    # "-mtime n" then its description on the next line: a short line followed by an indented one
    described_below = following.strip() and _indent(following) >= desc_indent and len(line.rstrip()) < 60
    if not described_below and desc_indent > indent and len(line) > desc_indent and line[desc_indent - 1] == " " \
            and line[desc_indent] != " ":
        header, rest = line[indent:desc_indent].strip(), line[desc_indent:].strip()
        # "-uid n File's numeric user ID": the description starts at its usual column
        if not header.endswith(",") and not rest.startswith(("-", "<", "[", "=", "|")):
            return header, rest
    return stripped.strip(), ""


def _option_names(header: str) -> tuple[list[str], bool]:
    names, takes_value = [], False
    for piece in re.split(r",\s*|\s+\|\s+", header):
        piece = piece.strip()
        match = re.match(r"^(--?[A-Za-z0-9?#@][\w\-.?#@]*)(.*)$", piece)
        if not match:
            continue
        names.append(match.group(1))
        rest = match.group(2)
        if rest and not rest.startswith("[") and re.match(r"^[\s=]*[<A-Za-z0-9\[{'\"+-]", rest):
            takes_value = True
    return names, takes_value


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def paragraph_after(lines: list[str], i: int, indent: int) -> str:
    body: list[str] = []
    j = i + 1
    # headers stacked on consecutive lines share one description (ssh -L ...)
    while j < len(lines) and _HEADER.match(lines[j]) and _indent(lines[j]) == indent:
        j += 1
    while j < len(lines):
        line = lines[j]
        if not line.strip():
            if body:
                break
            if j + 1 < len(lines) and _indent(lines[j + 1]) > indent:
                j += 1
                continue
            break
        if _indent(line) <= indent:
            break
        body.append(line.strip())
        j += 1
    return " ".join(body)


def _block(lines: list[str], i: int, indent: int) -> list[str]:
    block = []
    for line in lines[i + 1: i + 80]:
        if line.strip() and _indent(line) <= indent:
            break
        block.append(line)
    return block


def value_detail(block: list[str], value: str) -> str:
    """`find -type f`: the line for `f` inside the -type entry ("f      regular file")."""
    if not value or len(value) > 20:
        return ""
    pattern = re.compile(rf"^\s+{re.escape(value)}(?:\s{{2,}}|\t)(\S.*)$")
    for line in block:
        match = pattern.match(line)
        if match:
            return f"{value} {first_sentence(match.group(1))}"
    return ""


def mentioned(text: str, flag: str) -> str:
    """A flag only listed inside a paragraph (find --help): name the list it is in."""
    if not text:
        return ""
    pattern = re.compile(rf"(?<![\w-]){re.escape(flag)}(?![\w-])(\s+[A-Z\[][\w\[\]/+-]*)?")
    heading = ""
    for line in text.splitlines():
        if line.strip().endswith(":") and not line.strip().startswith("-"):
            heading = line.strip()[:-1]
        match = pattern.search(line)
        if match and heading:
            return f"{heading}: {match.group(0).strip()}"
    return ""


_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "(e.g", "(i.e"}


def first_sentence(text: str, limit: int = 160) -> str:
    text = squash(text)
    for match in re.finditer(r"(?<=[A-Za-z0-9)\]'\"])[.;](\s|$)", text):
        before = text[: match.start()].split()
        if match.start() < 10 or (before and before[-1].lower() in _ABBREVIATIONS):
            continue
        text = text[: match.start() + 1]
        break
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
