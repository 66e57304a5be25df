"""purged check-ins: the ids of check-ins whose tombstones were purged stay deleted

Revision ID: 0009
Revises: 0008

"""

from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # Empty at first: tombstones purged before this revision are gone without a trace,
    # and a replay of one of them is still decided as new (server/checkins/jobs.py).
    op.create_table(
        "purged_checkins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purged_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_purged_checkins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purged_checkins")),
    )
    with op.batch_alter_table("purged_checkins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purged_checkins_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("purged_checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purged_checkins_user_id"))
    op.drop_table("purged_checkins")
