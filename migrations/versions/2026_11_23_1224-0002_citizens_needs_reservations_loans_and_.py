"""citizens, needs, reservations, loans and inspections

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:24:07.721590
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# A need's timeline and the fnr access log are records, like the device history: append-only.
_GUARDED = ("need_events", "fnr_access_log")
_PG_FUNCTION = """
CREATE FUNCTION append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$
"""


def _guard(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION append_only_guard()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only ({action} refused)'); END")


def _unguard(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{action}")


def upgrade() -> None:
    op.create_table('citizens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fnr_encrypted', sa.Text(), nullable=False),
    sa.Column('fnr_hash', sa.String(length=64), nullable=False),
    sa.Column('fnr_masked', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=4), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('kommunenummer', sa.String(length=4), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('access_notes', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_citizens_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens')),
    sa.UniqueConstraint('fnr_hash', name=op.f('uq_citizens_fnr_hash'))
    )
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizens_name'), ['name'], unique=False)

    op.create_table('citizen_caseworkers',
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_citizen_caseworkers_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_citizen_caseworkers_user_id_users')),
    sa.PrimaryKeyConstraint('citizen_id', 'user_id', name=op.f('pk_citizen_caseworkers'))
    )
    with op.batch_alter_table('citizen_caseworkers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizen_caseworkers_user_id'), ['user_id'], unique=False)

    op.create_table('fnr_access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('accessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_fnr_access_log_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_fnr_access_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fnr_access_log'))
    )
    with op.batch_alter_table('fnr_access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fnr_access_log_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fnr_access_log_user_id'), ['user_id'], unique=False)

    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('inspected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('checklist', sa.String(length=40), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_inspections_device_id_devices')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_inspections_inspector_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_device_id_inspected_at', ['device_id', 'inspected_at'], unique=False)

    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('iso_class', sa.String(length=8), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('urgency_rank', sa.Integer(), nullable=False),
    sa.Column('discharge_date', sa.Date(), nullable=True),
    sa.Column('delivery_address', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('application_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('nav_status', sa.String(length=20), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lead_time_minutes', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('product_id IS NOT NULL OR iso_class IS NOT NULL', name=op.f('ck_needs_product_or_iso_class')),
    sa.CheckConstraint('quantity BETWEEN 1 AND 20', name=op.f('ck_needs_quantity_range')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_needs_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_needs_decided_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_needs_product_id_products')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_needs_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index('ix_needs_queue', ['status', 'urgency_rank', 'needed_by', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_registered_by_id'), ['registered_by_id'], unique=False)

    op.create_table('loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('loan_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expected_end', sa.Date(), nullable=True),
    sa.Column('received_by', sa.String(length=200), nullable=False),
    sa.Column('return_reason', sa.String(length=12), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=False),
    sa.Column('return_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_loans_citizen_id_citizens')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_loans_device_id_devices')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_loans_need_id_needs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loans_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_need_id'), ['need_id'], unique=False)
        batch_op.create_index('uq_loans_open_device', ['device_id'], unique=True, postgresql_where=sa.text("status <> 'ended'"), sqlite_where=sa.text("status <> 'ended'"))

    op.create_table('need_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_need_events_actor_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_need_events_device_id_devices')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_events_need_id_needs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_events'))
    )
    with op.batch_alter_table('need_events', schema=None) as batch_op:
        batch_op.create_index('ix_need_events_need_id_id', ['need_id', 'id'], unique=False)

    op.create_table('reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reservations_created_by_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_reservations_device_id_devices')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_reservations_need_id_needs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservations'))
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservations_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservations_need_id'), ['need_id'], unique=False)
        batch_op.create_index('uq_reservations_active_device', ['device_id'], unique=True, postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))

    op.create_table('loan_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('previous_end', sa.Date(), nullable=True),
    sa.Column('new_end', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_loan_extensions_actor_id_users')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_extensions_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_extensions'))
    )
    with op.batch_alter_table('loan_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loan_extensions_loan_id'), ['loan_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
    for table in _GUARDED:
        _guard(table)


def downgrade() -> None:
    for table in _GUARDED:
        _unguard(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION append_only_guard()")
    with op.batch_alter_table('loan_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loan_extensions_loan_id'))

    op.drop_table('loan_extensions')
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index('uq_reservations_active_device', postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_reservations_need_id'))
        batch_op.drop_index(batch_op.f('ix_reservations_device_id'))

    op.drop_table('reservations')
    with op.batch_alter_table('need_events', schema=None) as batch_op:
        batch_op.drop_index('ix_need_events_need_id_id')

    op.drop_table('need_events')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('uq_loans_open_device', postgresql_where=sa.text("status <> 'ended'"), sqlite_where=sa.text("status <> 'ended'"))
        batch_op.drop_index(batch_op.f('ix_loans_need_id'))
        batch_op.drop_index(batch_op.f('ix_loans_device_id'))
        batch_op.drop_index(batch_op.f('ix_loans_citizen_id'))

    op.drop_table('loans')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_registered_by_id'))
        batch_op.drop_index('ix_needs_queue')
        batch_op.drop_index(batch_op.f('ix_needs_citizen_id'))

    op.drop_table('needs')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_inspections_device_id_inspected_at')

    op.drop_table('inspections')
    with op.batch_alter_table('fnr_access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fnr_access_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_fnr_access_log_citizen_id'))

    op.drop_table('fnr_access_log')
    with op.batch_alter_table('citizen_caseworkers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_caseworkers_user_id'))

    op.drop_table('citizen_caseworkers')
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizens_name'))

    op.drop_table('citizens')
