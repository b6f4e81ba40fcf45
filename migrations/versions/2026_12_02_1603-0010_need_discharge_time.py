"""Needs: the time of day of a hospital discharge («by Wednesday 12:00»)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:03:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discharge_time', sa.Time(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_column('discharge_time')
