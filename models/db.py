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

from models.json_text import dump_json
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
    return create_engine(url, pool_pre_ping=True, json_serializer=dump_json)


HEAD_REVISION = "0005"  # the newest file of models/migrations/versions (a test holds the two together)


def schema_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None: never migrated), read without Alembic."""
    from sqlalchemy import inspect, text

    with get_engine(url).connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` to the newest Alembic revision (or to `revision`). A database
    already at the newest is left alone without loading Alembic and its migration scripts (a
    command such as `nianbao report` checks this on every start)."""
    if revision == "head" and schema_revision(url) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    get_engine(url)  # creates the sqlite parent directory
    command.upgrade(cfg, revision)


class SchemaOutdated(RuntimeError):
    """The database is behind the migrations this code needs."""


_current_schemas: set[str] = set()


def require_current_schema(url: str) -> None:
    """Fail at once, saying what to do, when the database has not been migrated to this code's
    newest revision (a worker upgraded before the migration ran), instead of failing later on a
    missing column halfway through a run. Checked once per process and database."""
    if url in _current_schemas:
        return
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    with get_engine(url).connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current != head:
        raise SchemaOutdated(
            f"database schema is at revision {current or 'none'}, this code needs {head}: "
            "migrate first with `nianbao agencies sync` (or the deploy `app` one-shot)"
        )
    _current_schemas.add(url)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
