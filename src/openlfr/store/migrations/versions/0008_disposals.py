"""disposals: what became of an arrest an alert led to, recorded later by an officer

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DISPOSALS = ("charged", "cautioned", "released_no_further_action", "other")


def upgrade() -> None:
    op.add_column(
        "alerts",
        sa.Column(
            "disposal",
            sa.Enum(*DISPOSALS, name="disposal", native_enum=False, length=32),
            nullable=True,
        ),
    )
    op.add_column(
        "alerts", sa.Column("disposal_note", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("alerts", sa.Column("disposal_recorded_by", sa.String(length=100)))
    op.add_column("alerts", sa.Column("disposal_recorded_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        for column in ("disposal_recorded_at", "disposal_recorded_by", "disposal_note", "disposal"):
            batch.drop_column(column)
