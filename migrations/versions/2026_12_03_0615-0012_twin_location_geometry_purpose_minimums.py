"""Digital twin: a location's size, turn and purpose on the floor; minimum stock per product or ISO class

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:15:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

PURPOSES = ("'storage', 'receiving', 'cleaning', 'inspection', 'repair', 'quarantine', 'van_bay'")


def upgrade() -> None:
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('width', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('depth', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('rotation', sa.Double(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), nullable=True))
        batch_op.create_check_constraint('size_positive', '(width IS NULL OR width > 0) AND (depth IS NULL OR depth > 0)')
        batch_op.create_check_constraint('purpose_known', f'purpose IS NULL OR purpose IN ({PURPOSES})')
    op.create_table(
        'stock_minimums',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('iso_class', sa.String(length=8), nullable=True),
        sa.Column('minimum', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(product_id IS NULL) <> (iso_class IS NULL)', name=op.f('ck_stock_minimums_product_or_class')),
        sa.CheckConstraint('minimum >= 0', name=op.f('ck_stock_minimums_minimum_not_negative')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_minimums_product_id_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_minimums')),
        sa.UniqueConstraint('iso_class', name=op.f('uq_stock_minimums_iso_class')),
        sa.UniqueConstraint('product_id', name=op.f('uq_stock_minimums_product_id')),
    )


def downgrade() -> None:
    op.drop_table('stock_minimums')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_constraint('purpose_known', type_='check')
        batch_op.drop_constraint('size_positive', type_='check')
        batch_op.drop_column('purpose')
        batch_op.drop_column('rotation')
        batch_op.drop_column('depth')
        batch_op.drop_column('width')
