"""The outbox: an alert is written in the same transaction as the event it announces.

``enqueue`` only adds to the caller's session; the caller commits the alert together with its
finding or deadline event, so either both exist or neither does. The unique ``dedup_key`` makes a
re-run that sees the same event a no-op; each kind's key is declared in alerts/kinds.py."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from alerts.render import render_body, render_subject
from alerts.rules_zh import rule_title
from models.tables import Agency, Alert, Jurisdiction


def now_utc() -> datetime:
    """Timezone-aware UTC: the Alert datetime columns (sqlmodel UTCDateTime) reject naive values."""
    return datetime.now(UTC)


def as_utc(dt: datetime | None) -> datetime | None:
    """Naive values are taken as UTC, so callers and tests may pass either."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.utcoffset() is None else dt.astimezone(UTC)


# ---- payloads ---------------------------------------------------------------------


def agency_fields(session: Session, agency: Agency | None) -> dict[str, Any]:
    """Agency and district names, stored in the payload so delivery needs no joins."""
    if agency is None:
        return {}
    out: dict[str, Any] = {"agency_code": agency.code, "agency_name": agency.name}
    jur = session.get(Jurisdiction, agency.jurisdiction_id) if agency.jurisdiction_id else None
    if jur is not None:
        out["district_code"] = jur.code
        out["district_name"] = jur.name
    return out


# ---- enqueue ----------------------------------------------------------------------


def enqueue(
    session: Session,
    *,
    kind: str,
    dedup_key: str,
    agency: Agency | None,
    year: int | None,
    severity: str,
    tags: Sequence[str],
    payload: Mapping[str, Any],
    finding_id: int | None = None,
    now: datetime | None = None,
) -> Alert | None:
    """Render and add an alert to ``session`` (not committed); None if ``dedup_key`` exists.

    A concurrent enqueue of the same key in another transaction fails at the caller's commit on
    the unique index; that rollback is correct (the other transaction announced the event)."""
    existing = session.exec(select(Alert.id).where(Alert.dedup_key == dedup_key)).first()
    if existing is not None:
        return None
    full: dict[str, Any] = {**agency_fields(session, agency), **dict(payload)}
    if year is not None:
        full.setdefault("year", year)
    if full.get("rule") and not full.get("rule_title"):
        full["rule_title"] = rule_title(full["rule"])
    full["severity"] = severity
    alert = Alert(
        dedup_key=dedup_key,
        kind=kind,
        finding_id=finding_id,
        agency_id=agency.id if agency is not None else None,
        year=year,
        severity=severity,
        tags=list(dict.fromkeys(tags)),
        subject=render_subject(kind, severity, full),
        body=render_body(kind, severity, full, "text"),
        payload=json.loads(json.dumps(full, ensure_ascii=False, default=str)),
        state="pending",
        created_at=as_utc(now) or now_utc(),
    )
    session.add(alert)
    session.flush()  # the unique key and the id exist from here on, in the caller's transaction
    return alert


def list_alerts(session: Session, states: Sequence[str] = ("pending", "failed")) -> list[Alert]:
    """Alerts in ``states``, oldest first (for the CLI's ``alerts list``)."""
    stmt = (
        select(Alert).where(col(Alert.state).in_(list(states))).order_by(col(Alert.created_at), col(Alert.id))
    )
    return list(session.exec(stmt).all())
