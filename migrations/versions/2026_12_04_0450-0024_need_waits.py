"""Each need delivered in full with its waiting (minutes, working days, on time), by the Oslo day its
last unit came: the waiting report's year is sums over this narrow table. Filled from the needs'
history; kept by the NeedDelivered event from here on

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 04:50:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "need_waits",
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("application_type", sa.String(length=10), nullable=False),
        sa.Column("postcode", sa.String(length=4), nullable=False),
        sa.Column("product_group", sa.String(length=8), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("waiting_minutes", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("nav_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["need_id"], ["needs.id"], name=op.f("fk_need_waits_need_id_needs")),
        sa.PrimaryKeyConstraint("need_id", name=op.f("pk_need_waits")),
    )
    op.create_index(op.f("ix_need_waits_delivered_on"), "need_waits", ["delivered_on"])
    from hjelpemiddel.reports.waits import rebuild_need_waits

    rebuild_need_waits(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_index(op.f("ix_need_waits_delivered_on"), table_name="need_waits")
    op.drop_table("need_waits")
