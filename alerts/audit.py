"""Who received an alert, and when: what the office asks when someone says 「没收到」."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from alerts.config import AlertConfig
from alerts.outbox import as_utc
from models.tables import Alert, AlertDelivery


@dataclass(frozen=True)
class RecipientStatus:
    label: str  # the redacted apprise URL, or why there is none
    tags: tuple[str, ...]
    sent_at: datetime | None  # None: not (yet) received
    name: str | None = None  # the configured display name (``name:``)


def delivery_status(session: Session, alert: Alert, cfg: AlertConfig | None) -> list[RecipientStatus]:
    """Every recipient the alert's tags reach in `cfg`, received or not, then any recipient that
    received it and is no longer configured (its id only: the URL is not stored)."""
    rows = session.exec(
        select(AlertDelivery).where(AlertDelivery.alert_id == alert.id).order_by(col(AlertDelivery.sent_at))
    ).all()
    delivered = {d.recipient: as_utc(d.sent_at) for d in rows}
    out: list[RecipientStatus] = []
    configured = cfg.recipients_for(alert.tags or []) if cfg else []
    for r in configured:
        out.append(RecipientStatus(r.label, tuple(sorted(r.tags)), delivered.get(r.rid), r.name))
    known = {r.rid for r in configured}
    gone = "已不在当前配置中，" if cfg else ""
    for rid, at in delivered.items():
        if rid not in known:
            out.append(RecipientStatus(f"（{gone}接收方编号 {rid}）", (), at))
    return out
