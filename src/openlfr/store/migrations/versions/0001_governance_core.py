"""governance core: users, deployments, watchlists, alerts, keys, audit

Revision ID: 0001
Revises: none
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "data_keys",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("master_key_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_data_keys")),
    )
    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("use_case", sa.String(length=100), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("necessity", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("location_grounds", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cameras", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("rights_assessment", sa.Text(), nullable=False),
        sa.Column("dpia_ref", sa.String(length=200), nullable=False),
        sa.Column("eqia_ref", sa.String(length=200), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("near_assembly", sa.Boolean(), nullable=False),
        sa.Column("assembly_justification", sa.Text(), nullable=False),
        sa.Column("without_notice", sa.Boolean(), nullable=False),
        sa.Column("without_notice_justification", sa.Text(), nullable=False),
        sa.Column("under_18_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "authorised",
                "live",
                "closed",
                "cancelled",
                name="state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("authorised_by", sa.String(length=100), nullable=True),
        sa.Column("authorised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("watchlist_compiled_by", sa.String(length=100), nullable=True),
        sa.Column("watchlist_compiled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("watchlist_size", sa.Integer(), nullable=False),
        sa.Column("watchlist_approved_by", sa.String(length=100), nullable=True),
        sa.Column("watchlist_approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signs_confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("close_requested_by", sa.String(length=100), nullable=True),
        sa.Column("close_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=100), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployments_state"), ["state"], unique=False)

    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=32), nullable=False),
        sa.Column("ethnicity", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("case_reference", sa.String(length=200), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged_for_review_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=32), nullable=False),
        sa.Column("ethnicity", sa.String(length=32), nullable=False),
        sa.Column("camera", sa.String(length=200), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "adjudication",
            sa.Enum(
                "unadjudicated",
                "confirmed_true",
                "confirmed_false",
                "unable_to_confirm",
                name="adjudication",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "not_engaged",
                "engaged_no_further_action",
                "arrested",
                "other",
                name="outcome",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("adjudicated_by", sa.String(length=100), nullable=True),
        sa.Column("adjudicated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("biometrics_purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["deployment_id"], ["deployments.id"], name=op.f("fk_alerts_deployment_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alerts_deployment_id"), ["deployment_id"], unique=False
        )

    op.create_table(
        "reference_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("template", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_reference_images_subject_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_images")),
    )
    with op.batch_alter_table("reference_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reference_images_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "watchlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=32), nullable=False),
        sa.Column("ethnicity", sa.String(length=32), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("template", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployments.id"],
            name=op.f("fk_watchlist_entries_deployment_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_entries")),
    )
    with op.batch_alter_table("watchlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_watchlist_entries_deployment_id"), ["deployment_id"], unique=False
        )

    op.create_table(
        "alert_biometrics",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("probe", sa.LargeBinary(), nullable=False),
        sa.Column("reference", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_biometrics_alert_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alert_biometrics")),
    )

    append_only("audit_log")


def downgrade() -> None:
    drop_append_only("audit_log")
    op.drop_table("alert_biometrics")
    with op.batch_alter_table("watchlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watchlist_entries_deployment_id"))

    op.drop_table("watchlist_entries")
    with op.batch_alter_table("reference_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reference_images_subject_id"))

    op.drop_table("reference_images")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_deployment_id"))

    op.drop_table("alerts")
    op.drop_table("users")
    op.drop_table("subjects")
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployments_state"))

    op.drop_table("deployments")
    op.drop_table("data_keys")
    op.drop_table("audit_log")


def append_only(table: str) -> None:
    """Make the database itself refuse UPDATE and DELETE on ``table``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_change()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER {table}_no_{verb}")
