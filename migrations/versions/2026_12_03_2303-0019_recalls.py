"""Recalls (field safety notices): the notice, its products, and the units it found with where they were
and what was done

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 23:01:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recalls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('selection', sa.String(length=8), nullable=False),
    sa.Column('serial_from', sa.BigInteger(), nullable=True),
    sa.Column('serial_to', sa.BigInteger(), nullable=True),
    sa.Column('serials', sa.JSON(), nullable=True),
    sa.Column('lot', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=False),
    sa.CheckConstraint("action IN ('quarantine', 'inspect', 'replace_part', 'scrap')", name=op.f('ck_recalls_action_known')),
    sa.CheckConstraint("selection <> 'range' OR (serial_from IS NOT NULL AND serial_to IS NOT NULL AND serial_from <= serial_to)", name=op.f('ck_recalls_range_ordered')),
    sa.CheckConstraint("selection IN ('range', 'list', 'lot')", name=op.f('ck_recalls_selection_known')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_recalls_status_known')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_recalls_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_recalls_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recalls'))
    )
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        batch_op.create_index('ix_recalls_status_id', ['status', 'id'], unique=False)

    op.create_table('recall_products',
    sa.Column('recall_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_recall_products_product_id_products')),
    sa.ForeignKeyConstraint(['recall_id'], ['recalls.id'], name=op.f('fk_recall_products_recall_id_recalls')),
    sa.PrimaryKeyConstraint('recall_id', 'product_id', name=op.f('pk_recall_products'))
    )
    with op.batch_alter_table('recall_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recall_products_product_id'), ['product_id'], unique=False)

    op.create_table('recall_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recall_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('found_state', sa.String(length=24), nullable=False),
    sa.Column('found_where', sa.String(length=12), nullable=False),
    sa.Column('found_location_id', sa.Integer(), nullable=True),
    sa.Column('holder_citizen_id', sa.Integer(), nullable=True),
    sa.Column('nav_flag', sa.Boolean(), nullable=False),
    sa.Column('quarantine_id', sa.Integer(), nullable=True),
    sa.Column('stop_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('action_taken', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'handled')", name=op.f('ck_recall_units_status_known')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_recall_units_device_id_devices')),
    sa.ForeignKeyConstraint(['found_location_id'], ['locations.id'], name=op.f('fk_recall_units_found_location_id_locations')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_recall_units_handled_by_id_users')),
    sa.ForeignKeyConstraint(['holder_citizen_id'], ['citizens.id'], name=op.f('fk_recall_units_holder_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['quarantine_id'], ['quarantines.id'], name=op.f('fk_recall_units_quarantine_id_quarantines')),
    sa.ForeignKeyConstraint(['recall_id'], ['recalls.id'], name=op.f('fk_recall_units_recall_id_recalls')),
    sa.ForeignKeyConstraint(['stop_id'], ['stops.id'], name=op.f('fk_recall_units_stop_id_stops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recall_units')),
    sa.UniqueConstraint('recall_id', 'device_id', name=op.f('uq_recall_units_recall_id_device_id'))
    )
    with op.batch_alter_table('recall_units', schema=None) as batch_op:
        batch_op.create_index('ix_recall_units_device_id_status', ['device_id', 'status'], unique=False)
        batch_op.create_index('ix_recall_units_recall_id_status_id', ['recall_id', 'status', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recall_units', schema=None) as batch_op:
        batch_op.drop_index('ix_recall_units_recall_id_status_id')
        batch_op.drop_index('ix_recall_units_device_id_status')

    op.drop_table('recall_units')
    with op.batch_alter_table('recall_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recall_products_product_id'))

    op.drop_table('recall_products')
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        batch_op.drop_index('ix_recalls_status_id')

    op.drop_table('recalls')
