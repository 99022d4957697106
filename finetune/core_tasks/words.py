"""How people name the values that end up in a command: extensions, folders, sizes, ages.

Each function gives the spellings one value has in requests ("pngs", ".png files"); a wording
takes one of them at random (finetune.core_tasks.phrases.fill).
"""

from __future__ import annotations

# Nouns people use for files of an extension; others get the plain "X files" forms.
_EXT_NOUNS = {
    "py": ["python files", "py files", ".py files", "python scripts", "*.py files"],
    "js": ["js files", "javascript files", ".js files", "*.js files"],
    "ts": ["ts files", "typescript files", ".ts files"],
    "png": ["pngs", "png files", ".png files", "png images", "*.png files"],
    "jpg": ["jpgs", "jpg files", ".jpg files", "jpg photos", "*.jpg files"],
    "jpeg": ["jpegs", "jpeg files", ".jpeg files"],
    "gif": ["gifs", "gif files", ".gif files"],
    "log": ["log files", "logs", ".log files", "*.log files"],
    "txt": ["txt files", "text files", ".txt files", "*.txt files"],
    "md": ["markdown files", "md files", ".md files", "*.md files"],
    "sh": ["shell scripts", "sh files", ".sh files", "*.sh scripts"],
    "csv": ["csv files", "csvs", ".csv files", "*.csv files"],
    "json": ["json files", ".json files", "*.json files"],
    "yaml": ["yaml files", ".yaml files"],
    "yml": ["yml files", ".yml files", "yaml files"],
    "mp3": ["mp3s", "mp3 files", ".mp3 files", "songs"],
    "pdf": ["pdfs", "pdf files", ".pdf files", "*.pdf files"],
    "html": ["html files", ".html files", "html pages"],
    "css": ["css files", ".css files", "stylesheets"],
    "conf": ["conf files", ".conf files", "config files"],
    "bak": ["backup files", ".bak files", "bak files"],
    "tmp": ["tmp files", ".tmp files", "temp files"],
    "pyc": ["pyc files", ".pyc files", "compiled python files"],
    "gz": [".gz files", "gz files", "gzipped files"],
    "zip": ["zip files", ".zip files", "zips"],
    "c": ["c files", ".c files", "c sources"],
    "h": ["header files", ".h files"],
}


def ext_nouns(ext: str) -> list[str]:
    return _EXT_NOUNS.get(ext, [f"{ext} files", f".{ext} files", f"*.{ext} files"])


def in_dir(path: str) -> list[str]:
    """Where a request says a command should look: "here" for ".", "in photos" for photos."""
    if path == ".":
        return ["here", "in this folder", "in the current directory", "in this dir", "in current dir", "in cwd", ""]
    if path == "~":
        return ["in my home", "in home", "in ~", "in my home dir", "in my home directory", "under ~"]
    name = path.removeprefix("~/")
    forms = [f"in {path}", f"under {path}", f"in {path}/", f"inside {path}"]
    if "/" not in name:
        forms += [f"in the {name} folder", f"in the {name} dir", f"in {name} folder"]
    if path.startswith("~/"):
        forms += [f"in my {name} folder"] if "/" not in name else []
    return forms


def dir_nouns(path: str) -> list[str]:
    """A folder named as an object: "photos", "the photos folder", "this folder"."""
    if path == ".":
        return ["this folder", "the current directory", "this dir", "the current folder", "here"]
    if path == "~":
        return ["my home", "my home dir", "~", "home"]
    name = path.removeprefix("~/")
    forms = [path, f"{path}/"]
    if "/" not in name:
        forms += [f"the {name} folder", f"the {name} dir", f"{name} folder"]
    return forms


_UNIT_WORDS = {
    "k": ["{n}k", "{n}kb", "{n} kb", "{n} KB", "{n} kilobytes", "{n}K"],
    "M": ["{n}mb", "{n} mb", "{n}M", "{n} MB", "{n} megabytes", "{n} megs", "{n}MB"],
    "G": ["{n}gb", "{n} gb", "{n}G", "{n} GB", "{n} gigabytes", "{n} gig"],
}


def size_words(n: int, unit: str) -> list[str]:
    """"2mb", "2 MB", "2 megabytes" for find's 2M."""
    return [w.format(n=n) for w in _UNIT_WORDS[unit]]


def days_ago_within(days: int) -> list[str]:
    """-mtime -N: "in the last 3 days"."""
    if days == 1:
        return ["in the last day", "in the last 24 hours", "within the last day", "in the past day", "since yesterday"]
    forms = [f"in the last {days} days", f"within the last {days} days", f"in the past {days} days",
             f"less than {days} days ago", f"within {days} days"]
    if days % 7 == 0:
        weeks = days // 7
        forms += ["in the last week", "this past week"] if weeks == 1 else [f"in the last {weeks} weeks"]
    return forms


def days_ago_beyond(days: int) -> list[str]:
    """-mtime +N said of the files: "older than 30 days"."""
    forms = [f"older than {days} days", f"over {days} days old", f"more than {days} days old"]
    if days % 7 == 0 and days // 7 <= 8:
        weeks = days // 7
        forms += ["older than a week"] if weeks == 1 else [f"older than {weeks} weeks"]
    if days in (30, 31):
        forms += ["older than a month", "more than a month old"]
    if days == 365:
        forms += ["older than a year", "more than a year old"]
    return forms


def days_ago_beyond_when(days: int) -> list[str]:
    """-mtime +N said of the change: "(modified) more than 30 days ago"."""
    forms = [f"more than {days} days ago", f"over {days} days ago", f"{days}+ days ago"]
    if days % 7 == 0 and days // 7 <= 8:
        weeks = days // 7
        forms += ["more than a week ago"] if weeks == 1 else [f"more than {weeks} weeks ago"]
    if days in (30, 31):
        forms += ["more than a month ago"]
    return forms


def minutes_within(minutes: int) -> list[str]:
    """-mmin -N: "in the last 10 minutes", "in the last 2 hours" for 120."""
    forms = [f"in the last {minutes} minutes", f"within the last {minutes} min", f"less than {minutes} minutes ago",
             f"in the past {minutes} mins", f"in the last {minutes} mins"]
    if minutes % 60 == 0:
        hours = minutes // 60
        forms += ["in the last hour", "within the past hour"] if hours == 1 else [
            f"in the last {hours} hours", f"within {hours} hours", f"in the past {hours} hrs"]
    return forms


def minutes_beyond(minutes: int) -> list[str]:
    """-mmin +N."""
    forms = [f"more than {minutes} minutes ago", f"over {minutes} min ago", f"longer than {minutes} minutes ago"]
    if minutes % 60 == 0:
        hours = minutes // 60
        forms += ["more than an hour ago"] if hours == 1 else [f"more than {hours} hours ago", f"over {hours} hours ago"]
    return forms


def count_words(n: int) -> list[str]:
    small = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 10: "ten", 20: "twenty"}
    return [str(n), small[n]] if n in small else [str(n)]


def ordinal(n: int) -> list[str]:
    """"3rd", "third", "column 3" style names of a position."""
    names = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth"}
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return [f"{n}{suffix}"] + ([names[n]] if n in names else [])
