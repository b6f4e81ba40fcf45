"""Bulk writes: the twin's counts summed from a statement's old and new units without joining them,
and the stale-checkpoint trigger once per statement on PostgreSQL (a recall of 100,000 units spent 3 s
in the join and 100,000 calls of the row trigger)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 00:00:00
"""
from alembic import op

from hjelpemiddel.twin.models import POSTGRESQL_TRIGGERS, STALE_CHECKPOINT_TRIGGERS

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_ROW_CHECKPOINT_TRIGGER = (
    "CREATE OR REPLACE FUNCTION device_events_checkpoints_stale() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
    "  DELETE FROM place_checkpoints WHERE starts_at > NEW.occurred_at;\n  RETURN NULL;\nEND $$",
    "CREATE TRIGGER device_events_checkpoints_stale AFTER INSERT ON device_events FOR EACH ROW "
    "EXECUTE FUNCTION device_events_checkpoints_stale()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's triggers are row by row and unchanged
    counts_function = POSTGRESQL_TRIGGERS[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    op.execute(counts_function)
    op.execute("DROP TRIGGER device_events_checkpoints_stale ON device_events")
    op.execute(STALE_CHECKPOINT_TRIGGERS["postgresql"][0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute(STALE_CHECKPOINT_TRIGGERS["postgresql"][1])


def downgrade() -> None:
    # The counts' function keeps its new body: it counts exactly as the joined one did.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER device_events_checkpoints_stale ON device_events")
    for statement in _ROW_CHECKPOINT_TRIGGER:
        op.execute(statement)
