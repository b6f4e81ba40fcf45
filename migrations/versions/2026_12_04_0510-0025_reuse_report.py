"""The reuse report: products get a replacement value (gjenanskaffelsesverdi, whole kroner); loans
indexed by when they started and scrapping events by when they happened (a year's deliveries and
scrapped units read only that year's rows)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 05:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy «products», which the units refer to.
    op.add_column("products", sa.Column("replacement_value", sa.Integer(), sa.CheckConstraint(
        "replacement_value IS NULL OR replacement_value >= 0", name="ck_products_replacement_value_not_negative"),
        nullable=True))
    op.create_index("ix_loans_started_at", "loans", ["started_at"])
    op.create_index("ix_loans_device_id_started_at", "loans", ["device_id", "started_at"])
    op.create_index("ix_device_events_scrapped", "device_events", ["occurred_at"],
                    postgresql_where=sa.text("to_state = 'scrapped'"),
                    sqlite_where=sa.text("to_state = 'scrapped'"))


def downgrade() -> None:
    op.drop_index("ix_device_events_scrapped", table_name="device_events")
    op.drop_index("ix_loans_device_id_started_at", table_name="loans")
    op.drop_index("ix_loans_started_at", table_name="loans")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_products_replacement_value_not_negative", "products", type_="check")
    op.drop_column("products", "replacement_value")
