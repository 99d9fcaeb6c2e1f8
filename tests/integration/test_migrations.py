"""The Alembic migrations build exactly the schema the adapters' tables describe, and undo it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Engine, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from adapters.sqlalchemy import (
    current_revision,
    downgrade_database,
    head_revision,
    make_engine,
    metadata,
    upgrade_database,
)
from adapters.sqlalchemy.statements import folded_text_holds, folded_text_of
from adapters.sqlalchemy.tables import (
    POSTGRESQL_FOLDED_BY_ID_INDEX,
    SEARCH_INDEXES,
    SEARCH_TABLE,
    SQLITE_FOLDED_SORT_INDEXES,
    client_activity,
    clients,
    described_by_tables,
    model_runs,
    purchase_predictions,
    sales_predictions,
    scored_client_list,
)

FOUNDATION_TABLES = {"users", "clients", "client_activity"}
MACHINE_LEARNING_TABLES = {
    "sales_predictions",
    "purchase_predictions",
    "model_runs",
    "model_activations",
    "app_settings",
}
API_TABLES = {"api_tokens"}
LOG_TABLES = {"orders", "events"}
TABLES = FOUNDATION_TABLES | MACHINE_LEARNING_TABLES | API_TABLES | LOG_TABLES
MORNING = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def migrated_url(empty_database_url: str) -> str:
    upgrade_database(empty_database_url)
    return empty_database_url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


def differences(engine: Engine) -> list[Any]:
    with warnings.catch_warnings(), engine.connect() as connection:
        # SQLite cannot reflect expression indexes (lower(email)); they are compared by name below.
        warnings.filterwarnings("ignore", message=".*expression-based index")
        context = MigrationContext.configure(connection, opts={"include_name": described_by_tables})
        return list(compare_metadata(context, metadata))


def index_names(engine: Engine, table: str) -> set[str]:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,),
            )
            return {name for (name,) in rows if described_by_tables(name, "index", {})}
    indexes = inspect(engine).get_indexes(table)
    described = [index for index in indexes if described_by_tables(index["name"], "index", {})]
    return {str(index["name"]) for index in described if not index.get("duplicates_constraint")}


def test_upgrade_brings_an_empty_database_to_the_newest_revision(migrated_url: str) -> None:
    assert current_revision(migrated_url) == head_revision() == "0032_scored_list_folded_text"


def postgresql_indexes_of_clients(engine: Engine) -> dict[str, str]:
    """Each index of PostgreSQL's `clients` by name, with the statement that makes it."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'clients'"
        )
        return {name: definition for name, definition in rows}


def test_the_migrated_schema_matches_the_tables_of_the_adapters(engine: Engine) -> None:
    assert differences(engine) == []


def test_the_migrated_schema_has_every_index_of_the_tables(engine: Engine) -> None:
    for table in metadata.sorted_tables:
        assert index_names(engine, table.name) == {str(index.name) for index in table.indexes}


def test_client_search_has_its_index_on_every_database(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            triggers = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'clients'"
            )
            assert {name for (name,) in triggers} == {
                "client_search_added",
                "client_search_changed",
                "client_search_removed",
            }
        assert inspect(engine).has_table(SEARCH_TABLE)
    else:
        indexes = {str(index["name"]) for index in inspect(engine).get_indexes("clients")}
        assert indexes >= set(SEARCH_INDEXES)


def test_the_migrated_schema_has_every_check_constraint_of_the_tables(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        expected = {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)}
        assert {c["name"] for c in inspector.get_check_constraints(table.name)} == expected


@pytest.mark.parametrize("table", ["client_activity", "sales_predictions", "purchase_predictions"])
def test_snapshots_and_predictions_are_deleted_with_their_client(engine: Engine, table: str) -> None:
    (foreign_key,) = inspect(engine).get_foreign_keys(table)

    assert foreign_key["referred_table"] == "clients"
    assert foreign_key["options"].get("ondelete") == "CASCADE"


def test_api_tokens_are_deleted_with_their_user_and_never_share_a_hash(engine: Engine) -> None:
    (foreign_key,) = inspect(engine).get_foreign_keys("api_tokens")
    (unique,) = inspect(engine).get_unique_constraints("api_tokens")

    assert (foreign_key["referred_table"], foreign_key["options"].get("ondelete")) == ("users", "CASCADE")
    assert unique["column_names"] == ["token_hash"]


