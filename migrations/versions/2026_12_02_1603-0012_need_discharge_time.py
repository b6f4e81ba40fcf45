"""Needs: the time of day of a hospital discharge («by Wednesday 12:00»)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:03:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
# Helper H tested this on top of 0009; 0010 and 0011 come from parallel branches: set to '0011' on merge.
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discharge_time', sa.Time(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_column('discharge_time')
