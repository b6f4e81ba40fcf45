"""Delivery targets per urgency for the waiting report, and needs indexed by when they were delivered
and decided (a year's waiting and decision figures read only that year's needs)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 04:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_targets",
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=12), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_service_targets_updated_by_id_users")),
        sa.PrimaryKeyConstraint("urgency", name=op.f("pk_service_targets")),
    )
    op.create_index("ix_needs_delivered_at", "needs", ["delivered_at"])
    op.create_index("ix_needs_decided_at", "needs", ["decided_at"])


def downgrade() -> None:
    op.drop_index("ix_needs_decided_at", table_name="needs")
    op.drop_index("ix_needs_delivered_at", table_name="needs")
    op.drop_table("service_targets")
