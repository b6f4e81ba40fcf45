"""Upkeep report: each periodic inspection keeps the due date it answered (on time or late is then a
range read of the period's inspections), indexed by time for periodic inspections; existing ones get
theirs from the unit's previous periodic inspection, a unit's first from its registration. Repairs
indexed by when they were opened and (those done, covering their times) completed

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 04:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_PERIODIC = "kind = 'periodic'"
_DONE = "status = 'done'"


def _backfill() -> None:
    # The due date an inspection answered is what the unit's previous periodic inspection left (its
    # next_due_on: the new date when it passed, the unchanged one when it failed).
    op.execute(
        "UPDATE inspections SET due_on = previous.due_on FROM ("
        "  SELECT id, LAG(next_due_on) OVER (PARTITION BY device_id ORDER BY inspected_at, id) AS due_on"
        f"  FROM inspections WHERE {_PERIODIC}) AS previous "
        "WHERE inspections.id = previous.id AND previous.due_on IS NOT NULL")
    # A unit's first periodic inspection answered its registration plus its plan's interval.
    from hjelpemiddel.maintenance.services.plans import due_expression, schedules_by_product

    session = Session(bind=op.get_bind())
    inspections = sa.table("inspections", sa.column("id"), sa.column("device_id"), sa.column("kind"),
                           sa.column("inspected_at"), sa.column("due_on"))
    devices = sa.table("devices", sa.column("id"), sa.column("product_id"), sa.column("registered_at"))
    earlier = inspections.alias("earlier")
    first = sa.and_(inspections.c.kind == "periodic", inspections.c.due_on.is_(None), ~sa.exists().where(
        earlier.c.device_id == inspections.c.device_id, earlier.c.kind == "periodic",
        earlier.c.inspected_at < inspections.c.inspected_at))
    products = list(session.scalars(sa.select(devices.c.product_id).distinct().where(
        devices.c.id.in_(sa.select(inspections.c.device_id).where(first)))))
    groups: dict[tuple, list[int]] = {}
    for product_id, schedule in schedules_by_product(session, products).items():
        if schedule.periodic:
            groups.setdefault((schedule.months, schedule.days), []).append(product_id)
    for (months, days), ids in groups.items():
        due = (sa.select(due_expression(session, devices.c.registered_at, months, days))
               .where(devices.c.id == inspections.c.device_id).scalar_subquery())
        session.execute(sa.update(inspections).where(first, inspections.c.device_id.in_(
            sa.select(devices.c.id).where(devices.c.product_id.in_(ids)))).values(due_on=due))


def upgrade() -> None:
    with op.batch_alter_table('inspections') as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
    _backfill()
    op.create_index('ix_inspections_periodic_inspected_at', 'inspections', ['inspected_at', 'due_on'],
                    postgresql_where=sa.text(_PERIODIC), sqlite_where=sa.text(_PERIODIC))
    op.create_index('ix_repair_orders_created_at', 'repair_orders', ['created_at'])
    op.create_index('ix_repair_orders_done_completed_at', 'repair_orders', ['completed_at'],
                    postgresql_where=sa.text(_DONE), sqlite_where=sa.text(_DONE),
                    postgresql_include=['created_at', 'place', 'minutes_spent', 'device_id'])


def downgrade() -> None:
    op.drop_index('ix_repair_orders_done_completed_at', table_name='repair_orders')
    op.drop_index('ix_repair_orders_created_at', table_name='repair_orders')
    op.drop_index('ix_inspections_periodic_inspected_at', table_name='inspections')
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would copy «inspections», which due dates refer to.
    op.drop_column('inspections', 'due_on')
