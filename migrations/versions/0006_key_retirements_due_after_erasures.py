"""key retirements due: KEK versions that wrapped an erased person's data key

Revision ID: 0006
Revises: 0004

"""

from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "key_retirements_due",
        sa.Column("kek_version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("since", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kek_version", name=op.f("pk_key_retirements_due")),
    )


def downgrade():
    op.drop_table("key_retirements_due")