@pytest.mark.parametrize(
    "broken",
    [
        {"purchases_30d": -1},
        {"avg_basket_value": -0.01},
        {"visits_7d": 13, "site_visits_30d": 12},
        {"days_since_last_purchase": -3},
        {"sales_next_month": -5.0},
        {"time_on_site_7d": -1.0},
        {"spend_365d": -0.01},
        {"days_since_first_purchase": -1},
    ],
    ids=lambda broken: ",".join(broken),
)
def test_the_database_itself_refuses_snapshots_that_break_the_invariants(
    engine: Engine, broken: dict[str, Any]
) -> None:
    with engine.begin() as connection:
        client_id = connection.execute(
            insert(clients).returning(clients.c.id),
            {
                "first_name": "Anna",
                "last_name": "Nowak",
                "email": "a@example.pl",
                "email_key": "a@example.pl",
                "registered_on": date(2023, 1, 1),
            },
        ).scalar_one()

    row = valid_snapshot_row(client_id) | broken
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(client_activity), row)


@pytest.mark.parametrize(
    ("table", "broken"),
    [
        ("sales_predictions", {"value": -0.01}),
        ("purchase_predictions", {"probability": 1.01}),
        ("purchase_predictions", {"probability": -0.01}),
        ("purchase_predictions", {"threshold": 0.0}),
        ("purchase_predictions", {"threshold": 1.0}),
    ],
    ids=lambda value: ",".join(value) if isinstance(value, dict) else value,
)
def test_the_database_itself_refuses_predictions_out_of_range(
    engine: Engine, table: str, broken: dict[str, Any]
) -> None:
    client_id = insert_client(engine)

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(PREDICTION_TABLES[table]), valid_prediction_row(table, client_id) | broken)


@pytest.mark.parametrize("table", ["sales_predictions", "purchase_predictions"])
def test_the_database_itself_allows_one_current_prediction_per_client_and_any_history(
    engine: Engine, table: str
) -> None:
    client_id = insert_client(engine)
    old = valid_prediction_row(table, client_id) | {"is_current": False}
    with engine.begin() as connection:
        connection.execute(
            insert(PREDICTION_TABLES[table]), [old, old, valid_prediction_row(table, client_id)]
        )

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(PREDICTION_TABLES[table]), valid_prediction_row(table, client_id))


def test_the_database_itself_allows_one_active_run_per_kind(engine: Engine) -> None:
    def run(kind: str, version: int, is_active: bool) -> dict[str, Any]:
        return {
            "kind": kind,
            "version": version,
            "requested_by": "admin@example.pl",
            "status": "succeeded",
            "queued_at": MORNING,
            "is_active": is_active,
        }

    with engine.begin() as connection:
        connection.execute(
            insert(model_runs),
            [run("sales", 1, True), run("sales", 2, False), run("purchase", 1, True)],
        )

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(model_runs), run("sales", 3, True))


@pytest.mark.parametrize(
    "broken", [{"kind": "churn"}, {"status": "paused"}, {"version": 0}], ids=lambda broken: ",".join(broken)
)
def test_the_database_itself_refuses_a_run_of_an_unknown_kind_or_status(
    engine: Engine, broken: dict[str, Any]
) -> None:
    row = {
        "kind": "sales",
        "version": 1,
        "requested_by": "a@example.pl",
        "status": "queued",
        "queued_at": MORNING,
    }

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(model_runs), row | broken)


def test_the_database_itself_refuses_an_unknown_role(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (email, email_key, password_hash, role)"
            " VALUES ('a@example.pl', 'a@example.pl', 'hash', 'owner')"
        )


