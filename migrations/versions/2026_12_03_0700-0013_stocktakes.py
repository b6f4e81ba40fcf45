"""Stocktakes: a count of a location subtree, its expected and counted units with their outcome and
decision, and the bins scanned

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

PENDING = sa.text("decision = 'pending'")


def upgrade() -> None:
    op.create_table(
        'stocktakes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('root_location_id', sa.Integer(), nullable=False),
        sa.Column('blind', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('expected_units', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('counting', 'closed')", name=op.f('ck_stocktakes_status_known')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_stocktakes_closed_by_id_users')),
        sa.ForeignKeyConstraint(['root_location_id'], ['locations.id'],
                                name=op.f('fk_stocktakes_root_location_id_locations')),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_stocktakes_started_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktakes')),
    )
    op.create_index('ix_stocktakes_root_location_id_closed_at', 'stocktakes', ['root_location_id', 'closed_at'])
    op.create_table(
        'stocktake_bins',
        sa.Column('stocktake_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('first_scanned_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('counted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_stocktake_bins_counted_by_id_users')),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stocktake_bins_location_id_locations')),
        sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.id'],
                                name=op.f('fk_stocktake_bins_stocktake_id_stocktakes')),
        sa.PrimaryKeyConstraint('stocktake_id', 'location_id', name=op.f('pk_stocktake_bins')),
    )
    op.create_table(
        'stocktake_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stocktake_id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('expected_location_id', sa.Integer(), nullable=True),
        sa.Column('counted_location_id', sa.Integer(), nullable=True),
        sa.Column('system_location_id', sa.Integer(), nullable=True),
        sa.Column('counted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('counted_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=12), nullable=True),
        sa.Column('decision', sa.String(length=10), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("decision IS NULL OR decision IN ('pending', 'approved')",
                           name=op.f('ck_stocktake_lines_decision_known')),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('found', 'misplaced', 'unexpected', 'missing', 'moved')",
                           name=op.f('ck_stocktake_lines_outcome_known')),
        sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_stocktake_lines_counted_by_id_users')),
        sa.ForeignKeyConstraint(['counted_location_id'], ['locations.id'],
                                name=op.f('fk_stocktake_lines_counted_location_id_locations')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_stocktake_lines_decided_by_id_users')),
        sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_stocktake_lines_device_id_devices')),
        sa.ForeignKeyConstraint(['expected_location_id'], ['locations.id'],
                                name=op.f('fk_stocktake_lines_expected_location_id_locations')),
        sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.id'],
                                name=op.f('fk_stocktake_lines_stocktake_id_stocktakes')),
        sa.ForeignKeyConstraint(['system_location_id'], ['locations.id'],
                                name=op.f('fk_stocktake_lines_system_location_id_locations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake_lines')),
        sa.UniqueConstraint('stocktake_id', 'device_id', name=op.f('uq_stocktake_lines_stocktake_id_device_id')),
    )
    op.create_index('ix_stocktake_lines_pending', 'stocktake_lines', ['stocktake_id', 'id'],
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index('ix_stocktake_lines_stocktake_id_outcome_id', 'stocktake_lines', ['stocktake_id', 'outcome', 'id'])


def downgrade() -> None:
    op.drop_index('ix_stocktake_lines_stocktake_id_outcome_id', table_name='stocktake_lines')
    op.drop_index('ix_stocktake_lines_pending', table_name='stocktake_lines')
    op.drop_table('stocktake_lines')
    op.drop_table('stocktake_bins')
    op.drop_index('ix_stocktakes_root_location_id_closed_at', table_name='stocktakes')
    op.drop_table('stocktakes')
