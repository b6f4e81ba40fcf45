"""Incidents (uhell): the unit as it was, what happened, the injury, the quarantine it opened and
the authorities' deadline until marked sent

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 23:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TO_SEND = sa.text("injury IN ('serious', 'death') AND sent_to_authorities_at IS NULL")


def upgrade() -> None:
    op.create_table(
        'incidents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('barcode', sa.String(length=11), nullable=False),
        sa.Column('product_name', sa.String(length=200), nullable=False),
        sa.Column('product_hms_nr', sa.String(length=6), nullable=True),
        sa.Column('serial_number', sa.String(length=64), nullable=True),
        sa.Column('owner', sa.String(length=8), nullable=False),
        sa.Column('nav_hms_nr', sa.String(length=6), nullable=True),
        sa.Column('nav_serial', sa.String(length=64), nullable=True),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('injury', sa.String(length=8), nullable=False),
        sa.Column('reported_by_id', sa.Integer(), nullable=True),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('quarantine_id', sa.Integer(), nullable=True),
        sa.Column('authority_deadline', sa.Date(), nullable=True),
        sa.Column('sent_to_authorities_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('authority_reference', sa.String(length=100), nullable=False),
        sa.CheckConstraint("injury IN ('none', 'minor', 'serious', 'death')", name=op.f('ck_incidents_injury_known')),
        sa.CheckConstraint("injury IN ('none', 'minor') OR authority_deadline IS NOT NULL",
                           name=op.f('ck_incidents_flagged_has_deadline')),
        sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_incidents_device_id_devices')),
        sa.ForeignKeyConstraint(['quarantine_id'], ['quarantines.id'],
                                name=op.f('fk_incidents_quarantine_id_quarantines')),
        sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_incidents_reported_by_id_users')),
        sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_incidents_sent_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    )
    op.create_index(op.f('ix_incidents_device_id'), 'incidents', ['device_id'])
    op.create_index('ix_incidents_reported_at_id', 'incidents', ['reported_at', 'id'])
    op.create_index('ix_incidents_to_send', 'incidents', ['authority_deadline', 'id'],
                    postgresql_where=TO_SEND, sqlite_where=TO_SEND)


def downgrade() -> None:
    op.drop_index('ix_incidents_to_send', table_name='incidents')
    op.drop_index('ix_incidents_reported_at_id', table_name='incidents')
    op.drop_index(op.f('ix_incidents_device_id'), table_name='incidents')
    op.drop_table('incidents')