def test_downgrade_to_the_foundation_removes_only_the_machine_learning_tables(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    client_id = insert_client(engine)
    engine.dispose()

    downgrade_database(migrated_url, "0001_foundation")

    assert current_revision(migrated_url) == "0001_foundation"
    assert tables_of(migrated_url) & TABLES == FOUNDATION_TABLES
    engine = make_engine(migrated_url)
    with engine.connect() as connection:
        assert connection.execute(select(clients.c.id)).scalar_one() == client_id
    engine.dispose()

    upgrade_database(migrated_url)
    assert tables_of(migrated_url) >= TABLES


def test_downgrade_to_machine_learning_removes_only_the_api_tokens(migrated_url: str) -> None:
    downgrade_database(migrated_url, "0002_machine_learning")

    assert current_revision(migrated_url) == "0002_machine_learning"
    assert tables_of(migrated_url) & TABLES == FOUNDATION_TABLES | MACHINE_LEARNING_TABLES

    upgrade_database(migrated_url)
    assert tables_of(migrated_url) >= TABLES


def test_downgrade_to_api_tokens_removes_the_logs_and_the_snapshots_it_cannot_hold(
    migrated_url: str,
) -> None:
    engine = make_engine(migrated_url)
    client_id = insert_client(engine)
    known = valid_snapshot_row(client_id) | {"source": "entered"}
    unknown_visits = known | {"observed_on": date(2024, 2, 1), "site_visits_30d": None, "visits_7d": None}
    derived = known | {"observed_on": date(2024, 1, 1), "source": "derived"}
    with engine.begin() as connection:
        connection.execute(insert(client_activity), [known, unknown_visits, derived])
    engine.dispose()

    downgrade_database(migrated_url, "0003_api_tokens")

    assert tables_of(migrated_url) & TABLES == FOUNDATION_TABLES | MACHINE_LEARNING_TABLES | API_TABLES
    engine = make_engine(migrated_url)
    with engine.connect() as connection:
        kept = connection.execute(select(client_activity.c.observed_on)).scalars().all()
    engine.dispose()
    assert kept == [date(2024, 3, 1)]
    upgrade_database(migrated_url)
    assert tables_of(migrated_url) >= TABLES


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds_them(migrated_url: str) -> None:
    downgrade_database(migrated_url, "base")

    assert current_revision(migrated_url) is None
    assert tables_of(migrated_url) & TABLES == set()

    upgrade_database(migrated_url)
    assert tables_of(migrated_url) >= TABLES


def test_upgrade_creates_the_folder_of_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.sqlite3"

    upgrade_database(f"sqlite:///{path}")

    assert path.is_file()


@pytest.mark.postgres
def test_a_postgresql_url_without_a_driver_is_served_by_psycopg(empty_postgres_url: str) -> None:
    plain_url = empty_postgres_url.replace("postgresql+psycopg://", "postgresql://")

    upgrade_database(plain_url)

    assert current_revision(plain_url) == head_revision()
    engine = make_engine(plain_url)
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def valid_snapshot_row(client_id: int) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "observed_on": date(2024, 3, 1),
        "purchases_30d": 1,
        "avg_basket_value": 10.0,
        "site_visits_30d": 12,
        "days_since_last_purchase": 3,
        "visits_7d": 4,
        "newsletter_opened": True,
        "ad_clicks_7d": 0,
        "time_on_site_7d": 5.0,
        "sales_next_month": None,
        "purchased_next_14d": None,
    }


PREDICTION_TABLES = {"sales_predictions": sales_predictions, "purchase_predictions": purchase_predictions}


def insert_client(engine: Engine, email: str = "a@example.pl") -> int:
    row = {"first_name": "Anna", "last_name": "Nowak", "email": email, "registered_on": date(2023, 1, 1)}
    if "email_key" in {column["name"] for column in inspect(engine).get_columns("clients")}:
        row["email_key"] = email.lower()
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(clients).returning(clients.c.id),
                row,
            ).scalar_one()
        )


def valid_prediction_row(table: str, client_id: int) -> dict[str, Any]:
    shared = {"client_id": client_id, "model_version": 1, "made_at": MORNING, "is_current": True}
    if table == "sales_predictions":
        return shared | {"value": 420.5}
    return shared | {"probability": 0.8, "will_buy": True, "threshold": 0.7}


