"""Forecast: indexes for counts per product and state, units readied after inspection, each unit's
latest «received», and the events since a day

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:01:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

READIED_SQL = "to_state = 'available' AND from_state = 'inspection'"
RECEIVED_SQL = "to_state = 'cleaning'"


def upgrade() -> None:
    op.create_index('ix_devices_state_product_id_owner_updated_at', 'devices', ['state', 'product_id', 'owner', 'updated_at'])
    op.create_index('ix_device_events_readied', 'device_events', ['occurred_at'],
                    postgresql_where=sa.text(READIED_SQL), sqlite_where=sa.text(READIED_SQL))
    op.create_index('ix_device_events_received', 'device_events', ['device_id', 'id'],
                    postgresql_where=sa.text(RECEIVED_SQL), sqlite_where=sa.text(RECEIVED_SQL))
    op.create_index('ix_device_events_occurred_at', 'device_events', ['occurred_at'])


def downgrade() -> None:
    op.drop_index('ix_device_events_occurred_at', table_name='device_events')
    op.drop_index('ix_device_events_received', table_name='device_events')
    op.drop_index('ix_device_events_readied', table_name='device_events')
    op.drop_index('ix_devices_state_product_id_owner_updated_at', table_name='devices')
