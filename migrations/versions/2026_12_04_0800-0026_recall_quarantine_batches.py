"""A recall's units found free in the depot are kept from lending at once and quarantined in batches:
each recall unit says whether its quarantine is still to be written

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 08:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy the table.
    op.add_column("recall_units", sa.Column("quarantine_pending", sa.Boolean(), server_default=sa.false(),
                                            nullable=False))
    op.create_index("ix_recall_units_quarantine_pending", "recall_units", ["recall_id", "id"],
                    postgresql_where=sa.text("quarantine_pending"), sqlite_where=sa.text("quarantine_pending"))


def downgrade() -> None:
    op.drop_index("ix_recall_units_quarantine_pending", table_name="recall_units")
    op.drop_column("recall_units", "quarantine_pending")
