"""fnr access log: purpose codes, misses kept by keyed hash, purges by recorded cutoff; anonymised citizens

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:01:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Every column but fnr_hash stays as written: key rotation re-hashes misses, nothing else changes.
_FIXED_COLUMNS = "id, citizen_id, user_id, action, purpose_code, purpose, accessed_at"
_PG_PURGE_GUARD = """
CREATE FUNCTION fnr_access_log_purge_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.accessed_at < (SELECT max(cutoff) FROM fnr_access_log_purges) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'fnr_access_log is append-only (DELETE refused above the purge cutoff)';
END $$
"""


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table('fnr_access_log_purges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fnr_access_log_purges'))
    )
    op.add_column('fnr_access_log', sa.Column('purpose_code', sa.String(length=24), nullable=True))
    op.add_column('fnr_access_log', sa.Column('fnr_hash', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_fnr_access_log_fnr_hash'), 'fnr_access_log', ['fnr_hash'], unique=False)
    op.create_index(op.f('ix_fnr_access_log_accessed_at'), 'fnr_access_log', ['accessed_at'], unique=False)
    op.create_index('ix_fnr_access_log_user_id_accessed_at', 'fnr_access_log', ['user_id', 'accessed_at'], unique=False)
    op.add_column('citizens', sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    if _sqlite():
        op.execute("DROP TRIGGER fnr_access_log_no_update")
        op.execute("DROP TRIGGER fnr_access_log_no_delete")
        op.execute(f"CREATE TRIGGER fnr_access_log_no_update BEFORE UPDATE OF {_FIXED_COLUMNS} ON fnr_access_log "
                   "BEGIN SELECT RAISE(ABORT, 'fnr_access_log is append-only (UPDATE refused)'); END")
        op.execute("CREATE TRIGGER fnr_access_log_no_delete BEFORE DELETE ON fnr_access_log "
                   "WHEN OLD.accessed_at >= COALESCE((SELECT MAX(cutoff) FROM fnr_access_log_purges), '0') "
                   "BEGIN SELECT RAISE(ABORT, 'fnr_access_log is append-only (DELETE refused above the purge cutoff)'); END")
    else:
        op.execute("DROP TRIGGER fnr_access_log_append_only ON fnr_access_log")
        op.execute(f"CREATE TRIGGER fnr_access_log_append_only BEFORE UPDATE OF {_FIXED_COLUMNS} ON fnr_access_log "
                   "FOR EACH ROW EXECUTE FUNCTION append_only_guard()")
        op.execute(_PG_PURGE_GUARD)
        op.execute("CREATE TRIGGER fnr_access_log_purge_only BEFORE DELETE ON fnr_access_log "
                   "FOR EACH ROW EXECUTE FUNCTION fnr_access_log_purge_guard()")


def downgrade() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER fnr_access_log_no_update")
        op.execute("DROP TRIGGER fnr_access_log_no_delete")
    else:
        op.execute("DROP TRIGGER fnr_access_log_purge_only ON fnr_access_log")
        op.execute("DROP FUNCTION fnr_access_log_purge_guard()")
        op.execute("DROP TRIGGER fnr_access_log_append_only ON fnr_access_log")
    op.drop_index('ix_fnr_access_log_user_id_accessed_at', table_name='fnr_access_log')
    op.drop_index(op.f('ix_fnr_access_log_accessed_at'), table_name='fnr_access_log')
    op.drop_index(op.f('ix_fnr_access_log_fnr_hash'), table_name='fnr_access_log')
    # SQLite (3.35+) drops plain columns in place: no rebuild of tables others point at.
    op.drop_column('citizens', 'anonymised_at')
    op.drop_column('fnr_access_log', 'fnr_hash')
    op.drop_column('fnr_access_log', 'purpose_code')
    op.drop_table('fnr_access_log_purges')
    if _sqlite():
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER fnr_access_log_no_{action.lower()} BEFORE {action} ON fnr_access_log "
                       f"BEGIN SELECT RAISE(ABORT, 'fnr_access_log is append-only ({action} refused)'); END")
    else:
        op.execute("CREATE TRIGGER fnr_access_log_append_only BEFORE UPDATE OR DELETE ON fnr_access_log "
                   "FOR EACH ROW EXECUTE FUNCTION append_only_guard()")
