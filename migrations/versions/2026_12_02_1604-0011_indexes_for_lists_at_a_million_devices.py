"""Indexes for lists at a million devices: state and owner in id order, the washing and inspection
list latest first, a NAV unit's latest settling event

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

IN_MAINTENANCE = "state IN ('returned', 'cleaning', 'inspection', 'in_repair')"
NAV_SETTLING = "kind IN ('return_received', 'nav_kept_for_reuse')"


def upgrade() -> None:
    # (state, owner, id) starts with state: it serves every lookup ix_devices_state did.
    op.create_index('ix_devices_state_owner_id', 'devices', ['state', 'owner', 'id'], unique=False)
    op.drop_index('ix_devices_state', table_name='devices')
    op.create_index('ix_devices_in_maintenance', 'devices', ['updated_at', 'id'], unique=False,
                    postgresql_where=sa.text(IN_MAINTENANCE), sqlite_where=sa.text(IN_MAINTENANCE))
    op.create_index('ix_device_events_nav_settling', 'device_events', ['device_id', 'id'], unique=False,
                    postgresql_where=sa.text(NAV_SETTLING), sqlite_where=sa.text(NAV_SETTLING))


def downgrade() -> None:
    op.drop_index('ix_device_events_nav_settling', table_name='device_events')
    op.drop_index('ix_devices_in_maintenance', table_name='devices')
    op.create_index('ix_devices_state', 'devices', ['state'], unique=False)
    op.drop_index('ix_devices_state_owner_id', table_name='devices')
