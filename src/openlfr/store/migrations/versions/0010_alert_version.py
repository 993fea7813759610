"""alert version: a number every write of an alert bumps, so a verdict posted from a stale
view of an alert is refused rather than overwriting what was recorded since

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("version")
