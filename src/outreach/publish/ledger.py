"""The posting ledger (SQLite, WAL): what was sent where, confirmed by the platform.

A message is marked "sending" before the request and "sent" only after the platform
confirms it. A crash in between leaves "sending": the next run sends it again (it may
or may not have arrived), but a confirmed message is never sent twice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    item TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt TEXT,
    last_attempt TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_channel ON messages (channel, item);
"""


@dataclass(frozen=True)
class Entry:
    key: str
    channel: str
    item: str
    kind: str
    sha256: str
    status: str
    attempts: int
    first_attempt: str | None
    last_attempt: str | None
    sent_at: str | None
    last_error: str | None


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")  # a confirmation must survive a power cut
        self.connection.executescript(SCHEMA)

    def close(self) -> None:
        self.connection.close()

    def get(self, key: str) -> Entry | None:
        row = self.connection.execute("SELECT * FROM messages WHERE key = ?", (key,)).fetchone()
        return Entry(*row) if row else None

    def start(self, key: str, channel: str, item: str, kind: str, sha256: str) -> None:
        stamp = _now()
        self.connection.execute(
            "INSERT INTO messages (key, channel, item, kind, sha256, status, attempts, first_attempt, last_attempt)"
            " VALUES (?, ?, ?, ?, ?, 'sending', 1, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET status = 'sending', attempts = attempts + 1, last_attempt = excluded.last_attempt",
            (key, channel, item, kind, sha256, stamp, stamp))

    def confirm(self, key: str) -> None:
        self.connection.execute("UPDATE messages SET status = 'sent', sent_at = ?, last_error = NULL WHERE key = ?",
                                (_now(), key))

    def fail(self, key: str, error: str) -> None:
        self.connection.execute("UPDATE messages SET status = 'failed', last_error = ? WHERE key = ?", (error[:500], key))

    def entries(self, channel: str | None = None) -> list[Entry]:
        query = "SELECT * FROM messages"
        args: tuple = ()
        if channel:
            query += " WHERE channel = ?"
            args = (channel,)
        query += " ORDER BY COALESCE(sent_at, last_attempt) DESC, item"
        return [Entry(*row) for row in self.connection.execute(query, args).fetchall()]
