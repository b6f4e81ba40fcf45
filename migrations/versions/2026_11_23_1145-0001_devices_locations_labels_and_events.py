"""devices, locations, labels and events

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 11:45:55.768355
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# The device history is append-only: the database itself refuses to change or remove an event.
_PG_APPEND_ONLY = """
CREATE FUNCTION device_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'device_events is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER device_events_no_update BEFORE UPDATE OR DELETE ON device_events
    FOR EACH ROW EXECUTE FUNCTION device_events_append_only();
"""
_SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER device_events_no_update BEFORE UPDATE ON device_events "
    "BEGIN SELECT RAISE(ABORT, 'device_events is append-only (UPDATE refused)'); END",
    "CREATE TRIGGER device_events_no_delete BEFORE DELETE ON device_events "
    "BEGIN SELECT RAISE(ABORT, 'device_events is append-only (DELETE refused)'); END",
]


def upgrade() -> None:
    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('barcode', sa.String(length=11), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('x', sa.Double(), nullable=True),
    sa.Column('y', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_locations_capacity_not_negative')),
    sa.ForeignKeyConstraint(['parent_id'], ['locations.id'], name=op.f('fk_locations_parent_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('barcode', name=op.f('uq_locations_barcode')),
    sa.UniqueConstraint('code', name=op.f('uq_locations_code'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_parent_id'), ['parent_id'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hms_nr', sa.String(length=6), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('supplier', sa.String(length=200), nullable=False),
    sa.Column('iso_class', sa.String(length=8), nullable=False),
    sa.Column('individually_tracked', sa.Boolean(), nullable=False),
    sa.Column('inspection_interval_days', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('inspection_interval_days IS NULL OR inspection_interval_days > 0', name=op.f('ck_products_inspection_interval_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('hms_nr', name=op.f('uq_products_hms_nr'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_iso_class'), ['iso_class'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_name'), ['name'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('barcode', sa.String(length=11), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('serial_number', sa.String(length=64), nullable=True),
    sa.Column('owner', sa.String(length=8), nullable=False),
    sa.Column('nav_hms_nr', sa.String(length=6), nullable=True),
    sa.Column('nav_serial', sa.String(length=64), nullable=True),
    sa.Column('condition', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("owner = 'kommune' OR (nav_hms_nr IS NOT NULL AND nav_serial IS NOT NULL)", name=op.f('ck_devices_nav_device_has_nav_ids')),
    sa.CheckConstraint("owner IN ('kommune', 'nav')", name=op.f('ck_devices_owner_known')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_devices_location_id_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_devices_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('barcode', name=op.f('uq_devices_barcode')),
    sa.UniqueConstraint('nav_hms_nr', 'nav_serial', name=op.f('uq_devices_nav_hms_nr_nav_serial')),
    sa.UniqueConstraint('product_id', 'serial_number', name=op.f('uq_devices_product_id_serial_number'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_nav_serial'), ['nav_serial'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_serial_number'), ['serial_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_state'), ['state'], unique=False)

    op.create_table('device_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=True),
    sa.Column('from_location_id', sa.Integer(), nullable=True),
    sa.Column('to_location_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_device_events_actor_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_events_device_id_devices')),
    sa.ForeignKeyConstraint(['from_location_id'], ['locations.id'], name=op.f('fk_device_events_from_location_id_locations')),
    sa.ForeignKeyConstraint(['to_location_id'], ['locations.id'], name=op.f('fk_device_events_to_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_events'))
    )
    with op.batch_alter_table('device_events', schema=None) as batch_op:
        batch_op.create_index('ix_device_events_device_id_id', ['device_id', 'id'], unique=False)

    op.create_table('device_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=11), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_labels_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_labels')),
    sa.UniqueConstraint('code', name=op.f('uq_device_labels_code'))
    )
    with op.batch_alter_table('device_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_labels_device_id'), ['device_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER device_events_no_update ON device_events")
        op.execute("DROP FUNCTION device_events_append_only()")
    else:
        op.execute("DROP TRIGGER device_events_no_update")
        op.execute("DROP TRIGGER device_events_no_delete")
    with op.batch_alter_table('device_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_labels_device_id'))

    op.drop_table('device_labels')
    with op.batch_alter_table('device_events', schema=None) as batch_op:
        batch_op.drop_index('ix_device_events_device_id_id')

    op.drop_table('device_events')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_state'))
        batch_op.drop_index(batch_op.f('ix_devices_serial_number'))
        batch_op.drop_index(batch_op.f('ix_devices_product_id'))
        batch_op.drop_index(batch_op.f('ix_devices_nav_serial'))
        batch_op.drop_index(batch_op.f('ix_devices_location_id'))

    op.drop_table('devices')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_name'))
        batch_op.drop_index(batch_op.f('ix_products_iso_class'))

    op.drop_table('products')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locations_parent_id'))

    op.drop_table('locations')
