"""encryption at rest: data keys and sealed names

Device labels become sealed; plain labels written before this revision are dropped
(they only named devices in a session list).

Revision ID: 0002
Revises: 0001

"""

from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rewrapped_at", server.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_keys")),
    )
    with op.batch_alter_table("user_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_keys_kek_version"), ["kek_version"], unique=False)

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_label_sealed", sa.LargeBinary(), nullable=True))
        batch_op.drop_column("device_label")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name_sealed", sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("display_name_sealed")

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_label", sa.VARCHAR(length=80), nullable=True))
        batch_op.drop_column("device_label_sealed")

    with op.batch_alter_table("user_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_keys_kek_version"))

    op.drop_table("user_keys")
