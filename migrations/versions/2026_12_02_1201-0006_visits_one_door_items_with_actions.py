"""visits: one door per visit, each unit with its action and outcome; units taken off a visit kept apart

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:01:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_ACTION_OF_KIND = {"delivery": "deliver", "pickup": "collect", "repair": "repair"}


def _drop_column(table: str, column: str) -> None:
    # SQLite (3.35+) drops a plain column in place; a batch rebuild would break the foreign keys
    # other tables hold on this one inside the migration's transaction.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)


def upgrade() -> None:
    op.add_column('stop_items', sa.Column('action', sa.String(length=8), nullable=False, server_default='deliver'))
    if op.get_bind().dialect.name == "sqlite":  # SQLite takes a foreign key only inline with the column
        op.execute("ALTER TABLE stop_items ADD COLUMN repair_id INTEGER "
                   "CONSTRAINT fk_stop_items_repair_id_repair_orders REFERENCES repair_orders (id)")
    else:
        op.add_column('stop_items', sa.Column('repair_id', sa.Integer(), sa.ForeignKey(
            'repair_orders.id', name=op.f('fk_stop_items_repair_id_repair_orders')), nullable=True))
    op.add_column('stop_items', sa.Column('outcome', sa.String(length=16), nullable=True))
    op.add_column('stop_items', sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('stop_items', sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('stop_items', sa.Column('removed_reason', sa.Text(), nullable=False, server_default=''))
    op.add_column('stops', sa.Column('not_before', sa.Date(), nullable=True))
    for kind, action in _ACTION_OF_KIND.items():
        op.execute(f"UPDATE stop_items SET action = '{action}' WHERE stop_id IN (SELECT id FROM stops WHERE kind = '{kind}')")
    # A finished visit's outcome belonged to every unit on it; units already inactive on an open or
    # dropped visit had been taken off it before the visit.
    op.execute("UPDATE stop_items SET outcome = (SELECT outcome FROM stops WHERE stops.id = stop_items.stop_id), "
               "completed_at = (SELECT completed_at FROM stops WHERE stops.id = stop_items.stop_id) "
               "WHERE stop_id IN (SELECT id FROM stops WHERE status IN ('done', 'failed'))")
    op.execute("UPDATE stop_items SET removed_at = (SELECT created_at FROM stops WHERE stops.id = stop_items.stop_id) "
               "WHERE active = false AND outcome IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER stop_items_action_known BEFORE INSERT ON stop_items "
                   "WHEN NEW.action NOT IN ('deliver', 'collect', 'repair') "
                   "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_stop_items_action_known'); END")
    else:
        op.create_check_constraint(op.f('ck_stop_items_action_known'), 'stop_items',
                                   "action IN ('deliver', 'collect', 'repair')")
    _drop_column('stops', 'outcome')
    _drop_column('stops', 'kind')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER stop_items_action_known")
    op.add_column('stops', sa.Column('kind', sa.String(length=10), nullable=False, server_default='delivery'))
    op.add_column('stops', sa.Column('outcome', sa.String(length=16), nullable=True))
    for kind, action in _ACTION_OF_KIND.items():
        op.execute(f"UPDATE stops SET kind = '{kind}' WHERE id IN (SELECT stop_id FROM stop_items WHERE action = '{action}')")
    op.execute("UPDATE stops SET outcome = (SELECT MAX(outcome) FROM stop_items WHERE stop_items.stop_id = stops.id) "
               "WHERE status IN ('done', 'failed')")
    _drop_column('stops', 'not_before')
    # Nothing points at stop_items, so SQLite may rebuild it; its partial index is made again after.
    op.drop_index('uq_stop_items_active_device', table_name='stop_items',
                  postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))
    with op.batch_alter_table('stop_items', schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(op.f('ck_stop_items_action_known'), type_='check')
            batch_op.drop_constraint(op.f('fk_stop_items_repair_id_repair_orders'), type_='foreignkey')
        for column in ('removed_reason', 'removed_at', 'completed_at', 'outcome', 'repair_id', 'action'):
            batch_op.drop_column(column)
    op.create_index('uq_stop_items_active_device', 'stop_items', ['device_id'], unique=True,
                    postgresql_where=sa.text('active'), sqlite_where=sa.text('active'))