def tables_of(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_runs_single_baseline_becomes_a_named_one_and_back(empty_database_url: str) -> None:
    upgrade_database(empty_database_url, "0004_orders_and_events")
    engine = make_engine(empty_database_url)
    old = {"sales": {"r2": 0.0, "mae": 61.75}, "purchase": {"roc_auc": 0.5}}
    try:
        with engine.begin() as connection:
            for version, (kind, baseline) in enumerate(old.items(), start=1):
                connection.execute(
                    insert(model_runs).values(
                        kind=kind,
                        version=version,
                        requested_by="a@example.com",
                        status="succeeded",
                        queued_at=MORNING,
                        baseline_metrics=baseline,
                    )
                )
        upgrade_database(empty_database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                select(model_runs.c.kind, model_runs.c.baseline_metrics, model_runs.c.warnings)
            )
            upgraded = {kind: (baselines, warnings) for kind, baselines, warnings in rows}
        downgrade_database(empty_database_url, "0004_orders_and_events")
        with engine.connect() as connection:
            rows = connection.execute(select(model_runs.c.kind, model_runs.c.baseline_metrics))
            downgraded = dict(rows.all())
    finally:
        engine.dispose()

    assert upgraded == {
        "sales": ({"mean": old["sales"]}, []),
        "purchase": ({"base_rate": old["purchase"]}, []),
    }
    assert downgraded == old


HISTORY_COLUMNS = {
    "spend_90d": 120.5,
    "spend_180d": 200.0,
    "spend_365d": 410.25,
    "purchases_365d": 7,
    "active_months_365d": 5,
    "purchase_days": 6,
    "days_since_first_purchase": 300,
    "avg_order_value": 58.61,
}


def test_the_order_history_columns_come_empty_to_the_snapshots_and_go_without_them(
    empty_database_url: str,
) -> None:
    upgrade_database(empty_database_url, "0005_honest_validation")
    engine = make_engine(empty_database_url)
    try:
        client_id = insert_client(engine)
        with engine.begin() as connection:
            connection.execute(insert(client_activity), valid_snapshot_row(client_id))
        upgrade_database(empty_database_url)
        with engine.connect() as connection:
            upgraded = connection.execute(select(client_activity.c[*HISTORY_COLUMNS])).one()
        with engine.begin() as connection:
            connection.execute(update(client_activity).values(HISTORY_COLUMNS))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(update(client_activity).values(purchase_days=-1))

        downgrade_database(empty_database_url, "0005_honest_validation")

        columns = {column["name"] for column in inspect(engine).get_columns("client_activity")}
        checks = {check["name"] for check in inspect(engine).get_check_constraints("client_activity")}
        with engine.connect() as connection:
            kept = connection.execute(
                select(client_activity.c.client_id, client_activity.c.observed_on)
            ).all()
    finally:
        engine.dispose()

    assert tuple(upgraded) == (None,) * len(HISTORY_COLUMNS)
    assert columns.isdisjoint(HISTORY_COLUMNS)
    assert not any(name in str(check) for check in checks for name in HISTORY_COLUMNS)
    assert kept == [(client_id, date(2024, 3, 1))]


def test_emails_become_unique_by_a_stored_key_and_back(empty_database_url: str) -> None:
    upgrade_database(empty_database_url, "0009_session_revocation")
    engine = make_engine(empty_database_url)
    try:
        insert_client(engine, "Łucja.Nowak@Example.PL")
        upgrade_database(empty_database_url)
        with engine.connect() as connection:
            keys = connection.execute(select(clients.c.email_key)).scalars().all()
        with pytest.raises(IntegrityError):
            insert_client(engine, "łucja.nowak@example.pl")
        downgrade_database(empty_database_url, "0009_session_revocation")
        assert "email_key" not in {column["name"] for column in inspect(engine).get_columns("clients")}
    finally:
        engine.dispose()

    assert keys == ["łucja.nowak@example.pl"]


def test_the_current_purchase_predictions_get_the_worth_of_a_contact_and_lose_it_going_back(
    empty_database_url: str,
) -> None:
    upgrade_database(empty_database_url, "0011_prediction_snapshot")
    engine = make_engine(empty_database_url)
    made = datetime(2026, 6, 30, tzinfo=UTC)
    try:
        client_id = insert_client(engine)
        with engine.begin() as connection:
            for value, probability, current in ((900.0, 0.9, False), (420.5, 0.25, True)):
                common = {"client_id": client_id, "model_version": 1, "made_at": made, "is_current": current}
                connection.execute(insert(sales_predictions), {**common, "value": value})
                row = {"probability": probability, "will_buy": False, "threshold": 0.7}
                connection.execute(insert(purchase_predictions), {**common, **row})
        upgrade_database(empty_database_url)
        with engine.connect() as connection:
            worths = connection.execute(
                select(purchase_predictions.c.is_current, purchase_predictions.c.expected_value)
            ).all()
        downgrade_database(empty_database_url, "0011_prediction_snapshot")
        columns = {column["name"] for column in inspect(engine).get_columns("purchase_predictions")}
    finally:
        engine.dispose()

    assert sorted(worths) == [(False, None), (True, 0.25 * 420.5)]
    assert "expected_value" not in columns


def test_the_search_index_is_rebuilt_for_short_texts_and_back(tmp_path: Path) -> None:
    """SQLite's index of names and emails ends each in two unit separators and indexes a dotted capital I
    as its lower case (migration 0025_search_of_short_texts), with a vocabulary; going back, as before."""
    url = f"sqlite:///{tmp_path / 'search.sqlite3'}"
    upgrade_database(url, "0024_scored_list_by_predictions")
    engine = make_engine(url)

    def indexed() -> list[tuple[str, str]]:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql("SELECT name, email FROM client_search")]

    try:
        insert_client(engine, "ola@firma.pl")
        upgrade_database(url)
        insert_client(engine, "\u0130pek@firma.pl")
        with engine.connect() as connection:
            terms = (
                connection.exec_driver_sql(
                    "SELECT term FROM client_search_terms WHERE term >= 'pl' AND term < 'pm'"
                )
                .scalars()
                .all()
            )
        upgraded = indexed()
        downgrade_database(url, "0024_scored_list_by_predictions")
        downgraded = indexed()
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    end = "\x1f\x1f"
    assert upgraded == [
        (f"Anna Nowak{end}", f"ola@firma.pl{end}"),
        (f"Anna Nowak{end}", f"i\u0307pek@firma.pl{end}"),
    ]
    assert terms == ["pl\x1f"]
    assert downgraded == [("Anna Nowak", "ola@firma.pl"), ("Anna Nowak", "\u0130pek@firma.pl")]
    assert "client_search_terms" not in tables


