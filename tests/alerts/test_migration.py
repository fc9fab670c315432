"""Revision 0002 moves a `sending` alert's lease out of next_attempt_at into claimed_until:
an alert an older version left `sending` is taken over after its lease, not before, and
delivered once; a pending alert keeps its retry time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from alerts.deliver import deliver_pending
from models.db import get_engine, migrate
from tests.conftest import scratch_pg_database

from .conftest import write_config
from .helpers import states, utc

T0 = utc(2025, 2, 5, 9)
LEGACY = (
    "INSERT INTO alert (id, kind, dedup_key, severity, tags, subject, body, payload, state, attempts, "
    "next_attempt_at, created_at) VALUES (:id, 'finding', :key, 'error', :tags, :subject, '正文', "
    "'{}', :state, :attempts, :next_at, :created)"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_schema_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at revision 0001 (before the claim columns)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        migrate(url, "0001")
        yield url
        return
    with scratch_pg_database() as url:
        migrate(url, "0001")
        yield url


def test_an_alert_left_sending_by_an_older_version_is_taken_over_after_its_lease(
    old_schema_url: str, sink, tmp_path: Path
) -> None:
    with get_engine(old_schema_url).begin() as conn:
        for id_, state, attempts, next_at in (
            (1, "sending", 1, T0 + timedelta(minutes=10)),  # 0001: the lease deadline
            (2, "pending", 1, T0 + timedelta(minutes=5)),  # 0001: the retry time
        ):
            conn.execute(
                text(LEGACY),
                {
                    "id": id_,
                    "key": f"legacy:{id_}",
                    "tags": '["office"]',
                    "subject": f"旧提醒{id_}",
                    "state": state,
                    "attempts": attempts,
                    "next_at": next_at,
                    "created": T0 - timedelta(hours=1),
                },
            )
    get_engine(old_schema_url).dispose()
    migrate(old_schema_url)

    rows = states(old_schema_url)
    assert rows[1].claimed_until is not None and rows[1].next_attempt_at is None
    assert rows[1].claim_token is None  # no run owns it any more
    assert rows[2].claimed_until is None and rows[2].next_attempt_at is not None

    cfg = write_config(tmp_path / "apprise.yaml", f"urls:\n  - {sink.url}/office:\n      - tag: office\n")
    early = deliver_pending(old_schema_url, cfg, now=T0 + timedelta(minutes=6))
    assert early.claimed == [2]  # due; the legacy lease still holds alert 1
    late = deliver_pending(old_schema_url, cfg, now=T0 + timedelta(minutes=11))
    assert late.claimed == [1] and late.ok
    final = states(old_schema_url)
    assert {a.state for a in final.values()} == {"sent"}
    assert [a.attempts for a in sorted(final.values(), key=lambda a: a.id)] == [2, 2]
    subjects = "\n".join(str(m) for m in sink.messages_for("/office"))
    assert subjects.count("旧提醒1") == 1 and subjects.count("旧提醒2") == 1
