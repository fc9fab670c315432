"""SQLite engines: WAL, foreign keys, and one writer at a time per process, queued fairly.

SQLite lets one connection write at a time; a connection that finds the lock taken sleeps and
tries again (up to the busy timeout). That is not a queue: with sixteen crawl threads, a thread
could keep missing the moments the lock was free and fail with "database is locked" after the
timeout (seen here when the machine was slowed down), although every transaction was short.
So the first write statement of a transaction first takes a process-wide lock, which commit or
rollback gives back: threads of one process wait their turn in line, and the busy timeout only
arbitrates between processes (a CLI recrawl next to `nianbao serve`). The lock belongs to the
database file, not to the engine: two engines on one file (another URL query, or two threads
creating the first engine at once) must still queue on the same lock.
"""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import create_engine

from models.json_text import dump_json

BUSY_TIMEOUT_S = 30.0  # between processes; `?timeout=` in the URL overrides it
WRITER_WAIT_S = 300.0  # after this, go on and let SQLite's busy timeout decide
READ_ONLY = ("SELECT", "PRAGMA", "EXPLAIN")

_writers: dict[str, threading.RLock] = {}
_writers_guard = threading.Lock()


def writer_lock(database: str | None) -> threading.RLock:
    """The writers' queue of a database file (an in-memory database is its engine's own)."""
    if not database or database == ":memory:":
        return threading.RLock()
    with _writers_guard:
        return _writers.setdefault(os.path.realpath(database), threading.RLock())


def sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    connect_args: dict[str, Any] = {"check_same_thread": False}
    if "timeout" not in parsed.query:
        connect_args["timeout"] = BUSY_TIMEOUT_S
    engine = create_engine(url, connect_args=connect_args, json_serializer=dump_json)
    writer = writer_lock(parsed.database)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: no fsync per commit (a crawl commits several times per agency); the
        # database cannot be corrupted; a power cut may lose the last second of commits, which
        # the next crawl re-does (a review typed in at that moment would need typing again)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _take_writer(
        conn: Connection, _cursor: DBAPICursor, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if conn.info.get("writer") or statement.lstrip()[:7].upper().startswith(READ_ONLY):
            return
        conn.info["writer"] = writer.acquire(timeout=WRITER_WAIT_S)

    def _give_back(info: dict) -> None:
        if info.pop("writer", False):
            with suppress(RuntimeError):  # given back by another thread than took it (pool cleanup)
                writer.release()

    event.listen(engine, "commit", lambda conn: _give_back(conn.info))
    event.listen(engine, "rollback", lambda conn: _give_back(conn.info))

    def _reset(_dbapi: Any, record: Any, _reset_state: Any) -> None:
        """A connection returned to the pool without commit or rollback through the Connection.
        The three-argument form: SQLAlchemy warned (a deprecation, on every check-in) at the old one."""
        _give_back(record.info)

    event.listen(engine.pool, "reset", _reset)
    event.listen(engine.pool, "close", lambda _dbapi, record: _give_back(record.info))
    return engine
