"""person summaries (sealed, per view), peer workers' last looks, stored research exports

Revision ID: 0007
Revises: 0006

"""

from alembic import op
import sqlalchemy as sa

import server.database


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "cohort_aggregates",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("computed_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("population_digest", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "period IN ('week', 'month')", name=op.f("ck_cohort_aggregates_period_known")
        ),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_cohort_aggregates")),
    )
    op.create_table(
        "peer_views",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("peer_worker_id", sa.Uuid(), nullable=False),
        sa.Column("service_user_id", sa.Uuid(), nullable=False),
        sa.Column("last_viewed_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_events_sealed", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["peer_worker_id"],
            ["users.id"],
            name=op.f("fk_peer_views_peer_worker_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_user_id"],
            ["users.id"],
            name=op.f("fk_peer_views_service_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_views")),
        sa.UniqueConstraint(
            "peer_worker_id",
            "service_user_id",
            name=op.f("uq_peer_views_peer_worker_id_service_user_id"),
        ),
    )
    with op.batch_alter_table("peer_views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_peer_views_service_user_id"), ["service_user_id"], unique=False
        )
    op.create_table(
        "person_summaries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("view", sa.String(length=10), nullable=False),
        sa.Column("source_seq", BigInt, nullable=False),
        sa.Column("computed_at", server.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("document_sealed", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "view IN ('shared', 'own')", name=op.f("ck_person_summaries_view_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_person_summaries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_summaries")),
        sa.UniqueConstraint("user_id", "view", name=op.f("uq_person_summaries_user_id_view")),
    )


def downgrade():
    op.drop_table("person_summaries")
    with op.batch_alter_table("peer_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_views_service_user_id"))
    op.drop_table("peer_views")
    op.drop_table("cohort_aggregates")
