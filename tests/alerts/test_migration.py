"""Revision 0002 moves a `sending` alert's lease out of next_attempt_at into claimed_until:
an alert an older version left `sending` is taken over after its lease, not before, and
delivered once; a pending alert keeps its retry time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from alerts.deliver import deliver_pending
from models.db import get_engine, migrate, session_scope
from models.tables import Alert, AlertDelivery, row_id
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
    """An empty database (migrated to a revision by the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    with scratch_pg_database() as url:
        yield url


def test_an_alert_left_sending_by_an_older_version_is_taken_over_after_its_lease(
    old_schema_url: str, sink, tmp_path: Path
) -> None:
    migrate(old_schema_url, "0001")
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
    assert [a.attempts for a in sorted(final.values(), key=row_id)] == [2, 2]
    subjects = "\n".join(str(m) for m in sink.messages_for("/office"))
    assert subjects.count("旧提醒1") == 1 and subjects.count("旧提醒2") == 1


def test_recipients_reached_before_revision_0003_are_not_sent_again(
    old_schema_url: str, sink, tmp_path: Path
) -> None:
    """An alert that had reached the office (recorded in its payload then) and not the district
    when delivery was interrupted: after the upgrade, the retry goes to the district only."""
    from alerts.config import load_config

    cfg = write_config(
        tmp_path / "apprise.yaml",
        f"urls:\n  - {sink.url}/office:\n      - tag: office\n  - {sink.url}/pds-zhanhe:\n      - tag: pds-zhanhe\n",
    )
    office = next(r.rid for r in load_config(cfg).recipients if "office" in r.tags)
    migrate(old_schema_url, "0002")
    with get_engine(old_schema_url).begin() as conn:
        conn.execute(
            text(LEGACY.replace("'{}'", ":payload")),
            {
                "id": 7,
                "key": "legacy:7",
                "tags": '["office", "pds-zhanhe"]',
                "subject": "旧提醒7",
                "state": "pending",
                "attempts": 1,
                "next_at": None,
                "created": T0 - timedelta(hours=1),
                "payload": json.dumps({"rule": "T3-BALANCE", "_delivery": {"done": [office]}}),
            },
        )
    get_engine(old_schema_url).dispose()
    migrate(old_schema_url)

    with session_scope(old_schema_url) as s:
        assert [(d.alert_id, d.recipient) for d in s.exec(select(AlertDelivery)).all()] == [(7, office)]
        assert s.get_one(Alert, 7).payload == {"rule": "T3-BALANCE"}
    report = deliver_pending(old_schema_url, cfg, now=T0)
    assert report.claimed == [7] and report.ok
    assert len(sink.messages_for("/office")) == 0 and len(sink.messages_for("/pds-zhanhe")) == 1
    with session_scope(old_schema_url) as s:
        assert s.get_one(Alert, 7).state == "sent"
        assert sorted(d.recipient for d in s.exec(select(AlertDelivery)).all()) == sorted(
            [office, next(r.rid for r in load_config(cfg).recipients if "pds-zhanhe" in r.tags)]
        )


def test_the_alert_revisions_downgrade_and_upgrade_again_keeping_deliveries(old_schema_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from models.db import MIGRATIONS_DIR

    migrate(old_schema_url)
    with get_engine(old_schema_url).begin() as conn:
        conn.execute(
            text(LEGACY),
            {
                "id": 3,
                "key": "legacy:3",
                "tags": '["office"]',
                "subject": "提醒3",
                "state": "sending",
                "attempts": 1,
                "next_at": None,
                "created": T0,
            },
        )
        conn.execute(
            text("UPDATE alert SET claimed_until = :until WHERE id = 3"),
            {"until": T0 + timedelta(minutes=10)},
        )
        conn.execute(
            text("INSERT INTO alertdelivery (alert_id, recipient, sent_at) VALUES (3, 'r1', :at)"), {"at": T0}
        )
    get_engine(old_schema_url).dispose()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", old_schema_url)
    command.downgrade(cfg, "0001")
    with get_engine(old_schema_url).connect() as conn:
        payload, next_at = conn.execute(text("SELECT payload, next_attempt_at FROM alert WHERE id = 3")).one()
    get_engine(old_schema_url).dispose()
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert payload["_delivery"] == {"done": ["r1"]} and next_at is not None  # the lease, where 0001 kept it
    migrate(old_schema_url)
    with session_scope(old_schema_url) as s:
        assert [(d.alert_id, d.recipient) for d in s.exec(select(AlertDelivery)).all()] == [(3, "r1")]
        alert = s.get_one(Alert, 3)
        assert (
            alert.claimed_until is not None
            and alert.next_attempt_at is None
            and "_delivery" not in alert.payload
        )
