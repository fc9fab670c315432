"""what the monitor saw: whether a crawl read the whole column, whose report it is and why,
the district's level and an agency's own columns

``agencycrawl.complete`` lets the deadline check tell "not found on a column read in full"
(MISSING) from "could not check" (「无法核实」); crawls recorded before say ``ok`` when they read
their column, so those are taken as complete. ``report.agency_source`` records what named the
agency (title, page label, own column …). ``jurisdiction.level`` and ``agency.own_entries`` come
from the registry at the next sync.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agencycrawl", schema=None) as batch_op:
        batch_op.add_column(sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE agencycrawl SET complete = outcome = 'ok'")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_source", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("jurisdiction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("own_entries", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("own_entries")
    with op.batch_alter_table("jurisdiction", schema=None) as batch_op:
        batch_op.drop_column("level")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("agency_source")
    with op.batch_alter_table("agencycrawl", schema=None) as batch_op:
        batch_op.drop_column("complete")
