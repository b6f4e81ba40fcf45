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
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("replacement_value", sa.Integer(), nullable=True))
        batch.create_check_constraint("replacement_value_not_negative",
                                      "replacement_value IS NULL OR replacement_value >= 0")
    op.create_index("ix_loans_started_at", "loans", ["started_at"])
    op.create_index("ix_loans_device_id_started_at", "loans", ["device_id", "started_at"])
    op.create_index("ix_device_events_scrapped", "device_events", ["occurred_at"],
                    postgresql_where=sa.text("to_state = 'scrapped'"),
                    sqlite_where=sa.text("to_state = 'scrapped'"))


def downgrade() -> None:
    op.drop_index("ix_device_events_scrapped", table_name="device_events")
    op.drop_index("ix_loans_device_id_started_at", table_name="loans")
    op.drop_index("ix_loans_started_at", table_name="loans")
    with op.batch_alter_table("products") as batch:
        batch.drop_constraint("replacement_value_not_negative", type_="check")
        batch.drop_column("replacement_value")
