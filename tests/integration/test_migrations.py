import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hjelpemiddel.cli import alembic_config
from hjelpemiddel.core.db import make_engine
from hjelpemiddel.models import metadata

from ..support import fresh_database_url


def test_migrations_build_the_schema_from_empty_match_the_models_and_downgrade_back():
    engine = make_engine(fresh_database_url("migrations"))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
            assert diff == [], diff
            assert set(metadata.tables) <= set(sa.inspect(conn).get_table_names())
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    finally:
        engine.dispose()
