"""NAV: long-term applications sent through the outbox, part orders tied to their shipment's order line

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:02:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nav_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('saksnummer', sa.Integer(), nullable=True),
    sa.Column('nav_status', sa.String(length=40), nullable=True),
    sa.Column('refusal_message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_nav_applications_need_id_needs')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_nav_applications_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nav_applications')),
    sa.UniqueConstraint('need_id', name=op.f('uq_nav_applications_need_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_nav_applications_uuid'))
    )
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns('part_orders')}
    if 'order_line_id' in columns:  # SQLite keeps it across a downgrade (see there)
        pass
    elif op.get_bind().dialect.name == "sqlite":  # SQLite takes a foreign key only inline with the column
        op.execute("ALTER TABLE part_orders ADD COLUMN order_line_id INTEGER "
                   "CONSTRAINT fk_part_orders_order_line_id_nav_order_lines REFERENCES nav_order_lines (id)")
    else:
        op.add_column('part_orders', sa.Column('order_line_id', sa.Integer(), sa.ForeignKey(
            'nav_order_lines.id', name=op.f('fk_part_orders_order_line_id_nav_order_lines')), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops no column a foreign key uses, and other tables point at part_orders, so it
        # cannot be rebuilt here either: the column stays, unused, until the table is dropped.
        pass
    else:
        op.drop_constraint(op.f('fk_part_orders_order_line_id_nav_order_lines'), 'part_orders', type_='foreignkey')
        op.drop_column('part_orders', 'order_line_id')
    op.drop_table('nav_applications')
