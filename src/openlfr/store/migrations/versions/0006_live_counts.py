"""live: an alert's frame time and track length; counts per camera and hour

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "alerts", sa.Column("track_length", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_table(
        "camera_counts",
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("camera", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("faces", sa.Integer(), nullable=False),
        sa.Column("below_gate", sa.Integer(), nullable=False),
        sa.Column("tracks", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"], ["deployments.id"], name=op.f("fk_camera_counts_deployment_id")
        ),
        sa.PrimaryKeyConstraint("deployment_id", "camera", "hour", name=op.f("pk_camera_counts")),
    )


def downgrade() -> None:
    op.drop_table("camera_counts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("track_length")
        batch.drop_column("seen_at")
