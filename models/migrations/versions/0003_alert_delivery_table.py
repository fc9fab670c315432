"""alert deliveries in their own table, one row per alert and recipient, with the time

Before, the recipients an alert had reached were a list in its payload
(``payload["_delivery"]["done"]``); they are moved to rows (sent_at: the alert's sent_at, or
the migration time for an alert still under way) and removed from the payload.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 21:40:00
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alertdelivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "recipient", name="uq_alert_delivery"),
    )
    with op.batch_alter_table("alertdelivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alertdelivery_alert_id"), ["alert_id"], unique=False)

    conn = op.get_bind()
    alert = sa.table("alert", sa.column("id"), sa.column("payload", sa.JSON), sa.column("sent_at"))
    delivery = sa.table(
        "alertdelivery", sa.column("alert_id"), sa.column("recipient"), sa.column("sent_at")
    )
    now = datetime.now(UTC)
    for alert_id, payload, sent_at in conn.execute(sa.select(alert.c.id, alert.c.payload, alert.c.sent_at)):
        if isinstance(payload, str):  # some drivers hand JSON back as text
            payload = json.loads(payload)
        done = ((payload or {}).get("_delivery") or {}).get("done") or []
        if not done:
            continue
        conn.execute(
            delivery.insert(),
            [{"alert_id": alert_id, "recipient": rid, "sent_at": sent_at or now} for rid in sorted(set(done))],
        )
        rest = {k: v for k, v in payload.items() if k != "_delivery"}
        conn.execute(alert.update().where(alert.c.id == alert_id).values(payload=rest))


def downgrade() -> None:
    conn = op.get_bind()
    alert = sa.table("alert", sa.column("id"), sa.column("payload", sa.JSON))
    delivery = sa.table("alertdelivery", sa.column("alert_id"), sa.column("recipient"))
    done: dict[int, list[str]] = {}
    for alert_id, rid in conn.execute(sa.select(delivery.c.alert_id, delivery.c.recipient)):
        done.setdefault(alert_id, []).append(rid)
    for alert_id, rids in done.items():
        payload = conn.execute(sa.select(alert.c.payload).where(alert.c.id == alert_id)).scalar_one()
        if isinstance(payload, str):
            payload = json.loads(payload)
        payload = {**(payload or {}), "_delivery": {"done": sorted(rids)}}
        conn.execute(alert.update().where(alert.c.id == alert_id).values(payload=payload))
    with op.batch_alter_table("alertdelivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alertdelivery_alert_id"))
    op.drop_table("alertdelivery")
