"""watchlist composition: a compiled watchlist's subjects by sex and ethnicity, kept on the
deployment after the watchlist is destroyed

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deployments", sa.Column("watchlist_composition", sa.JSON(none_as_null=True)))


def downgrade() -> None:
    with op.batch_alter_table("deployments") as batch:
        batch.drop_column("watchlist_composition")
