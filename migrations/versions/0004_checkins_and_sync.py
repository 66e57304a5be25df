"""check-ins, per-person change feeds and sync idempotency records

Revision ID: 0004
Revises: 0003

"""

from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "checkin_feeds",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", BigInt, nullable=False),
        sa.Column("purged_below_seq", BigInt, nullable=False),
        sa.Column("live_count", BigInt, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_checkin_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_checkin_feeds")),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("rev", BigInt, nullable=False),
        sa.Column("seq", BigInt, nullable=False),
        sa.Column("recorded_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effective_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("clock_skew", sa.Boolean(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("instruments", sa.String(length=400), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("scores_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_checkins_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("user_id", "seq", name=op.f("uq_checkins_user_id_seq")),
    )
    op.create_table(
        "sync_changes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("rev", BigInt, nullable=True),
        sa.Column("seq", BigInt, nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("created_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('applied', 'conflict', 'rejected')",
            name=op.f("ck_sync_changes_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sync_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "change_id", name=op.f("pk_sync_changes")),
    )
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_changes_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_changes_created_at"))

    op.drop_table("sync_changes")
    op.drop_table("checkins")
    op.drop_table("checkin_feeds")
