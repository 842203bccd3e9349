"""The posting ledger (SQLite, WAL): what was sent where, confirmed by the platform.

A message is marked "sending" just before the request and "sent" only after the platform
confirms it. When the request may have arrived without a confirmation (a timeout after
sending, a reset connection, a crash in between) it is "unconfirmed" — a leftover
"sending" counts the same — and is never sent again unless the user asks for it: chat
bots do not deduplicate, so a retry would post twice. "failed" means it certainly did not
arrive (refused connection, rejected by the platform) and the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from outreach.core.errors import OutreachError

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    item TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'unconfirmed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt TEXT,
    last_attempt TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_channel ON messages (channel, item);
"""
SCHEMA_VERSION = 2


class LedgerError(OutreachError):
    """The ledger cannot be opened or written; the message says why and what to do."""


@dataclass(frozen=True)
class Entry:
    key: str
    channel: str
    item: str
    what: str            # the message type (column "kind", kept for existing ledgers)
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
    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        try:
            if read_only:
                self.connection = _open_read_only(path)
                return
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise LedgerError(f"“{path.parent.name}”是一个文件，不是目录：发送记录要保存在 {path.parent.name}/{path.name}。"
                                  f"请把这个文件改名或移走后再运行。") from None
            self.connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=FULL")  # a confirmation must survive a power cut
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(describe_ledger_error(exc, path)) from None
        except PermissionError as exc:
            raise LedgerError(f"无法写入发送记录 {path}：没有权限（{exc.strerror}）。"
                              "请检查目录权限，或在可写的项目目录里运行。") from None

    def _migrate(self) -> None:
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION and self.connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'messages'").fetchone():
            # The status CHECK gained 'unconfirmed'; SQLite cannot alter a CHECK in place.
            self.connection.executescript(
                "BEGIN; ALTER TABLE messages RENAME TO messages_v1; DROP INDEX IF EXISTS messages_by_channel;"
                + SCHEMA + "INSERT INTO messages SELECT * FROM messages_v1; DROP TABLE messages_v1;"
                f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        else:
            self.connection.executescript(SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")

    def close(self) -> None:
        self.connection.close()

    def get(self, key: str) -> Entry | None:
        row = self.connection.execute("SELECT * FROM messages WHERE key = ?", (key,)).fetchone()
        return Entry(*row) if row else None

    def start(self, key: str, channel: str, item: str, what: str, sha256: str) -> None:
        stamp = _now()
        self.connection.execute(
            "INSERT INTO messages (key, channel, item, kind, sha256, status, attempts, first_attempt, last_attempt)"
            " VALUES (?, ?, ?, ?, ?, 'sending', 1, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET status = 'sending', attempts = attempts + 1, last_attempt = excluded.last_attempt",
            (key, channel, item, what, sha256, stamp, stamp))

    def confirm(self, key: str) -> None:
        self.connection.execute("UPDATE messages SET status = 'sent', sent_at = ?, last_error = NULL WHERE key = ?",
                                (_now(), key))

    def fail(self, key: str, error: str) -> None:
        self._set(key, "failed", error)

    def unconfirmed(self, key: str, error: str) -> None:
        self._set(key, "unconfirmed", error)

    def mark_sent(self, key: str) -> None:
        """The user saw the message in the group: record it as sent without sending."""
        self.connection.execute("UPDATE messages SET status = 'sent', sent_at = COALESCE(sent_at, last_attempt),"
                                " last_error = NULL WHERE key = ?", (key,))

    def _set(self, key: str, status: str, error: str) -> None:
        try:
            self.connection.execute("UPDATE messages SET status = ?, last_error = ? WHERE key = ?",
                                    (status, error[:500], key))
        except sqlite3.DatabaseError as exc:
            raise LedgerError(describe_ledger_error(exc, self.path)) from None

    def entries(self, channel: str | None = None) -> list[Entry]:
        query = "SELECT * FROM messages"
        args: tuple = ()
        if channel:
            query += " WHERE channel = ?"
            args = (channel,)
        query += " ORDER BY COALESCE(sent_at, last_attempt) DESC, item"
        return [Entry(*row) for row in self.connection.execute(query, args).fetchall()]


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Reading works on a read-only disk too: first as a normal reader, then as an immutable file."""
    uri = path.resolve().as_uri()
    try:
        connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        connection.execute("SELECT count(*) FROM messages").fetchone()
        return connection
    except sqlite3.OperationalError:
        connection = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        connection.execute("SELECT count(*) FROM messages").fetchone()
        return connection


def describe_ledger_error(exc: sqlite3.DatabaseError, path: Path) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return (f"无法写入发送记录 {path}：磁盘或目录是只读的（{text}）。"
                "请在可写的位置运行；查看记录可以用 outreach post --status。")
    if "locked" in text:
        return f"发送记录 {path} 被另一个程序锁住了（{text}）：请等它结束后再运行。"
    return (f"发送记录 {path} 已损坏或不是发送记录文件（{text}）。请把它改名备份（例如 ledger.sqlite.bad）后再运行："
            "没有记录时，以前发过的消息会被当作没发过，请先用 --dry-run 看看将发送什么。")
