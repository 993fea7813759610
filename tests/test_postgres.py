"""The database harness itself: both backends of `database_url` take SQLAlchemy's engine and
keep transactions; PostgreSQL's per-test databases are apart; the server is a private one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
    select,
)

from tests.postgres import PostgresError, connect, find_binaries, fresh_database, postgres_server

METADATA = MetaData()
NOTES = Table(
    "notes",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("body", String(200), nullable=False),
)


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def bodies(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(NOTES.c.body).order_by(NOTES.c.id)))


def test_round_trip_in_a_transaction(database_url: str, request: pytest.FixtureRequest) -> None:
    with engine_for(database_url) as engine:
        assert request.node.name.endswith(f"[{engine.dialect.name}]")
        with engine.begin() as connection:
            METADATA.create_all(connection)
            connection.execute(NOTES.insert(), [{"body": "first"}, {"body": "zweite ü"}])
        assert bodies(engine) == ["first", "zweite ü"]


def test_rolled_back_transaction_leaves_nothing(database_url: str) -> None:
    with engine_for(database_url) as engine:
        METADATA.create_all(engine)
        with pytest.raises(RuntimeError, match="abandon"), engine.begin() as connection:
            connection.execute(NOTES.insert(), {"body": "never"})
            raise RuntimeError("abandon")
        assert bodies(engine) == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_databases_are_apart(database_url: str, postgres_url: str) -> None:
    with fresh_database(postgres_url) as other_url:
        assert other_url != database_url
        with engine_for(database_url) as one, engine_for(other_url) as other:
            METADATA.create_all(one)
            with one.begin() as connection:
                connection.execute(NOTES.insert(), {"body": "in one"})
            assert not inspect(other).has_table("notes")
            METADATA.create_all(other)
            with other.begin() as connection:
                connection.execute(NOTES.insert(), {"body": "in other"})
            assert bodies(one) == ["in one"]
            assert bodies(other) == ["in other"]
    # Dropped on leaving, even with a connection of the test's still open to it.
    with connect(postgres_url) as admin:
        name = other_url.rsplit("/", 1)[1]
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchall()
    assert found == []


def test_server_listens_on_loopback_only(postgres_url: str) -> None:
    with connect(postgres_url) as connection:
        listen = connection.execute("SHOW listen_addresses").fetchone()
        fsync = connection.execute("SHOW fsync").fetchone()
    assert listen == ("127.0.0.1",)
    assert fsync == ("off",)
    assert "@127.0.0.1:" in postgres_url


def test_missing_binaries_say_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "15" / "bin").mkdir(parents=True)
    (tmp_path / "15" / "bin" / "initdb").touch(mode=0o755)  # no pg_ctl beside it
    with pytest.raises(PostgresError, match=r"initdb, pg_ctl.*apt-get install postgresql"):
        find_binaries(path=str(tmp_path / "empty"), roots=[tmp_path])


def test_newest_version_is_chosen(tmp_path: Path) -> None:
    for version in ("9.6", "15", "13"):
        for program in ("initdb", "pg_ctl"):
            (tmp_path / version / "bin").mkdir(parents=True, exist_ok=True)
            (tmp_path / version / "bin" / program).touch(mode=0o755)
    found = find_binaries(path=str(tmp_path / "empty"), roots=[tmp_path])
    assert found.pg_ctl == tmp_path / "15" / "bin" / "pg_ctl"


def test_failed_start_shows_the_server_log() -> None:
    with (
        pytest.raises(PostgresError, match=r"did not start(.|\n)*shared_buffers"),
        postgres_server(settings={"shared_buffers": "'not a size'"}),
    ):
        pass
