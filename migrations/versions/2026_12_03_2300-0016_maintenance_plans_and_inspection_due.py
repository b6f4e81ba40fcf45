"""Periodic inspection: maintenance plans per product or ISO class, each unit's next due date, the
inspection's kind, place and next due date, and inspection visits at home

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 23:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_ACTIONS_BEFORE = "('deliver', 'collect', 'repair')"
_ACTIONS_AFTER = "('deliver', 'collect', 'repair', 'inspect')"


def _stop_item_actions(actions: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER stop_items_action_known")
        op.execute("CREATE TRIGGER stop_items_action_known BEFORE INSERT ON stop_items "
                   f"WHEN NEW.action NOT IN {actions} "
                   "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_stop_items_action_known'); END")
    else:
        op.drop_constraint(op.f('ck_stop_items_action_known'), 'stop_items', type_='check')
        op.create_check_constraint(op.f('ck_stop_items_action_known'), 'stop_items', f"action IN {actions}")


def upgrade() -> None:
    op.create_table(
        'maintenance_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('iso_prefix', sa.String(length=8), nullable=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('interval_months', sa.Integer(), nullable=True),
        sa.Column('after_each_loan', sa.Boolean(), nullable=False),
        sa.Column('checklist', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(product_id IS NULL) <> (iso_prefix IS NULL)', name=op.f('ck_maintenance_plans_product_or_class')),
        sa.CheckConstraint('interval_months IS NULL OR (interval_months >= 1 AND interval_months <= 120)',
                           name=op.f('ck_maintenance_plans_interval_sane')),
        sa.CheckConstraint('interval_months IS NOT NULL OR after_each_loan', name=op.f('ck_maintenance_plans_has_a_trigger')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_maintenance_plans_product_id_products')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_maintenance_plans_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_plans')),
        sa.UniqueConstraint('iso_prefix', name=op.f('uq_maintenance_plans_iso_prefix')),
        sa.UniqueConstraint('product_id', name=op.f('uq_maintenance_plans_product_id')),
    )
    with op.batch_alter_table('inspections') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='after_loan', nullable=False))
        batch_op.add_column(sa.Column('place', sa.String(length=6), server_default='depot', nullable=False))
        batch_op.add_column(sa.Column('next_due_on', sa.Date(), nullable=True))
    op.create_table(
        'inspection_due',
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=True),
        sa.Column('last_inspection_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_inspection_due_device_id_devices')),
        sa.ForeignKeyConstraint(['last_inspection_id'], ['inspections.id'],
                                name=op.f('fk_inspection_due_last_inspection_id_inspections')),
        sa.ForeignKeyConstraint(['plan_id'], ['maintenance_plans.id'], name=op.f('fk_inspection_due_plan_id_maintenance_plans')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_inspection_due_product_id_products')),
        sa.PrimaryKeyConstraint('device_id', name=op.f('pk_inspection_due')),
    )
    op.create_index('ix_inspection_due_due_on_device_id', 'inspection_due', ['due_on', 'device_id'])
    op.create_index(op.f('ix_inspection_due_plan_id'), 'inspection_due', ['plan_id'])
    op.create_index('ix_inspection_due_product_id_due_on', 'inspection_due', ['product_id', 'due_on'])
    _stop_item_actions(_ACTIONS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM stop_items WHERE action = 'inspect'")
    _stop_item_actions(_ACTIONS_BEFORE)
    op.drop_index('ix_inspection_due_product_id_due_on', table_name='inspection_due')
    op.drop_index(op.f('ix_inspection_due_plan_id'), table_name='inspection_due')
    op.drop_index('ix_inspection_due_due_on_device_id', table_name='inspection_due')
    op.drop_table('inspection_due')
    with op.batch_alter_table('inspections') as batch_op:
        batch_op.drop_column('next_due_on')
        batch_op.drop_column('place')
        batch_op.drop_column('kind')
    op.drop_table('maintenance_plans')
