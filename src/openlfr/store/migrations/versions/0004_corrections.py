"""corrections: an auditor's correction of an adjudication after the deployment closed

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("corrected_by", sa.String(length=100), nullable=True))
    op.add_column("alerts", sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "alerts", sa.Column("correction_reason", sa.Text(), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        for column in ("correction_reason", "corrected_at", "corrected_by"):
            batch.drop_column(column)
