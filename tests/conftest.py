"""Database fixtures for every tier of tests.

SQLite: one database is migrated per test session (and per xdist worker) and copied to a fresh
file for each test, so every test starts from an empty, fully migrated schema in milliseconds.

PostgreSQL: the server comes from PROGNOZA_TEST_DATABASE_URL (for example
postgresql+psycopg://postgres@127.0.0.1:5432/test); without it, tests that need it are skipped.
The database that URL names is only used to connect to the server: these fixtures work in their own
database, `prognoza_tests_<run>_<worker>` (one per test run and xdist worker, so parallel workers,
and test runs started at the same time from other shells, never empty or drop each other's tables,
and tests of other suites using the URL's own database are never disturbed). It is created at the
start of each session, migrated once, emptied with TRUNCATE ... RESTART IDENTITY CASCADE before each
test, and dropped at the end. Tests of the migrations themselves get a database with no tables at
all, `prognoza_empty_<run>_<worker>`, created for the test and dropped after it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from adapters.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
    metadata,
    upgrade_database,
)
from application.ports import UnitOfWork

POSTGRES_URL_VARIABLE = "PROGNOZA_TEST_DATABASE_URL"

UnitOfWorkFactory = Callable[[], UnitOfWork]


def worker_name() -> str:
    """This test run and the xdist worker running this session (gw0, gw1, ...), or `main` without xdist.

    Workers of one run share xdist's run id; a run without xdist is told apart by its process id.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"p{os.getpid()}")[:12]
    return f"{run}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def sqlite_url_for(path: Path) -> str:
    return f"sqlite:///{path}"


def postgres_server_url() -> str:
    """The test server's URL, or a skip that says how to run these tests."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set: PostgreSQL tests need a server to run against")
    return url


def recreate_postgres_database(server_url: str, name: str) -> str:
    """Drop (closing its connections) and create the database `name`; return its URL."""
    server = create_engine(_with_psycopg(server_url), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
    return make_url(_with_psycopg(server_url)).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, name: str) -> None:
    server = create_engine(_with_psycopg(server_url), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


def _with_psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def empty_tables(engine: Engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database, copied by each test that needs one."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    upgrade_database(sqlite_url_for(path))
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file of this test's own."""
    path = tmp_path / "prognoza.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return sqlite_url_for(path)


@pytest.fixture(scope="session")
def postgres_session_engine() -> Iterator[Engine]:
    server_url = postgres_server_url()
    name = f"prognoza_tests_{worker_name()}"
    url = recreate_postgres_database(server_url, name)
    upgrade_database(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_postgres_database(server_url, name)


@pytest.fixture
def postgres_engine(postgres_session_engine: Engine) -> Engine:
    """The session's migrated PostgreSQL database, emptied for this test."""
    empty_tables(postgres_session_engine)
    return postgres_session_engine


@pytest.fixture
def postgres_url(postgres_engine: Engine) -> str:
    return postgres_engine.url.render_as_string(hide_password=False)


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A new PostgreSQL database without any tables (not even Alembic's), dropped after the test."""
    server_url = postgres_server_url()
    name = f"prognoza_empty_{worker_name()}"
    yield recreate_postgres_database(server_url, name)
    drop_postgres_database(server_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database without any tables: a SQLite file not created yet, then PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url_for(tmp_path / "empty.sqlite3")
    return str(request.getfixturevalue("empty_postgres_url"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty, migrated database: a fresh SQLite file, then PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def uow_factory(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    """Makes new units of work on one empty database, in memory, on SQLite or on PostgreSQL."""
    if request.param == "memory":
        store = InMemoryStore()
        yield lambda: InMemoryUnitOfWork(store)
    elif request.param == "sqlite":
        engine = make_engine(request.getfixturevalue("sqlite_url"))
        yield _sqlalchemy_uow_factory(engine)
        engine.dispose()
    else:
        yield _sqlalchemy_uow_factory(request.getfixturevalue("postgres_engine"))


def _sqlalchemy_uow_factory(engine: Engine) -> UnitOfWorkFactory:
    session_factory = make_session_factory(engine)
    return lambda: SqlAlchemyUnitOfWork(session_factory)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many requests schemathesis sent (tests/e2e/api/test_api_schemathesis.py records them)."""
    reports = [report for reports in terminalreporter.stats.values() for report in reports]
    counts = [
        value
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == "schemathesis_cases" and getattr(report, "when", None) == "teardown"
    ]
    if counts:
        terminalreporter.write_line(
            f"schemathesis: {sum(counts):,} generated requests over {len(counts)} API operations"
        )
