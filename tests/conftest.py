"""Shared fixtures: databases (SQLite always; PostgreSQL on 127.0.0.1:5432 too) and paths.

PostgreSQL: one scratch database per test session, created and dropped here, emptied
between tests. On CI (CI=true) an unreachable PostgreSQL fails the run; on a laptop
without it, the PostgreSQL variants skip with the reason.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "replicas" / "content" / "seeds"
PG_ADMIN_URL = os.environ.get(
    "NIANBAO_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Every test server runs on 127.0.0.1; production refuses such addresses (scrapers/addresses.py).
os.environ.setdefault("NIANBAO_ALLOW_PRIVATE_HOSTS", "true")

_system_getaddrinfo = socket.getaddrinfo


def _loopback_names_only(host, *args, **kwargs):
    """No test may resolve a real host name (it would depend on the network, and reach out):
    address literals and localhost resolve; any other name fails as if it did not exist.
    Tests that need a name give the fetcher a resolver of their own (tests/scrapers)."""
    name = host.decode() if isinstance(host, bytes) else host
    if name is None:
        return _system_getaddrinfo(host, *args, **kwargs)
    bare = str(name).strip("[]").split("%", 1)[0].rstrip(".").lower()
    try:
        ipaddress.ip_address(bare)
        return _system_getaddrinfo(host, *args, **kwargs)
    except ValueError:
        pass
    if bare == "localhost" or bare.endswith(".localhost"):
        return _system_getaddrinfo(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"tests resolve no real host name: {name}")


socket.getaddrinfo = _loopback_names_only


def seed_path(name: str) -> Path:
    """A seed report: the committed copy under replicas/content/seeds (checked against the real
    ones' digests by tests/scrapers/test_sample_portal.py)."""
    return SEEDS / name


@contextmanager
def scratch_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration (dropped after). On CI an unreachable
    PostgreSQL fails the test; elsewhere it skips with the reason."""
    name = f"nianbao_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required on CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_ADMIN_URL} unreachable: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        from models.db import get_engine

        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_scratch_url() -> Iterator[str]:
    from models.db import migrate

    with scratch_pg_database() as url:
        migrate(url)
        yield url


def _truncate_pg(url: str) -> None:
    from sqlmodel import SQLModel

    import models.tables  # noqa: F401
    from models.db import get_engine

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite in a temp dir, or the session's PostgreSQL scratch DB."""
    from models.db import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nianbao.db'}"
        migrate(url)
        return url
    url = request.getfixturevalue("pg_scratch_url")
    _truncate_pg(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    from models.db import migrate

    url = f"sqlite:///{tmp_path / 'nianbao.db'}"
    migrate(url)
    return url


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One real Prefect server (SQLite) for the whole test session: the flows the integration
    tests run in-process and the processes the e2e tests start all talk to it (a start-up costs
    about a minute on this machine, so each folder starting its own doubled that)."""
    from flows.server import free_port, start_local_server

    root = tmp_path_factory.mktemp("prefect-server")
    server = start_local_server(free_port(), log_path=root / "server.log", home=root / "home", timeout=120)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def prefect_harness(prefect_server) -> Iterator[None]:
    """Flows run in this process report to the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):
        yield


SLOW_FIXTURES = {"prefect_server", "prefect_harness"}
SLOW_MARKERS = {"e2e", "browser", "ocr"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`slow`, by what a test needs (a Prefect server, a browser, the OCR engine), not by a list:
    `pytest -m "not slow"` is the quick loop, the full suite (CI) runs everything."""
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if needs & SLOW_FIXTURES or {m.name for m in item.iter_markers()} & SLOW_MARKERS:
            item.add_marker(pytest.mark.slow)
