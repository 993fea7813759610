"""live: each alert's latency from its frame's arrival to its commit

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_latencies",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_latencies_alert_id")
        ),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployments.id"],
            name=op.f("fk_alert_latencies_deployment_id"),
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alert_latencies")),
    )
    op.create_index(op.f("ix_alert_latencies_deployment_id"), "alert_latencies", ["deployment_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_latencies_deployment_id"), table_name="alert_latencies")
    op.drop_table("alert_latencies")
