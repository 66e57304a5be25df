"""check-ins keep their pulled rendering, sealed, so pull opens one value per change

Revision ID: 0008
Revises: 0007

"""

from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable with no backfill: rows written before this revision stay NULL and pull
    # renders them from their other columns until their next change (server/checkins/pull.py).
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pulled_sealed", sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_column("pulled_sealed")
