"""concerns kept until followed up, and summaries due within seconds of a push

Revision ID: 0010
Revises: 0009

"""

from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkin_feeds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("summary_due_at", server.database.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_checkin_feeds_summary_due_at"), ["summary_due_at"], unique=False
        )
    # Summaries now carry series and more event times, and concerns start empty:
    # everyone is due, so the feedback job rebuilds both within seconds of the upgrade.
    op.execute("UPDATE checkin_feeds SET summary_due_at = CURRENT_TIMESTAMP")
    op.create_table(
        "concerns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("raised_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", server.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", server.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("detail_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("note_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_concerns_acknowledged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_concerns_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_concerns_user_id_open", ["user_id", "acknowledged_at"], unique=False
        )
    # A look no longer clears flags, so the events seen at it are not kept.
    with op.batch_alter_table("peer_views", schema=None) as batch_op:
        batch_op.drop_column("seen_events_sealed")


def downgrade():
    with op.batch_alter_table("peer_views", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_events_sealed", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_index("ix_concerns_user_id_open")
    op.drop_table("concerns")
    with op.batch_alter_table("checkin_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_feeds_summary_due_at"))
        batch_op.drop_column("summary_due_at")
