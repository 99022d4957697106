"""Answers already computed: the same request, read the same way, to the same model and adapter under
the same grammar and rules gives the same greedy answer, so it is kept and returned without loading
the model, and without building the prompt either.

The key is looked up before anything expensive is read. It holds what decides the prompt and the
decoding, each in its cheapest form (nlsh.api.Translator.answer_key assembles it):

- the request as the model reads it (nlsh.prompt.as_read) and the previous turn;
- the model and adapter files' stamps (path, size, mtime, inode), not hashes of them: a new file is
  a new key;
- the grammar mode, the kinds of answer allowed, the device registry's content, the active decoding
  rules with their versions and weights, and whether model and adapter run merged;
- the machine context (OS family, shell) and stamps of everything the retriever reads (its learned
  pairs, nlsh's own pairs, the machine index and what decides whether it is rebuilt, the shell
  history's counts, the programs a request names: nlsh.retrieval.Retriever.stamps);
- nlsh's version and its source files' newest change (a development checkout edits the prompt
  template without a new version), and llama-cpp-python's.

Anything that can change the prompt or the decoding is in the key or stamped, so an entry is never
served after its inputs changed: a change makes a new key, and the old entry is simply never asked
for again. The validator still runs on every cached answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

SCHEMA = "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, generation TEXT NOT NULL, created REAL NOT NULL)"
MAX_ENTRIES = 5000
# Raised when what goes into the key changes shape, so no entry of another layout is ever read.
KEY_VERSION = 2


def file_stamp(path: str | os.PathLike | None) -> list | None:
    """A file's (path, size, mtime_ns, inode), or None when there is no such file. The inode tells
    a file replaced whole (os.replace, as nlsh writes its files) within one tick of the clock."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino]


_SOURCE_STAMP: list | None = None


def source_stamp() -> list:
    """nlsh's version and the newest change among its source files and grammars, with their count;
    llama-cpp-python's stamp (its version lives in its __init__.py). About a millisecond."""
    global _SOURCE_STAMP
    if _SOURCE_STAMP is None:
        from nlsh import __version__
        from nlsh.bundled import package_dir

        newest = count = 0
        # the grammars ship inside the package, but a checkout keeps them in a folder of their own
        for root in dict.fromkeys(d for d in (Path(__file__).parent, package_dir("nlsh.grammars")) if d):
            for folder, subfolders, names in os.walk(root):
                subfolders[:] = [d for d in subfolders if d != "__pycache__"]
                for name in names:
                    if name.endswith((".py", ".gbnf")):
                        try:
                            newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime_ns)
                        except OSError:
                            continue
                        count += 1
        llama = package_dir("llama_cpp")
        _SOURCE_STAMP = [__version__, newest, count, file_stamp(llama / "__init__.py") if llama else None]
    return _SOURCE_STAMP


def cache_key(parts: object) -> str:
    """The key of an answer: a hash of everything it depends on (JSON-able)."""
    blob = json.dumps([KEY_VERSION, source_stamp(), parts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8", errors="surrogatepass")).hexdigest()


class TranslationCache:
    """A small SQLite table under ~/.cache/nlsh. Any failure to read or write only costs speed."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=2.0)
                self._db.execute(SCHEMA)
            except (sqlite3.Error, OSError):
                self._db = None
        return self._db

    def get(self, key: str):
        """The nlsh.decoding.runner.Generation kept under `key`, or None."""
        from nlsh.decoding.runner import Generation

        db = self._conn()
        if db is None:
            return None
        try:
            row = db.execute("SELECT generation FROM answers WHERE key = ?", (key,)).fetchone()
            return Generation.model_validate_json(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None

    def put(self, key: str, generation) -> None:
        db = self._conn()
        if db is None:
            return
        try:
            with db:
                db.execute(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                    (key, generation.model_dump_json(), time.time()),
                )
                # Keep the file small: drop the oldest entries past the limit.
                db.execute(
                    "DELETE FROM answers WHERE key IN (SELECT key FROM answers ORDER BY created DESC LIMIT -1 OFFSET ?)",
                    (MAX_ENTRIES,),
                )
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
