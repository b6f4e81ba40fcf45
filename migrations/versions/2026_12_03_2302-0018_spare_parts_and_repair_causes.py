"""Spare parts: the municipality's stock of parts and its movements; a cause on repair orders

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 23:02:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'spare_parts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('part_number', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('minimum_quantity', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=True),
        sa.Column('product_ids', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('quantity >= 0', name=op.f('ck_spare_parts_quantity_not_negative')),
        sa.CheckConstraint('minimum_quantity >= 0', name=op.f('ck_spare_parts_minimum_not_negative')),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_spare_parts_location_id_locations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spare_parts')),
        sa.UniqueConstraint('part_number', name=op.f('uq_spare_parts_part_number')),
    )
    op.create_index('ix_spare_parts_name', 'spare_parts', ['name'])
    op.create_table(
        'spare_part_movements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('spare_part_id', sa.Integer(), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.Column('quantity_after', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=10), nullable=False),
        sa.Column('repair_order_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("reason IN ('received', 'used', 'counted')",
                           name=op.f('ck_spare_part_movements_reason_known')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_spare_part_movements_created_by_id_users')),
        sa.ForeignKeyConstraint(['repair_order_id'], ['repair_orders.id'],
                                name=op.f('fk_spare_part_movements_repair_order_id_repair_orders')),
        sa.ForeignKeyConstraint(['spare_part_id'], ['spare_parts.id'],
                                name=op.f('fk_spare_part_movements_spare_part_id_spare_parts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spare_part_movements')),
    )
    op.create_index('ix_spare_part_movements_spare_part_id_id', 'spare_part_movements', ['spare_part_id', 'id'])
    op.create_index('ix_spare_part_movements_repair_order_id', 'spare_part_movements', ['repair_order_id'])
    op.add_column('repair_orders', sa.Column('cause', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('repair_orders') as batch:
        batch.drop_column('cause')
    op.drop_index('ix_spare_part_movements_repair_order_id', table_name='spare_part_movements')
    op.drop_index('ix_spare_part_movements_spare_part_id_id', table_name='spare_part_movements')
    op.drop_table('spare_part_movements')
    op.drop_index('ix_spare_parts_name', table_name='spare_parts')
    op.drop_table('spare_parts')
