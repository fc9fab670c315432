"""alert claim columns: the run holding a `sending` alert and its lease, apart from the retry time

Before, a `sending` alert kept its lease deadline in `next_attempt_at`, and that deadline (with
random microseconds) was also the claim token. Alerts left `sending` by an older version keep
their lease as `claimed_until` with no token: no run owns them, and the next run after the lease
takes them over, as before.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 21:30:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_alert_claim_token"), ["claim_token"], unique=False)
    op.execute(
        "UPDATE alert SET claimed_until = next_attempt_at, next_attempt_at = NULL WHERE state = 'sending'"
    )


def downgrade() -> None:
    op.execute("UPDATE alert SET next_attempt_at = claimed_until WHERE state = 'sending'")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_claim_token"))
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claim_token")
