"""The outbox: an alert is written in the same transaction as the event it announces.

``enqueue`` only adds to the caller's session; the caller commits the alert together with its
finding or deadline event, so either both exist or neither does. The unique ``dedup_key`` makes a
re-run that sees the same event a no-op."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from alerts.render import render_body, render_subject
from alerts.rules_zh import rule_title
from models.tables import Agency, Alert, Finding, Jurisdiction


def now_utc() -> datetime:
    """Timezone-aware UTC: the Alert datetime columns (sqlmodel UTCDateTime) reject naive values."""
    return datetime.now(UTC)


def as_utc(dt: datetime | None) -> datetime | None:
    """Naive values are taken as UTC, so callers and tests may pass either."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.utcoffset() is None else dt.astimezone(UTC)


# ---- dedup keys -------------------------------------------------------------------


def finding_content_hash(finding: Finding) -> str:
    """What the recipient reads of a finding: when this changes, the finding is news again."""
    blob = json.dumps(
        [finding.rule, finding.severity, finding.status, finding.message, finding.evidence],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def finding_key(finding: Finding) -> str:
    """``finding:<id>:<fingerprint>:<content>``; a changed message/evidence gives a new key."""
    return f"finding:{finding.id}:{finding.fingerprint}:{finding_content_hash(finding)}"


def resolved_key(finding: Finding) -> str:
    return f"resolved:{finding.id}:{finding.fingerprint}"


def missing_key(agency_code: str, year: int) -> str:
    return f"missing:{agency_code}:{year}"


def late_key(agency_code: str, year: int) -> str:
    return f"late:{agency_code}:{year}"


def published_key(agency_code: str, year: int) -> str:
    return f"published:{agency_code}:{year}"


def health_key(agency_code: str, since: datetime) -> str:
    """One ``health`` alert per outage episode, identified by when the episode began."""
    return f"health:{agency_code}:{since:%Y%m%dT%H%M%S}"


def health_recovered_key(agency_code: str, since: datetime) -> str:
    return f"health_recovered:{agency_code}:{since:%Y%m%dT%H%M%S}"


def reminder_due(
    session: Session,
    finding: Finding,
    *,
    interval: timedelta | None,
    now: datetime | None = None,
) -> str | None:
    """The dedup key to enqueue under if ``finding`` should be announced now, else None.

    Never re-sent unless it changed (new content hash -> new base key, due at once) or
    ``interval`` passed since the last alert for the same content (key ``...:r<n>``).
    ``interval=None`` disables reminders."""
    base = finding_key(finding)
    rows = session.exec(
        select(Alert).where((col(Alert.dedup_key) == base) | col(Alert.dedup_key).startswith(base + ":r"))
    ).all()
    if not rows:
        return base
    if interval is None:
        return None
    now = as_utc(now) or now_utc()
    last = max(as_utc(a.created_at) for a in rows)
    if last + interval > now:
        return None
    return f"{base}:r{len(rows)}"


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


def finding_payload(finding: Finding, *, url: str | None = None, report_title: str | None = None) -> dict:
    """The payload for a ``finding`` (or ``resolved``) alert from a Finding row."""
    return {
        "rule": finding.rule,
        "rule_title": rule_title(finding.rule),
        "message": finding.message,
        "evidence": dict(finding.evidence or {}),
        "status": finding.status,
        "fingerprint": finding.fingerprint,
        "url": url,
        "report_title": report_title,
    }


def default_tags(session: Session, agency: Agency | None, extra: Iterable[str] = ("office",)) -> list[str]:
    """``office`` + the agency's district code + the agency code: the usual routing."""
    tags = list(extra)
    f = agency_fields(session, agency)
    for key in ("district_code", "agency_code"):
        if f.get(key) and f[key] not in tags:
            tags.append(f[key])
    return tags


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
