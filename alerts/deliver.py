"""Delivery of the outbox through apprise, at least once, never twice after a recorded success.

One run:
1. **claim** — in its own committed transaction, due ``pending`` alerts and ``sending`` alerts
   whose lease expired become ``sending`` with the run's ``claim_token`` (a random UUID),
   ``claimed_until`` = now + lease, and ``attempts`` + 1.
2. **send** — per recipient URL: urgent kinds one message each, everything else in ONE digest.
3. **mark** — right after each successful message, in its own transaction, an ``AlertDelivery``
   row records the recipient and the time; an alert whose every recipient has one becomes
   ``sent`` with ``sent_at``.
4. **finish** — claimed alerts not sent go back to ``pending`` with ``last_error`` (redacted) and
   exponential backoff, or to ``failed`` after ``max_attempts``.

A crash after claim or after send leaves ``sending`` rows; once their lease expires the next run
re-sends them to the recipients not yet marked (at-least-once; see docs/alerts.md). A row marked
``sent`` (or a recipient marked done) is never selected again."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import apprise
from apprise import LogCapture, NotifyFormat, NotifyType
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from alerts.config import AlertConfig, Recipient, load_config, make_asset, schema_of
from alerts.kinds import KINDS
from alerts.limits import ChannelLimit, limit_for
from alerts.outbox import as_utc, list_alerts, now_utc
from alerts.receipts import capture, service_error
from alerts.render import DigestItem, fit_body, render_body, render_subject, split_digest
from alerts.rules_zh import SEVERITY_RANK
from models.db import get_engine
from models.tables import Alert, AlertDelivery, row_id
from scrapers.retry import RetryPolicy

__all__ = [
    "DeliveryReport",
    "MessageResult",
    "TestReport",
    "deliver_pending",
    "list_alerts",
    "send_test_message",
]

log = logging.getLogger(__name__)

CRASH_ENV = "NIANBAO_ALERTS_CRASH_AT"  # tests only: after_claim | after_send | after_mark
CRASH_STEPS = ("after_claim", "after_send", "after_mark")
SessionFactory = Callable[[], Session]


def _crash_point(step: str) -> None:
    """Die like a power cut (SIGKILL: no cleanup, no rollback) when a test asks for it."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class MessageResult:
    recipient: str  # privacy-mode URL: no secrets
    tags: list[str]
    mode: str  # "digest" | "single"
    alert_ids: list[int]
    ok: bool
    error: str | None = None
    name: str = ""  # the recipient's display name (config ``name:``)
    part: tuple[int, int] = (1, 1)  # which of the parts a split digest went out in
    idempotency_key: str = ""


