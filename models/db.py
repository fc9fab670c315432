"""Engine and session helpers; the schema itself is owned by Alembic migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from models.sqlite import sqlite_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


_engines_guard = threading.Lock()


def get_engine(url: str) -> Engine:
    """One engine (one pool) per URL, also when a run's threads ask for it first all at once."""
    with _engines_guard:
        return _engine(url)


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` to the newest Alembic revision (or to `revision`)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    get_engine(url)  # creates the sqlite parent directory
    command.upgrade(cfg, revision)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
