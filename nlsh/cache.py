"""Answers already computed: the same prompt to the same model, adapter and grammar gives the same
greedy answer, so it is kept and returned without loading the model.

The key is a hash of everything the answer depends on: the full rendered prompt (which already holds
the instruction, OS, shell, retrieved hints, previous turn and device listing), the grammar text,
and the identity (path, size, mtime) of the model and adapter files. Change any of them and the old
entry is simply never asked for again. The validator still runs on every cached answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

from nlsh.decoding.runner import Generation

SCHEMA = "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, generation TEXT NOT NULL, created REAL NOT NULL)"
MAX_ENTRIES = 5000


def file_identity(path: str | os.PathLike | None) -> list | None:
    if path is None:
        return None
    st = os.stat(path)
    return [str(Path(path).resolve()), st.st_size, st.st_mtime_ns]


def cache_key(prompt: str, grammar: str | None, model: str | os.PathLike, adapter: str | os.PathLike | None, extra: object = None) -> str:
    blob = json.dumps([prompt, grammar, file_identity(model), file_identity(adapter), extra])
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

    def get(self, key: str) -> Generation | None:
        db = self._conn()
        if db is None:
            return None
        try:
            row = db.execute("SELECT generation FROM answers WHERE key = ?", (key,)).fetchone()
            return Generation.model_validate_json(row[0]) if row else None
        except (sqlite3.Error, ValueError):
            return None

    def put(self, key: str, generation: Generation) -> None:
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