@pytest.mark.postgres
def test_postgresql_keeps_the_letters_of_the_clients_names_and_emails_and_drops_them_going_back(
    empty_postgres_url: str,
) -> None:
    """Those of the clients there before (migration 0027_search_letters), of those added and of new names."""
    upgrade_database(empty_postgres_url, "0026_searchable_name_indexes")
    engine = make_engine(empty_postgres_url)

    def letters() -> str:
        with engine.connect() as connection:
            kept = connection.exec_driver_sql("SELECT letter FROM client_search_letters ORDER BY letter")
            return "".join(kept.scalars())

    try:
        client_id = insert_client(engine, "ola@firma.pl")
        upgrade_database(empty_postgres_url)
        before = letters()
        insert_client(engine, "ź@x.io")
        with engine.begin() as connection:
            connection.execute(update(clients).where(clients.c.id == client_id).values(last_name="Ćma"))
        after = letters()
        downgrade_database(empty_postgres_url, "0026_searchable_name_indexes")
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    assert before == "".join(sorted(set("annanowakola@firma.pl")))
    assert after == "".join(sorted(set("annanowakola@firma.plź@x.ioćma")))
    assert "client_search_letters" not in tables


def test_postgresql_keeps_each_clients_full_name_and_email_folded_and_drops_them_going_back(
    empty_postgres_url: str,
) -> None:
    """Stored for the clients there before (migration 0028_folded_search_texts) and for new names, and
    indexed for a search; going back, the indexes are on the folded expressions again."""
    upgrade_database(empty_postgres_url, "0027_search_letters")
    engine = make_engine(empty_postgres_url)

    def folded() -> list[tuple[str, str]]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT folded_name, folded_email FROM clients ORDER BY id")
            return [(name, email) for name, email in rows]

    def indexed() -> dict[str, str]:
        return {
            name: made for name, made in postgresql_indexes_of_clients(engine).items() if name != "pk_clients"
        }

    try:
        client_id = insert_client(engine, "Ola@Firma.PL")
        upgrade_database(empty_postgres_url)
        insert_client(engine, "ŹDZISŁAW@x.io")
        with engine.begin() as connection:
            connection.execute(update(clients).where(clients.c.id == client_id).values(first_name="ŁUCJA"))
        stored, upgraded = folded(), indexed()
        downgrade_database(empty_postgres_url, "0027_search_letters")
        columns = {column["name"] for column in inspect(engine).get_columns("clients")}
        downgraded = indexed()
    finally:
        engine.dispose()

    assert stored == [("łucja nowak", "ola@firma.pl"), ("anna nowak", "ździsław@x.io")]
    assert "gin (folded_name gin_trgm_ops)" in upgraded["ix_clients_name_trigrams"]
    assert "gin (folded_email gin_trgm_ops)" in upgraded["ix_clients_email_trigrams"]
    sorts = ["ix_clients_lower_first_name", "ix_clients_lower_last_name", "ix_clients_registered_on"]
    assert all("INCLUDE (folded_name, folded_email)" in upgraded[index] for index in sorts)
    assert "(email_key) INCLUDE (id, folded_name, folded_email)" in upgraded["uq_clients_email_key"]
    assert "UNIQUE" in upgraded["uq_clients_email_key"] and "UNIQUE" in downgraded["uq_clients_email_key"]
    assert {"folded_name", "folded_email"}.isdisjoint(columns)
    assert "lower((email)::text)" in downgraded["ix_clients_email_trigrams"]
    assert not any("folded" in definition for definition in downgraded.values())


