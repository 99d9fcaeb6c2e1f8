"""The `prognoza` command line against real databases: clean messages, never a traceback."""

from __future__ import annotations

import http.server
import logging
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from adapters.hashing import WerkzeugPasswordHasher
from adapters.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from application.commands import Credentials
from application.jobs import SCORE_ALL
from application.users import authenticate
from domain.activity import ActivitySnapshot
from domain.clients import Client
from domain.jobs import Job
from domain.orders import Order
from domain.users import Role, User
from entrypoints.cli import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, cli


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test gets its own instance folder; the app's log handlers do not outlive the test."""
    monkeypatch.setenv("PROGNOZA_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("PROGNOZA_ENV", "development")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")  # Flask sets it; monkeypatch then restores it
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.fixture
def fresh_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A database file that does not exist yet."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("PROGNOZA_DATABASE_URL", url)
    return url


@pytest.fixture
def upgraded(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    """A migrated, empty database: SQLite, then PostgreSQL when a server is configured."""
    monkeypatch.setenv("PROGNOZA_DATABASE_URL", database_url)
    return database_url


def prognoza(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, prog_name="prognoza")


def counts(url: str) -> tuple[int, int, list[User]]:
    engine = make_engine(url)
    try:
        with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
            return uow.clients.count(), uow.activity.count(), uow.users.list()
    finally:
        engine.dispose()


def assert_refused_cleanly(result: Result, exit_code: int, *words: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr


def test_help_lists_the_commands_and_the_server_options(fresh_sqlite: str) -> None:
    overview = prognoza("--help")
    server = prognoza("run", "--help")

    assert overview.exit_code == 0 and server.exit_code == 0
    assert all(group in overview.stdout for group in ("db", "demo", "run", "users"))
    assert "--host" in server.stdout and "--port" in server.stdout


def test_the_command_line_and_the_app_start_without_scikit_learn_or_alembic(fresh_sqlite: str) -> None:
    """Both are imported by the commands that use them: the others start without paying for them."""
    check = (
        "import sys; from entrypoints.cli import build_app; build_app(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'alembic', 'scipy'}))"
    )
    started = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert started.stdout.strip() == "[]"


def test_db_upgrade_creates_the_schema_of_a_new_database(fresh_sqlite: str) -> None:
    first = prognoza("db", "upgrade")
    again = prognoza("db", "upgrade")

    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    assert "is at revision" in first.stdout
    assert counts(fresh_sqlite) == (0, 0, [])


def test_a_database_without_its_schema_is_a_clean_error(fresh_sqlite: str) -> None:
    assert_refused_cleanly(prognoza("demo", "seed", "--clients", "5"), 1, "database", "prognoza db upgrade")


def test_bad_settings_are_a_clean_error(monkeypatch: pytest.MonkeyPatch, fresh_sqlite: str) -> None:
    monkeypatch.setenv("PROGNOZA_MAX_UPLOAD_MB", "0")

    assert_refused_cleanly(prognoza("db", "upgrade"), 1, "PROGNOZA_MAX_UPLOAD_MB")


def test_users_create_reads_the_password_from_stdin(upgraded: str) -> None:
    result = prognoza(
        "users", "create", "ola@example.com", "--role", "admin", "--password-stdin", stdin="s3cret-pass\n"
    )

    assert result.exit_code == 0, result.output
    assert "Created admin ola@example.com" in result.stdout
    [user] = counts(upgraded)[2]
    assert user.role is Role.ADMIN and WerkzeugPasswordHasher().verify(user.password_hash, "s3cret-pass")


def test_users_create_asks_for_the_password_twice_without_showing_it(upgraded: str) -> None:
    result = prognoza("users", "create", "jan@example.com", stdin="s3cret-pass\ns3cret-pass\n")

    assert result.exit_code == 0, result.output
    assert "s3cret-pass" not in result.output
    [user] = counts(upgraded)[2]
    assert user.role is Role.ANALYST


def test_users_create_refuses_a_taken_email_whatever_its_case(upgraded: str) -> None:
    prognoza("users", "create", "ola@example.com", "--password-stdin", stdin="s3cret-pass\n")

    result = prognoza("users", "create", "OLA@example.com", "--password-stdin", stdin="0ther-pass\n")

    assert_refused_cleanly(result, 1, "already taken")
    assert len(counts(upgraded)[2]) == 1


@pytest.mark.parametrize(
    ("args", "password", "exit_code", "field"),
    [
        (["not-an-email"], "s3cret-pass", 1, "email"),
        (["ola@example.com"], "short", 1, "password"),
        (["ola@example.com", "--role", "boss"], "s3cret-pass", 2, "--role"),
    ],
)
def test_users_create_refuses_bad_input_naming_the_field(
    upgraded: str, args: list[str], password: str, exit_code: int, field: str
) -> None:
    result = prognoza("users", "create", *args, "--password-stdin", stdin=f"{password}\n")

    assert_refused_cleanly(result, exit_code, field)
    assert counts(upgraded)[2] == []


def test_demo_seed_writes_the_clients_their_logs_and_the_snapshots_derived_from_them(upgraded: str) -> None:
    result = prognoza("demo", "seed", "--clients", "50", "--months", "3", "--seed", "7")
    rebuilt = prognoza("snapshots", "build")

    assert result.exit_code == 0, result.output
    seeded = re.search(
        r"Seeded 50 clients with [\d,]+ orders and [\d,]+ events .* derived ([\d,]+) activity", result.stdout
    )
    assert seeded is not None, result.stdout
    snapshots = int(seeded.group(1).replace(",", ""))
    assert 0 < snapshots <= 150 and counts(upgraded)[:2] == (50, snapshots)
    assert f"Built {snapshots:,} snapshots of " in rebuilt.stdout  # the same derivation as a real company's
    assert counts(upgraded)[:2] == (50, snapshots)


def test_demo_seed_refuses_a_second_company(upgraded: str) -> None:
    prognoza("demo", "seed", "--clients", "10", "--months", "2")

    before = counts(upgraded)[:2]

    assert_refused_cleanly(
        prognoza("demo", "seed", "--clients", "10", "--months", "2", "--seed", "8"), 1, "clients"
    )
    assert counts(upgraded)[:2] == before and before[0] == 10


def test_demo_seed_if_empty_leaves_a_database_with_clients_alone(upgraded: str) -> None:
    prognoza("demo", "seed", "--clients", "10", "--months", "2")
    before = counts(upgraded)[:2]

    result = prognoza("demo", "seed", "--clients", "30", "--if-empty")

    assert result.exit_code == 0, result.output
    assert "already holds 10 clients" in result.stdout
    assert counts(upgraded)[:2] == before


@pytest.mark.parametrize(
    ("option", "value", "exit_code", "field"),
    [
        ("--clients", "abc", 2, "--clients"),
        ("--clients", "0", 1, "clients"),
        ("--clients", "1000001", 1, "clients"),
        ("--months", "61", 1, "months"),
        ("--months", "-1", 1, "months"),
        ("--seed", "-3", 1, "seed"),
    ],
)
def test_demo_seed_refuses_bad_sizes_naming_the_field(
    upgraded: str, option: str, value: str, exit_code: int, field: str
) -> None:
    assert_refused_cleanly(prognoza("demo", "seed", option, value), exit_code, field)
    assert counts(upgraded)[:2] == (0, 0)


def test_jobs_prune_deletes_the_jobs_finished_long_ago_and_refuses_a_negative_age(upgraded: str) -> None:
    long_ago, now = datetime(2024, 1, 1, tzinfo=UTC), datetime.now(UTC)
    engine = make_engine(upgraded)
    with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
        for job_id, ended in (("old", long_ago), ("new", now)):
            started = Job(job_id, SCORE_ALL, "score every client", long_ago).started(long_ago, "host:1")
            uow.jobs.add(started.succeeded(None, ended))
        uow.jobs.add(Job("waiting", SCORE_ALL, "score every client", long_ago))
        uow.commit()

    pruned = prognoza("jobs", "prune")
    refused = prognoza("jobs", "prune", "--older-than-days", "-1")

    assert pruned.exit_code == 0 and "Deleted 1 jobs that finished more than 30 days ago." in pruned.stdout
    assert_refused_cleanly(refused, 1, "older_than_days")
    with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
        assert [uow.jobs.get(job_id) is not None for job_id in ("old", "new", "waiting")] == [
            False,
            True,
            True,
        ]
    engine.dispose()


def test_ensure_admin_creates_the_demo_admin_once_and_always_says_how_to_sign_in(upgraded: str) -> None:
    first = prognoza("demo", "ensure-admin")
    second = prognoza("demo", "ensure-admin")

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    for result in (first, second):
        assert f"Sign in as {DEMO_ADMIN_EMAIL} with password {DEMO_ADMIN_PASSWORD}" in result.stdout
    [admin] = counts(upgraded)[2]
    assert admin.is_admin and admin.email == DEMO_ADMIN_EMAIL
    _sign_in(upgraded, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)


def test_ensure_admin_creates_no_demo_admin_beside_a_real_one(upgraded: str) -> None:
    prognoza(
        "users", "create", "boss@example.com", "--role", "admin", "--password-stdin", stdin="s3cret-pass\n"
    )

    result = prognoza("demo", "ensure-admin")

    assert result.exit_code == 0, result.output
    assert "boss@example.com" in result.stdout and DEMO_ADMIN_PASSWORD not in result.stdout
    assert [u.email for u in counts(upgraded)[2]] == ["boss@example.com"]


def test_ensure_admin_is_refused_in_production(monkeypatch: pytest.MonkeyPatch, upgraded: str) -> None:
    monkeypatch.setenv("PROGNOZA_ENV", "production")
    monkeypatch.setenv("PROGNOZA_SECRET_KEY", "a-real-secret-for-this-test-of-32-bytes-or-more")

    assert_refused_cleanly(prognoza("demo", "ensure-admin"), 1, "env")
    assert counts(upgraded)[2] == []


def _sign_in(url: str, email: str, password: str) -> User:
    engine = make_engine(url)
    try:
        uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
        return authenticate(
            Credentials.parse({"email": email, "password": password}), uow, WerkzeugPasswordHasher()
        )
    finally:
        engine.dispose()


def orders_of(url: str) -> int:
    engine = make_engine(url)
    try:
        with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
            return uow.orders.count()
    finally:
        engine.dispose()


ORDERS = (
    "client_email,ordered_at,amount,order_id\n"
    'ewa.lis@example.com,2024-05-01T10:00:00+02:00,"149,90",E-2\n'
    "ewa.lis@example.com,19970101,20.00,E-1\n"
    "jan@example.com,2024-03-31,-5,J-1\n"
)


def test_import_orders_refuses_unknown_clients_and_stores_nothing(upgraded: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")

    result = prognoza("import", "orders", str(path))

    assert_refused_cleanly(result, 1, "line 2: client_email: no client has this email", "3 problem(s)")
    assert counts(upgraded)[0] == 0 and orders_of(upgraded) == 0


def test_import_orders_creates_clients_on_their_earliest_order_and_twice_changes_nothing(
    upgraded: str, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")

    first = prognoza("import", "orders", str(path), "--create-clients")
    again = prognoza("import", "orders", str(path), "--create-clients")

    assert first.exit_code == 0, first.output
    assert "Imported 3 orders (2 clients created)" in first.output
    assert "Imported 0 orders (3 already stored)" in again.output
    assert orders_of(upgraded) == 3
    engine = make_engine(upgraded)
    with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
        ewa = uow.clients.get_by_email("ewa.lis@example.com")
    engine.dispose()
    assert ewa is not None and ewa.registered_on.isoformat() == "1997-01-01"


def test_a_bad_date_names_the_accepted_forms(upgraded: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("client_email,ordered_at,amount\nanna@example.com,01/05/2024,10\n", encoding="utf-8")

    result = prognoza("import", "orders", str(path), "--create-clients")

    assert_refused_cleanly(result, 1, "line 2: ordered_at: must be written as one of: YYYY-MM-DD, YYYYMMDD")


def test_import_clients_with_update_changes_the_stored_ones_and_again_nothing(
    upgraded: str, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text("first_name,last_name,email,registered_on\nAnna,Nowak,anna@example.com,20230115\n")
    assert prognoza("import", "clients", str(path)).exit_code == 0
    path.write_text("first_name,last_name,email,registered_on\nAnna,Kowalska,anna@example.com,20230115\n")

    refused = prognoza("import", "clients", str(path))
    updated = prognoza("import", "clients", str(path), "--update")
    again = prognoza("import", "clients", str(path), "--update")

    assert_refused_cleanly(refused, 1, "email: is already taken")
    assert "Imported 0 clients (1 updated)" in updated.output
    assert "Imported 0 clients (1 already stored)" in again.output


def test_snapshots_build_derives_the_snapshots_of_every_client_with_orders(upgraded: str) -> None:
    engine = make_engine(upgraded)
    try:
        with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
            [anna] = uow.clients.add_many([Client("Anna", "Nowak", "anna@example.com", date(2023, 1, 15))])
            assert anna.id is not None
            uow.orders.add_new([Order(anna.id, datetime(2024, 1, 10, 12, tzinfo=UTC), 120.0)])
            uow.commit()
    finally:
        engine.dispose()

    result = prognoza("snapshots", "build", "--through", "2024-03-31")
    again = prognoza("snapshots", "build", "--through", "2024-03-31")

    assert result.exit_code == 0, result.output
    assert "Built 3 snapshots of 1 clients through 2024-03-31" in result.stdout
    assert "Built 3 snapshots" in again.stdout
    assert counts(upgraded)[:2] == (1, 3)


def test_snapshots_build_refuses_a_bad_date_naming_the_field(upgraded: str) -> None:
    assert_refused_cleanly(prognoza("snapshots", "build", "--through", "2999-01-01"), 1, "through")
    assert_refused_cleanly(prognoza("snapshots", "build", "--through", "31.03.2024"), 1, "through")


def history_of(url: str, email: str) -> list[ActivitySnapshot]:
    engine = make_engine(url)
    try:
        with SqlAlchemyUnitOfWork(make_session_factory(engine)) as uow:
            client = uow.clients.get_by_email(email)
            assert client is not None and client.id is not None
            return uow.activity.history(client.id)
    finally:
        engine.dispose()


def test_a_bare_purchase_log_becomes_snapshots_and_the_next_months_file_fills_their_outcomes(
    upgraded: str, tmp_path: Path
) -> None:
    march, april = tmp_path / "march.csv", tmp_path / "april.csv"
    march.write_text(
        "client_email,ordered_at,amount\n"
        "ola@example.com,20240305,100\n"
        "ola@example.com,2024-03-31T23:30:00+01:00,50\n"  # 22:30 UTC: still March 31st
        "ola@example.com,2024-03-31,-20\n",  # a refund is no purchase
        encoding="utf-8",
    )
    april.write_text('client_email,ordered_at,amount\nola@example.com,20240410,"80,50"\n', encoding="utf-8")

    succeeded_import = prognoza("import", "orders", str(march), "--create-clients")
    built_march = prognoza("snapshots", "build", "--through", "2024-03-31")
    [march_end] = history_of(upgraded, "ola@example.com")
    prognoza("import", "orders", str(april))
    prognoza("import", "orders", str(april))  # the same file twice stores nothing new
    built_april = prognoza("snapshots", "build", "--through", "2024-04-30")

    assert succeeded_import.exit_code == 0 and built_march.exit_code == 0 and built_april.exit_code == 0
    assert (march_end.observed_on, march_end.purchases_30d, march_end.avg_basket_value) == (
        date(2024, 3, 31),
        2,
        75.0,
    )
    assert (march_end.days_since_last_purchase, march_end.site_visits_30d) == (0, None)
    assert (march_end.sales_next_month, march_end.purchased_next_14d) == (None, None)
    newest, filled = history_of(upgraded, "ola@example.com")
    assert (filled.observed_on, filled.sales_next_month, filled.purchased_next_14d) == (
        date(2024, 3, 31),
        80.5,
        True,
    )
    assert (newest.observed_on, newest.purchases_30d, newest.sales_next_month) == (date(2024, 4, 30), 1, None)


def test_welcome_waits_for_the_panel_then_says_where_to_open_it_and_how_to_sign_in(upgraded: str) -> None:
    class Healthy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Healthy) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = prognoza("demo", "welcome", "--url", url)
        server.shutdown()

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"Prognoza is ready: open {url}"
    assert lines[-1].endswith(f"Sign in as {DEMO_ADMIN_EMAIL} with password {DEMO_ADMIN_PASSWORD}")


def test_welcome_gives_up_on_a_panel_that_never_answers(upgraded: str) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = prognoza("demo", "welcome", "--url", f"http://127.0.0.1:{port}", "--wait", "0.5")

    assert result.exit_code == 1 and "did not answer" in result.output
