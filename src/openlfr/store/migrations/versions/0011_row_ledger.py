"""row ledger: every governed table signed, and the rows each audit entry wrote listed with it

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NEWLY_SIGNED = (
    "reference_images", "watchlist_entries", "camera_counts", "alert_latencies",
    "alert_biometrics", "data_keys",
)  # fmt: skip


def upgrade() -> None:
    for table in NEWLY_SIGNED:
        op.add_column(table, sa.Column("mac", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_rows",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("row", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["audit_log.seq"], name=op.f("fk_audit_rows_seq")),
        sa.PrimaryKeyConstraint("seq", "tbl", "row", name=op.f("pk_audit_rows")),
    )
    op.create_index("ix_audit_rows_tbl_row", "audit_rows", ["tbl", "row", "seq"])
    # Append-only, as the log is (migration 0001 made refuse_change() on PostgreSQL).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_rows_append_only BEFORE UPDATE OR DELETE ON audit_rows "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_rows_no_{verb.lower()} BEFORE {verb} ON audit_rows "
            "BEGIN SELECT RAISE(ABORT, 'audit_rows is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_rows_append_only ON audit_rows")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_rows_no_{verb}")
    op.drop_index("ix_audit_rows_tbl_row", table_name="audit_rows")
    op.drop_table("audit_rows")
    for table in NEWLY_SIGNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("mac")