def test_sqlite_keeps_each_clients_folded_text_in_a_table_built_again_and_drops_it_going_back(
    tmp_path: Path,
) -> None:
    """Migration 0029_sqlite_folded_text builds the clients' table again with a stored `folded_text`:
    the clients keep their ids, their snapshots, the search index's triggers and the sequence of ids; the
    text is kept for new and changed names, İ and the Kelvin sign folded as Python folds them; the indexes
    by name hold it. Going back, the table is built again without it."""
    url = f"sqlite:///{tmp_path / 'folded.sqlite3'}"
    upgrade_database(url, "0028_folded_search_texts")
    engine = make_engine(url)

    def read(statement: str) -> list[Any]:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(statement)]

    try:
        first = insert_client(engine, "Ola@Firma.PL")
        with engine.begin() as connection:
            connection.execute(insert(client_activity), valid_snapshot_row(first))
        upgrade_database(url)
        second = insert_client(engine, "\u0130pek@x.io")
        with engine.begin() as connection:
            connection.execute(update(clients).where(clients.c.id == first).values(first_name="ŁUCJA"))
            connection.execute(update(clients).where(clients.c.id == second).values(last_name="\u212aOWAL"))
        folded = read("SELECT id, folded_text FROM clients ORDER BY id")
        found = read("SELECT rowid FROM client_search WHERE client_search MATCH '\"kowal\"'")
        indexes = dict(
            read("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'clients' AND sql IS NOT NULL")
        )
        snapshots = read("SELECT client_id FROM client_activity")
        broken = read("PRAGMA foreign_key_check")
        downgrade_database(url, "0028_folded_search_texts")
        columns = {column["name"] for column in inspect(engine).get_columns("clients")}
        third = insert_client(engine, "ela@x.io")
        downgraded = dict(read("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'clients'"))
        kept = read("SELECT id, email FROM clients ORDER BY id")
    finally:
        engine.dispose()

    assert (first, second, third) == (1, 2, 3)
    assert folded == [(1, "Łucja nowak\x1fola@firma.pl"), (2, "anna kowal\x1fi\u0307pek@x.io")]
    assert found == [(2,)]
    assert snapshots == [(1,)] and broken == []
    for name in ("ix_clients_lower_last_name", "ix_clients_lower_first_name"):
        assert indexes[name].endswith(", id, folded_text)"), indexes[name]
        assert downgraded[name].endswith(", id, first_name, last_name, email)"), downgraded[name]
    assert {"client_search_added", "client_search_changed", "client_search_removed"} <= set(downgraded)
    assert "folded_text" not in columns
    assert kept == [(1, "Ola@Firma.PL"), (2, "\u0130pek@x.io"), (3, "ela@x.io")]