@dataclass
class DeliveryReport:
    claimed: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unroutable: list[int] = field(default_factory=list)  # no configured URL has any of their tags
    lost_claims: list[int] = field(default_factory=list)  # another run took them over
    messages: list[MessageResult] = field(default_factory=list)
    log: str = ""  # apprise's own delivery log, secrets redacted

    @property
    def ok(self) -> bool:
        return all(m.ok for m in self.messages)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (a flow's result, JSON): counts and one line per message, no objects."""
        return {
            "sent": len(self.sent),
            "retrying": len(self.retrying),
            "failed": len(self.failed),
            "unroutable": len(self.unroutable),
            "messages": [
                {
                    "recipient": m.name or m.recipient,
                    "alerts": m.alert_ids,
                    "part": f"{m.part[0]}/{m.part[1]}",
                    "ok": m.ok,
                    "error": m.error,
                }
                for m in self.messages
            ],
        }


# ---- helpers ----------------------------------------------------------------------


def _factory(session_factory_or_url: str | SessionFactory) -> SessionFactory:
    if isinstance(session_factory_or_url, str):
        engine = get_engine(session_factory_or_url)
        return lambda: Session(engine, expire_on_commit=False)
    return session_factory_or_url


def _due(now: datetime) -> Any:
    """Pending and due, or ``sending`` with an expired lease (a crashed or stuck run)."""
    return or_(
        (col(Alert.state) == "pending")
        & (col(Alert.next_attempt_at).is_(None) | (col(Alert.next_attempt_at) <= now)),
        (col(Alert.state) == "sending")
        & (col(Alert.claimed_until).is_(None) | (col(Alert.claimed_until) <= now)),
    )


def _release(alert: Alert, state: str, next_attempt_at: datetime | None = None) -> None:
    """The run lets go of `alert`: its new state, and when to try again if pending."""
    alert.state, alert.next_attempt_at = state, next_attempt_at
    alert.claim_token, alert.claimed_until = None, None


def _delivered(s: Session, alert_ids: list[int]) -> dict[int, set[str]]:
    """The recipients each alert has reached (its `AlertDelivery` rows)."""
    done: dict[int, set[str]] = {}
    if alert_ids:
        rows = s.exec(
            select(AlertDelivery.alert_id, AlertDelivery.recipient).where(
                col(AlertDelivery.alert_id).in_(alert_ids)
            )
        ).all()
        for alert_id, rid in rows:
            done.setdefault(alert_id, set()).add(rid)
    return done


def _backoff(attempts: int, cfg: AlertConfig) -> timedelta:
    """The project's retry policy with the config's figures; no jitter: delivery runs on a
    schedule anyway, and exact times keep `nianbao alerts list` readable."""
    policy = RetryPolicy(
        base_delay=cfg.backoff_base_seconds, factor=2.0, max_delay=cfg.backoff_max_seconds, jitter=0.0
    )
    return timedelta(seconds=policy.delay(max(1, attempts)))


_LOG_LINE = re.compile(r"^\S+ \S+ - (?P<level>[A-Z]+) - (?P<msg>.*)$")


def _error_from_log(text: str) -> str:
    """The warnings and exception lines apprise logged: why the send failed, in one line."""
    picked: list[str] = []
    for line in text.splitlines():
        m = _LOG_LINE.match(line)
        if not m:
            continue
        level, msg = m.group("level"), m.group("msg").strip()
        wanted = level in {"WARNING", "ERROR"} or "Exception" in msg or "Response Details" in msg
        if wanted and msg not in picked:
            picked.append(msg)
    return " | ".join(picked)[:600] or "apprise reported failure without details"


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_FIELD = "idempotency_key"


def idempotency_key(recipient: Recipient, alert_ids: Sequence[int], part: tuple[int, int]) -> str:
    """The same for every attempt at the same message (recipient, alerts, part), so a receiver
    that got a message whose answer we never saw can drop the repeat."""
    blob = f"{recipient.rid}|{','.join(str(i) for i in sorted(alert_ids))}|{part[0]}/{part[1]}"
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _with_key(server: Any, key: str) -> dict[str, Any]:
    """Put the key on a webhook's request (header and JSON/form field); returns what to restore.
    Chat bots (WeCom, DingTalk, Feishu) have a fixed body and no header option in apprise."""
    saved: dict[str, Any] = {}
    if isinstance(getattr(server, "headers", None), dict):
        saved["headers"] = server.headers
        server.headers = {**server.headers, IDEMPOTENCY_HEADER: key}
    if isinstance(getattr(server, "payload_extras", None), dict):
        saved["payload_extras"] = server.payload_extras
        server.payload_extras = {**server.payload_extras, IDEMPOTENCY_FIELD: key}
    return saved


def _notify(
    recipient: Recipient, title: str, body: str, markdown: bool, ntype: NotifyType, key: str = ""
) -> tuple[bool, str]:
    """Send one message; (delivered, apprise's log). An error code the service put inside an
    HTTP 200 (alerts/receipts.py) makes it a failure, with that code in the log."""
    ap = apprise.Apprise(asset=make_asset())
    ap.add(recipient.server)
    apprise_logger = logging.getLogger("apprise")
    propagate, apprise_logger.propagate = apprise_logger.propagate, False  # DEBUG goes to the capture only
    saved = _with_key(recipient.server, key) if key else {}
    try:
        with LogCapture(level=logging.DEBUG) as captured, capture() as responses:
            ok = ap.notify(
                body=body,
                title=title,
                notify_type=ntype,
                body_format=NotifyFormat.MARKDOWN if markdown else NotifyFormat.TEXT,
            )
            text = captured.getvalue()
    finally:
        apprise_logger.propagate = propagate
        for attr, value in saved.items():
            setattr(recipient.server, attr, value)
    rejected = service_error(schema_of(recipient.server), responses) if ok else None
    if rejected:
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S,000")
        text += f"{stamp} - WARNING - {rejected}\n"
        return False, text
    return bool(ok), text


def _notify_type(severities: Sequence[str], kinds: Sequence[str]) -> NotifyType:
    worst = min((SEVERITY_RANK.get(s, 9) for s in severities), default=9)
    if worst == 0:
        return NotifyType.FAILURE
    if worst == 1:
        return NotifyType.WARNING
    if kinds and all(k in KINDS and KINDS[k].good_news for k in kinds):
        return NotifyType.SUCCESS
    return NotifyType.INFO


def _limit(recipient: Recipient) -> ChannelLimit | None:
    return limit_for(schema_of(recipient.server), recipient.server)


def _single_message(alert: Alert, recipient: Recipient) -> tuple[str, str]:
    body = (
        alert.body
        if recipient.text_only
        else render_body(alert.kind, alert.severity, _clean_payload(alert.payload), "md")
    )
    body = f"{body}\n\n提醒编号：#{alert.id}"
    limit = _limit(recipient)
    if limit is not None:
        body = fit_body(alert.subject, body, limit.fits, [row_id(alert)])
    return alert.subject, body


def _messages_for(
    recipient: Recipient, batch: list[Alert], singles: list[Alert]
) -> list[tuple[str, tuple[int, int], list[Alert], str, str]]:
    """(mode, part, alerts, title, body) of every message this recipient gets: urgent kinds
    one each, the rest as one digest, split into numbered parts that fit the channel."""
    out: list[tuple[str, tuple[int, int], list[Alert], str, str]] = []
    for a in [*singles, *(batch if len(batch) == 1 else [])]:
        title, body = _single_message(a, recipient)
        out.append(("single", (1, 1), [a], title, body))
    if len(batch) > 1:
        by_id = {a.id: a for a in batch}
        items = [DigestItem(a.id, a.kind, a.severity, a.subject, _clean_payload(a.payload)) for a in batch]
        limit = _limit(recipient)
        parts = split_digest(
            items,
            recipient.name,
            "text" if recipient.text_only else "md",
            limit.fits if limit is not None else None,
        )
        for n, (title, body, group) in enumerate(parts, start=1):
            out.append(("digest", (n, len(parts)), [by_id[i.id] for i in group], title, body))
    return out


def _clean_payload(payload: dict | None) -> dict:
    return {k: v for k, v in (payload or {}).items() if not k.startswith("_")}


# ---- the run ----------------------------------------------------------------------


def _claim(factory: SessionFactory, cfg: AlertConfig, now: datetime, report: DeliveryReport) -> str:
    token = uuid.uuid4().hex
    with factory() as s:
        rows = s.exec(select(Alert).where(_due(now))).all()
        ids: list[int] = []
        for a in rows:
            if not cfg.recipients_for(a.tags or []):
                report.unroutable.append(row_id(a))
            elif a.state == "sending" and a.attempts >= cfg.max_attempts:
                # interrupted max_attempts times: stop retrying a message that kills the sender
                _release(a, "failed")
                a.last_error = f"delivery interrupted {a.attempts} times (stale claim); not retried"
                report.failed.append(row_id(a))
            else:
                ids.append(row_id(a))
        s.flush()
        if ids:
            s.execute(
                update(Alert)
                .where(
                    col(Alert.id).in_(ids), _due(now)
                )  # compare-and-set: a concurrent run wins or loses whole rows
                .values(
                    state="sending",
                    claim_token=token,
                    claimed_until=now + timedelta(seconds=cfg.lease_seconds),
                    next_attempt_at=None,
                    attempts=col(Alert.attempts) + 1,
                )
                .execution_options(synchronize_session=False)
            )
        s.commit()
        claimed = s.exec(
            select(Alert.id).where(col(Alert.state) == "sending", col(Alert.claim_token) == token)
        ).all()
    report.claimed = sorted(i for i in claimed if i is not None)  # the column is typed int | None
    return token


def _load_claimed(factory: SessionFactory, ids: list[int]) -> tuple[list[Alert], dict[int, set[str]]]:
    """The claimed alerts, and the recipients each has already reached."""
    with factory() as s:
        alerts = list(s.exec(select(Alert).where(col(Alert.id).in_(ids)).order_by(col(Alert.id))).all())
        return alerts, _delivered(s, ids)


def _mark(
    factory: SessionFactory,
    cfg: AlertConfig,
    token: str,
    rid: str,
    alert_ids: list[int],
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Record that ``rid`` received ``alert_ids``; alerts with every recipient done become sent."""
    with factory() as s:
        held = s.exec(select(Alert).where(col(Alert.id).in_(alert_ids)).with_for_update()).all()
        delivered = _delivered(s, alert_ids)
        for a in held:
            if a.state != "sending" or a.claim_token != token:
                report.lost_claims.append(row_id(a))
                log.warning("alert %s: claim lost before marking; another run owns it", a.id)
                continue
            done = delivered.get(row_id(a), set())
            if rid not in done:
                s.add(AlertDelivery(alert_id=row_id(a), recipient=rid, sent_at=now))
            done = done | {rid}
            targets = {r.rid for r in cfg.recipients_for(a.tags or [])}
            if targets <= done:
                _release(a, "sent")
                a.sent_at = now
        s.commit()


def _finish(
    factory: SessionFactory,
    cfg: AlertConfig,
    token: str,
    errors: dict[int, list[str]],
    now: datetime,
    report: DeliveryReport,
) -> None:
    with factory() as s:
        held = s.exec(select(Alert).where(col(Alert.id).in_(report.claimed)).with_for_update()).all()
        delivered = _delivered(s, report.claimed)
        for a in held:
            if a.state == "sent":
                report.sent.append(row_id(a))
                continue
            if a.state != "sending" or a.claim_token != token:
                continue
            targets = {r.rid for r in cfg.recipients_for(a.tags or [])}
            if targets <= delivered.get(row_id(a), set()):  # e.g. a recipient was removed
                _release(a, "sent")
                a.sent_at = now
                report.sent.append(row_id(a))
                continue
            a.last_error = cfg.redact("; ".join(errors.get(row_id(a), []))) or "not delivered"
            if a.attempts >= cfg.max_attempts:
                _release(a, "failed")
                report.failed.append(row_id(a))
            else:
                _release(a, "pending", now + _backoff(a.attempts, cfg))
                report.retrying.append(row_id(a))
        s.commit()


def deliver_pending(
    session_factory_or_url: str | SessionFactory,
    config_path: str | Path,
    *,
    now: datetime | None = None,
    max_attempts: int | None = None,
    urgent_kinds: Sequence[str] | None = None,
) -> DeliveryReport:
    """Send every due alert: urgent kinds one by one, the rest as one digest per recipient.

    ``max_attempts`` and ``urgent_kinds`` default to the config's ``nianbao:`` block."""
    cfg = load_config(config_path)
    if max_attempts is not None:
        cfg.max_attempts = max(1, max_attempts)
    urgent = frozenset(urgent_kinds) if urgent_kinds is not None else cfg.urgent_kinds
    now = as_utc(now) or now_utc()
    factory = _factory(session_factory_or_url)
    report = DeliveryReport()
    logs: list[str] = []

    token = _claim(factory, cfg, now, report)
    _crash_point("after_claim")
    alerts, delivered = _load_claimed(factory, report.claimed)
    errors: dict[int, list[str]] = {}

    for recipient in cfg.recipients:
        mine = [
            a
            for a in alerts
            if recipient.tags & set(a.tags or []) and recipient.rid not in delivered.get(row_id(a), set())
        ]
        if not mine:
            continue
        singles = [a for a in mine if a.kind in urgent]
        batch = [a for a in mine if a.kind not in urgent]
        for mode, part, group, title, body in _messages_for(recipient, batch, singles):
            ids = [row_id(a) for a in group]
            key = idempotency_key(recipient, ids, part)
            ntype = _notify_type([a.severity for a in group], [a.kind for a in group])
            ok, raw_log = _notify(recipient, title, body, not recipient.text_only, ntype, key)
            logs.append(cfg.redact(raw_log))
            _crash_point("after_send")
            error = None
            if ok:
                _mark(factory, cfg, token, recipient.rid, ids, now, report)
                _crash_point("after_mark")
            else:
                error = cfg.redact(f"{recipient.label}: {_error_from_log(raw_log)}")
                for aid in ids:
                    errors.setdefault(aid, []).append(error)
                log.warning("delivery to %s failed for alerts %s", cfg.redact(recipient.label), ids)
            report.messages.append(
                MessageResult(
                    recipient.label,
                    sorted(recipient.tags),
                    mode,
                    ids,
                    ok,
                    error,
                    recipient.display,
                    part,
                    key,
                )
            )

    _finish(factory, cfg, token, errors, now, report)
    report.log = "".join(logs)
    return report


@dataclass
class TestResult:
    """One test message: to whom (display name and privacy URL), which tags, and how it went."""

    name: str
    url: str
    tags: list[str]
    ok: bool
    error: str | None = None


@dataclass
class TestReport:
    results: list[TestResult] = field(default_factory=list)
    missing_tags: list[str] = field(default_factory=list)  # asked for, but no URL has them
    log: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results) and not self.missing_tags


def send_test_message(config_path: str | Path, tag: str | None = None) -> TestReport:
    """Send a Chinese test message to every recipient (or those of ``tag``), once each, so an
    office can check its channels before the first real alert."""
    cfg = load_config(config_path)
    recipients = cfg.recipients_for({tag}) if tag else list(cfg.recipients)
    report = TestReport(missing_tags=[tag] if tag and not recipients else [])
    logs: list[str] = []
    for r in recipients:
        payload = {"recipient": r.display, "sent_at": now_utc().isoformat()}
        title = render_subject("test", "info", payload)
        body = render_body("test", "info", payload, "text" if r.text_only else "md")
        key = idempotency_key(r, [], (1, 1)) + payload["sent_at"][-6:]
        ok, raw = _notify(r, title, body, not r.text_only, NotifyType.INFO, key)
        logs.append(cfg.redact(raw))
        error = None if ok else cfg.redact(_error_from_log(raw))
        report.results.append(TestResult(r.display, r.label, sorted(r.tags), ok, error))
    report.log = "".join(logs)
    return report
