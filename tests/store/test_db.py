"""The schema the migrations make is the schema the code maps, on both backends."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from openlfr.store.db import SCHEMA_HEAD, Database, StoreError, alembic_config
from openlfr.store.tables import metadata
from tests.postgres import fresh_database, let_in, shut_out


def test_migrations_create_the_mapped_schema_and_rerun_as_no_op(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()  # a second upgrade finds nothing to do
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    db.dispose()


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot open the database .* check database_url"):
        Database(f"sqlite:///{tmp_path / 'no such folder' / 'openlfr.db'}")


def test_a_garbage_database_url_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="is not a database URL SQLAlchemy can use"):
        Database("garbage")


def test_schema_head_names_the_newest_migration() -> None:
    # A database at SCHEMA_HEAD is opened without Alembic: it must be the real head.
    assert ScriptDirectory.from_config(alembic_config(None)).get_current_head() == SCHEMA_HEAD


def test_a_connection_the_server_dropped_is_replaced(postgres_url: str) -> None:
    """PostgreSQL ended the pooled connections (a restart, a failover, an idle timeout): the
    next transaction gets a new one instead of failing."""
    with fresh_database(postgres_url) as url:
        db = Database(url)
        with db.transaction() as session:
            session.execute(sa.text("SELECT 1"))
        shut_out(url)
        let_in(url)
        with db.transaction() as session:
            assert session.execute(sa.text("SELECT 1")).scalar() == 1
        db.dispose()