def test_sqlite_indexes_the_sorts_by_registration_and_email_with_the_folded_text_and_drops_them_going_back(
    tmp_path: Path,
) -> None:
    """Migration 0030_sqlite_folded_sort_indexes gives the sorts by registration and by email indexes that
    hold each client's folded text, beside the indexes the tables describe; going back drops them."""
    url = f"sqlite:///{tmp_path / 'sorts.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)

    def indexes() -> dict[str, str]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
            return {name: sql for name, sql in rows}

    try:
        upgraded = indexes()
        downgrade_database(url, "0029_sqlite_folded_text")
        downgraded = indexes()
    finally:
        engine.dispose()

    assert upgraded["ix_clients_registered_on_folded"].endswith("(registered_on, id, folded_text)")
    assert upgraded["ix_clients_email_key_folded"].endswith("(email_key, id, folded_text)")
    assert set(upgraded) - set(downgraded) == set(SQLITE_FOLDED_SORT_INDEXES)
    assert {"ix_clients_registered_on", "uq_clients_email_key"} <= set(downgraded)


def test_postgresql_indexes_the_clients_by_id_with_their_folded_texts_and_drops_it_going_back(
    empty_postgres_url: str,
) -> None:
    """Migration 0031_clients_folded_by_id: an index of the clients by id that holds their
    folded name and email, beside the indexes the tables describe; going back drops it."""
    upgrade_database(empty_postgres_url)
    engine = make_engine(empty_postgres_url)

    try:
        upgraded = postgresql_indexes_of_clients(engine)
        downgrade_database(empty_postgres_url, "0030_sqlite_folded_sort_indexes")
        downgraded = postgresql_indexes_of_clients(engine)
    finally:
        engine.dispose()

    assert upgraded[POSTGRESQL_FOLDED_BY_ID_INDEX].endswith("(id) INCLUDE (folded_name, folded_email)")
    assert set(upgraded) - set(downgraded) == {POSTGRESQL_FOLDED_BY_ID_INDEX}


def test_the_scored_list_gets_each_clients_folded_text_in_its_indexes_by_prediction_and_loses_it_going_back(
    empty_database_url: str,
) -> None:
    """Migration 0032_scored_list_folded_text: a list written before holds its clients' folded texts, as
    a list written now does, and its indexes in a prediction's order hold them; going back, as before."""
    upgrade_database(empty_database_url, "0031_clients_folded_by_id")
    engine = make_engine(empty_database_url)
    table = scored_client_list.name
    try:
        client_id = insert_client(engine, email="Ana.WIŚNIEWSKA@Example.pl")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO scored_client_list (client_id, last_name_key, first_name_key, email_key,"
                    " registered_on, value) VALUES (:client_id, 'x', 'x', 'x', :registered_on, 10)"
                ),
                {"client_id": client_id, "registered_on": date(2024, 1, 1)},
            )
        upgrade_database(empty_database_url)
        with engine.connect() as connection:
            folded = connection.execute(select(scored_client_list.c.folded_text)).scalar_one()
            as_written_now = connection.execute(select(folded_text_of(clients.c.first_name))).scalar_one()
            found = connection.execute(
                select(folded_text_holds("wiśniewska", scored_client_list.c.folded_text))
            ).scalar_one()
        upgraded = {index["name"]: index["column_names"] for index in inspect(engine).get_indexes(table)}
        downgrade_database(empty_database_url, "0031_clients_folded_by_id")
        inspector = inspect(engine)
        columns = {column["name"] for column in inspector.get_columns(table)}
        downgraded = {index["name"]: index["column_names"] for index in inspector.get_indexes(table)}
    finally:
        engine.dispose()

    assert folded == as_written_now
    assert folded.startswith("anna nowak\x1fana.wi")
    assert found
    assert upgraded["ix_scored_client_list_value"] == [
        "value",
        "client_id",
        "will_buy",
        "expected_value",
        "folded_text",
    ]
    assert upgraded["ix_scored_client_list_probability"][-1] == "folded_text"
    assert upgraded["ix_scored_client_list_expected_value"][-1] == "folded_text"
    assert upgraded["ix_scored_client_list_last_name_key"][-1] != "folded_text"
    assert "folded_text" not in columns
    assert downgraded["ix_scored_client_list_value"] == ["value", "client_id", "will_buy", "expected_value"]
    assert set(downgraded) == set(upgraded)
