"""per agency the list adapter and the http fallback from the registry; a crawl run's last sign
of life

``agency.adapter`` pins the CMS family when the guess (``auto``) is wrong; ``agency.http_fallback``
lets a site with a broken certificate be read over plain http. ``crawlrun.last_seen_at`` is
written while a run works, so the next run can tell a killed run (marked ``abandoned``) from
one still going.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("adapter", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="auto")
        )
        batch_op.add_column(sa.Column("http_fallback", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("crawlrun", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawlrun", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("http_fallback")
        batch_op.drop_column("adapter")
