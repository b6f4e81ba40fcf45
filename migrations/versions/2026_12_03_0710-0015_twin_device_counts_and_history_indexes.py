"""Digital twin: units per place, per product and per both, kept by triggers; the history by place and by time, with monthly checkpoints

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 07:10:00
"""
from alembic import op
import sqlalchemy as sa

from hjelpemiddel.twin.models import (DROP_POSTGRESQL_TRIGGERS, DROP_SQLITE_TRIGGERS,
                                      DROP_STALE_CHECKPOINT_TRIGGERS, POSTGRESQL_TRIGGERS, REBUILD_SQL,
                                      SQLITE_TRIGGERS, STALE_CHECKPOINT_TRIGGERS)

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'device_counts',
        sa.Column('place_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('state', sa.String(length=24), nullable=False),
        sa.Column('owner', sa.String(length=8), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.CheckConstraint('units >= 0', name=op.f('ck_device_counts_units_not_negative')),
        sa.PrimaryKeyConstraint('place_id', 'product_id', 'state', 'owner', name=op.f('pk_device_counts')),
    )
    op.create_index('ix_device_counts_product_id', 'device_counts', ['product_id'])
    op.create_table(
        'place_counts',
        sa.Column('place_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('state', sa.String(length=24), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.CheckConstraint('units >= 0', name=op.f('ck_place_counts_units_not_negative')),
        sa.PrimaryKeyConstraint('place_id', 'state', name=op.f('pk_place_counts')),
    )
    op.create_table(
        'product_counts',
        sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('state', sa.String(length=24), nullable=False),
        sa.Column('owner', sa.String(length=8), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.CheckConstraint('units >= 0', name=op.f('ck_product_counts_units_not_negative')),
        sa.PrimaryKeyConstraint('product_id', 'state', 'owner', name=op.f('pk_product_counts')),
    )
    for statement in REBUILD_SQL:
        op.execute(statement)
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    # Time travel: what stood at a place by a moment, and a unit's last event before it.
    op.create_index('ix_device_events_to_location_id_occurred_at', 'device_events',
                    ['to_location_id', 'occurred_at', 'device_id'])
    op.create_index('ix_device_events_device_id_occurred_at', 'device_events', ['device_id', 'occurred_at', 'id'])
    op.create_table(
        'place_checkpoints',
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('place_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('state', sa.String(length=24), nullable=False),
        sa.Column('units', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('starts_at', 'place_id', 'state', name=op.f('pk_place_checkpoints')),
    )
    for statement in STALE_CHECKPOINT_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_STALE_CHECKPOINT_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('place_checkpoints')
    op.drop_index('ix_device_events_device_id_occurred_at', table_name='device_events')
    op.drop_index('ix_device_events_to_location_id_occurred_at', table_name='device_events')
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in DROP_POSTGRESQL_TRIGGERS if postgresql else DROP_SQLITE_TRIGGERS:
        op.execute(statement)
    op.drop_table('product_counts')
    op.drop_table('place_counts')
    op.drop_index('ix_device_counts_product_id', table_name='device_counts')
    op.drop_table('device_counts')
