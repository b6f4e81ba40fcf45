"""device life cycle: states checked by the database, returned units received into cleaning, quarantines

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

STATES = ("registered", "available", "reserved", "picked", "out_for_delivery", "on_loan", "awaiting_pickup",
          "returned", "cleaning", "inspection", "in_repair", "quarantined", "scrapped", "returned_to_nav")
_STATE_LIST = ", ".join(f"'{state}'" for state in STATES)
# SQLite cannot add a CHECK to a table other tables point at without rebuilding it (and a rebuild
# inside the migration's transaction breaks their foreign keys): triggers do the same check there.
_SQLITE_CHECKS = [
    f"CREATE TRIGGER devices_state_known_insert BEFORE INSERT ON devices WHEN NEW.state NOT IN ({_STATE_LIST}) "
    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_devices_state_known'); END",
    f"CREATE TRIGGER devices_state_known_update BEFORE UPDATE OF state ON devices WHEN NEW.state NOT IN ({_STATE_LIST}) "
    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_devices_state_known'); END",
]
_RECEIVED_NOTE = "Ny livssyklus: mottatt på lageret og venter på vask"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # Before: "returned" meant received at the depot (or riding in the van after «Hentet»). Now a unit
    # in a van is "returned" (collected, not yet received) and one in the depot is "cleaning".
    op.execute(sa.text(
        "INSERT INTO device_events (device_id, occurred_at, kind, from_state, to_state, from_location_id, "
        "to_location_id, note) SELECT d.id, CURRENT_TIMESTAMP, 'state_changed', 'returned', 'cleaning', "
        "d.location_id, d.location_id, :note FROM devices d LEFT JOIN locations l ON l.id = d.location_id "
        "WHERE d.state = 'returned' AND (l.kind IS NULL OR l.kind <> 'van')").bindparams(note=_RECEIVED_NOTE))
    op.execute("UPDATE devices SET state = 'cleaning' WHERE state = 'returned' AND (location_id IS NULL OR "
               "location_id NOT IN (SELECT id FROM locations WHERE kind = 'van'))")
    if _sqlite():
        for statement in _SQLITE_CHECKS:
            op.execute(statement)
    else:
        op.create_check_constraint(op.f('ck_devices_state_known'), 'devices', f"state IN ({_STATE_LIST})")
    op.create_table('quarantines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('released_to', sa.String(length=24), nullable=True),
    sa.Column('release_note', sa.Text(), nullable=False),
    sa.CheckConstraint("reason IN ('incident', 'recall', 'damage')", name=op.f('ck_quarantines_reason_known')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_quarantines_device_id_devices')),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_quarantines_from_location_id_locations')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_quarantines_opened_by_id_users')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_quarantines_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantines'))
    )
    with op.batch_alter_table('quarantines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantines_device_id'), ['device_id'], unique=False)
        batch_op.create_index('uq_quarantines_open_device', ['device_id'], unique=True,
                              postgresql_where=sa.text('released_at IS NULL'), sqlite_where=sa.text('released_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('quarantines', schema=None) as batch_op:
        batch_op.drop_index('uq_quarantines_open_device', postgresql_where=sa.text('released_at IS NULL'),
                            sqlite_where=sa.text('released_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_quarantines_device_id'))
    op.drop_table('quarantines')
    if _sqlite():
        op.execute("DROP TRIGGER devices_state_known_update")
        op.execute("DROP TRIGGER devices_state_known_insert")
    else:
        op.drop_constraint(op.f('ck_devices_state_known'), 'devices', type_='check')
    op.execute("UPDATE devices SET state = 'returned' WHERE state = 'cleaning'")
