"""delivery runs, stops and stop items

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:51:30.183593
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('driver_id', sa.Integer(), nullable=True),
    sa.Column('van_location_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('odometer_start', sa.Integer(), nullable=True),
    sa.Column('odometer_end', sa.Integer(), nullable=True),
    sa.Column('departed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_delivery_runs_created_by_id_users')),
    sa.ForeignKeyConstraint(['driver_id'], ['users.id'], name=op.f('fk_delivery_runs_driver_id_users')),
    sa.ForeignKeyConstraint(['van_location_id'], ['locations.id'], name=op.f('fk_delivery_runs_van_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_runs'))
    )
    with op.batch_alter_table('delivery_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_runs_driver_id'), ['driver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_runs_run_date'), ['run_date'], unique=False)

    op.create_table('stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=4), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('window_start', sa.Time(), nullable=True),
    sa.Column('window_end', sa.Time(), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('received_by', sa.String(length=200), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('follow_up_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_stops_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['follow_up_of_id'], ['stops.id'], name=op.f('fk_stops_follow_up_of_id_stops')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_stops_need_id_needs')),
    sa.ForeignKeyConstraint(['run_id'], ['delivery_runs.id'], name=op.f('fk_stops_run_id_delivery_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stops'))
    )
    with op.batch_alter_table('stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stops_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index('ix_stops_run_id_sequence', ['run_id', 'sequence'], unique=False)
        batch_op.create_index(batch_op.f('ix_stops_status'), ['status'], unique=False)

    op.create_table('stop_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stop_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('reservation_id', sa.Integer(), nullable=True),
    sa.Column('loan_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('picked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('picked_by_id', sa.Integer(), nullable=True),
    sa.Column('substituted_for_device_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_stop_items_device_id_devices')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_stop_items_loan_id_loans')),
    sa.ForeignKeyConstraint(['picked_by_id'], ['users.id'], name=op.f('fk_stop_items_picked_by_id_users')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_stop_items_reservation_id_reservations')),
    sa.ForeignKeyConstraint(['stop_id'], ['stops.id'], name=op.f('fk_stop_items_stop_id_stops')),
    sa.ForeignKeyConstraint(['substituted_for_device_id'], ['devices.id'], name=op.f('fk_stop_items_substituted_for_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stop_items'))
    )
    with op.batch_alter_table('stop_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stop_items_stop_id'), ['stop_id'], unique=False)
        batch_op.create_index('uq_stop_items_active_device', ['device_id'], unique=True, postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))



def downgrade() -> None:
    with op.batch_alter_table('stop_items', schema=None) as batch_op:
        batch_op.drop_index('uq_stop_items_active_device', postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))
        batch_op.drop_index(batch_op.f('ix_stop_items_stop_id'))

    op.drop_table('stop_items')
    with op.batch_alter_table('stops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stops_status'))
        batch_op.drop_index('ix_stops_run_id_sequence')
        batch_op.drop_index(batch_op.f('ix_stops_citizen_id'))

    op.drop_table('stops')
    with op.batch_alter_table('delivery_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_runs_run_date'))
        batch_op.drop_index(batch_op.f('ix_delivery_runs_driver_id'))

    op.drop_table('delivery_runs')
