"""The client list's search goes through the search index (migration 0016_client_search): the plans of
the statements a search runs read the FTS5 table on SQLite, and the trigram indexes on PostgreSQL can
serve them (the expressions they index are the ones searched)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.sqlalchemy import clients as sqlalchemy_clients
from adapters.sqlalchemy import engine as engine_module
from adapters.sqlalchemy import statements
from adapters.sqlalchemy.engine import make_engine, make_session_factory
from adapters.sqlalchemy.statements import CASED_BELOW, FOLDING_TO_ASCII
from adapters.sqlalchemy.tables import POSTGRESQL_FOLDED_BY_ID_INDEX
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import ClientListQuery
from application.queries import ClientListItem, Page
from contract.examples import a_client, a_forecast, id_of
from domain.segments import SegmentRule
from recorded_sql import statements_run


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(request.getfixturevalue("sqlite_url"))
        yield engine
        engine.dispose()
    else:
        yield request.getfixturevalue("postgres_engine")


def reads_clients(statement: str) -> bool:
    """Whether `statement` reads the clients, the scored clients' list or the predictions."""
    read = any(table in statement for table in ("clients", "scored_client_list", "predictions"))
    return statement.lstrip().upper().startswith("SELECT") and read


def statements_of_a_search(engine: Engine, q: str, total: int = 30) -> list[tuple[str, Any]]:
    """The SELECTs the client list runs for `?q=`, with their parameters."""
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        uow.clients.add_many([a_client(f"Klient{n}", last_name=f"Kowalski{n}") for n in range(30)])
        uow.commit()
    with statements_run(engine, reads_clients) as seen, SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(ClientListQuery(q=q), SegmentRule())
    assert page.total == total
    return seen


def a_bounded_search(
    engine: Engine, query: ClientListQuery, scored_list_kept: bool = False
) -> tuple[Page[ClientListItem], list[tuple[str, Any]]]:
    """The page of `query` among ten Abacki and thirty Kowalski, counted up to 5, and the SELECTs it ran.
    Each client has a forecast, falling as they were added; the scored clients' list is written from them
    when `scored_list_kept`."""
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        added = uow.clients.add_many([a_client(f"Ala{n}", last_name=f"Abacki{n}") for n in range(10)])
        added += uow.clients.add_many([a_client(f"Klient{n}", last_name=f"Kowalski{n}") for n in range(30)])
        forecasts = [a_forecast(id_of(client), 1000.0 - n) for n, client in enumerate(added)]
        uow.predictions.add_many(forecasts, [])
        uow.commit()
    if scored_list_kept:
        with SqlAlchemyUnitOfWork(session_factory) as uow:
            uow.clients.keep_scored_list()
            uow.commit()
    with statements_run(engine, reads_clients) as seen, SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(query, SegmentRule(), count_searches_up_to=5)
    return page, seen


SORT_INDEXES = [
    "ix_clients_lower_first_name",
    "ix_clients_lower_last_name",
    "ix_clients_registered_on",
    "uq_clients_email_key",
    POSTGRESQL_FOLDED_BY_ID_INDEX,
]
"""PostgreSQL's indexes of the sorts by a client's own column, and of the clients by id, which hold the
folded texts a search checks."""

ACTUAL_ROWS = re.compile(r"actual time=\S+ rows=(\d+)")
"""The rows a step of a plan run (EXPLAIN ANALYZE) gave."""


def plan(engine: Engine, statement: str, parameters: Any, analyze: bool = False) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
        # A few rows are cheapest read in full, or through an index that holds every name and email
        # folded (dropped here, and back when the connection rolls back): the question is whether the
        # trigram indexes can serve the search.
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql(f"DROP INDEX {', '.join(SORT_INDEXES)}")
        rows = connection.exec_driver_sql(f"EXPLAIN {'(ANALYZE) ' if analyze else ''}{statement}", parameters)
        return "\n".join(str(row[0]) for row in rows)


def test_a_search_of_three_letters_or_more_reads_the_search_index(engine: Engine) -> None:
    statements = statements_of_a_search(engine, "owalsk")

    plans = [plan(engine, statement, parameters) for statement, parameters in statements]
    assert plans, "the search ran no SELECT"
    if engine.dialect.name == "sqlite":  # the candidates are always the FTS5 table's, looked up by id
        searching = [
            each for (statement, _), each in zip(statements, plans, strict=True) if "MATCH" in statement
        ]
        assert len(searching) == 2, plans  # the count and the page
        assert all("client_search VIRTUAL TABLE INDEX" in each for each in searching), plans
        assert all("SCAN clients" not in each for each in searching), plans
    else:  # the count can be served by the trigram indexes; the page is the planner's call, by its statistics
        count, *_ = plans
        assert "Bitmap Index Scan on ix_clients_name_trigrams" in count, count


@pytest.mark.parametrize("q", ["ow", "w"])
def test_on_sqlite_a_shorter_text_held_by_few_rows_reads_the_search_index(sqlite_url: str, q: str) -> None:
    """Its candidates are the rows holding a trigram that begins with it, read from the index alone."""
    engine = make_engine(sqlite_url)
    statements = statements_of_a_search(engine, q)

    plans = [plan(engine, statement, parameters) for statement, parameters in statements]
    engine.dispose()
    searching = [each for (statement, _), each in zip(statements, plans, strict=True) if "MATCH" in statement]
    assert len(searching) == 2, plans  # the count and the page
    assert all("client_search VIRTUAL TABLE INDEX" in each for each in searching), plans
    assert all("SCAN clients" not in each for each in searching), plans


def test_on_sqlite_a_shorter_text_held_by_many_rows_reads_the_clients(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More rows hold a trigram beginning with "ow" than a search sorts: its matches are common, and so
    found soon among every client read in order."""
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 29)
    engine = make_engine(sqlite_url)
    statements = statements_of_a_search(engine, "ow")
    engine.dispose()

    assert statements
    assert not any("MATCH" in statement for statement, _ in statements)


@pytest.mark.parametrize(("held_by_at_most", "reads_the_index"), [(30, True), (29, False)])
def test_on_sqlite_a_page_a_walk_gave_up_on_reads_a_common_shorter_texts_candidates_unless_too_many(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, held_by_at_most: int, reads_the_index: bool
) -> None:
    """ "ow" is held by more rows (30) than a search sorts, so it is walked by forecast (a walk by a
    client's own column never gives up); the walk gives up after two clients (neither a match), and the page
    is read from the index's candidates when no more rows than `SORTED_ALL_AT_MOST` hold its trigrams,
    else from every client."""
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 29)
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_ALL_AT_MOST", held_by_at_most)
    monkeypatch.setattr(sqlalchemy_clients, "WALKED_AT_LEAST", 2)
    monkeypatch.setattr(sqlalchemy_clients, "WALKED_PER_CLIENT", 0)
    monkeypatch.setattr(sqlalchemy_clients, "WALKED_FURTHER", 1)
    engine = make_engine(sqlite_url)
    page, seen = a_bounded_search(engine, ClientListQuery(q="ow", sort="-predicted_sales", per_page=5))
    engine.dispose()

    page_read, _ = seen[-2]  # the last reads the page's clients with their predictions
    assert [item.client.last_name for item in page.items] == [f"Kowalski{n}" for n in range(5)]
    assert ("MATCH" in page_read) is reads_the_index, page_read


@pytest.mark.parametrize(
    ("sort", "index", "gathered_us", "among_candidates"),
    [
        ("-predicted_sales", "ix_sales_predictions_current_value", 0.1, True),
        ("-predicted_sales", "ix_sales_predictions_current_value", 1.0, False),
        ("last_name", "ix_clients_lower_last_name", 0.1, False),
        ("registered_on", "ix_clients_registered_on_folded", 0.1, False),
        ("-email", "ix_clients_email_key_folded", 0.1, False),
    ],
)
def test_on_sqlite_a_walk_looks_among_the_candidates_first_where_that_spares_more_than_it_costs(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
    index: str,
    gathered_us: float,
    among_candidates: bool,
) -> None:
    """Thirty candidates among forty clients: a walk to the sixth match passes about eight clients, whose
    rows spare 10.8 us, where gathering the candidates costs 3 us at 0.1 us each and 30 us at 1 us. The
    walk follows its sort's index either way, and only a candidate's row is read when it looks among them.
    The indexes by name, registration and email hold the folded text: their walks read no row, nor look
    among the candidates."""
    monkeypatch.setattr(sqlalchemy_clients, "CANDIDATE_GATHERED_US", gathered_us)
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 29)
    engine = make_engine(sqlite_url)
    page, seen = a_bounded_search(engine, ClientListQuery(q="owalsk", sort=sort, per_page=5))
    walk, parameters = seen[-2]  # the last reads the page's clients with their predictions
    walked = plan(engine, walk, parameters)
    engine.dispose()

    assert len(page.items) == 5
    assert "LIMIT" in walk and "OFFSET" in walk, walk
    assert ("MATCH" in walk) is among_candidates, walk
    assert index in walked, walked


def test_on_sqlite_a_search_sorted_by_forecast_reads_the_forecasts_by_client_and_counts_nothing_more(
    sqlite_url: str,
) -> None:
    """Thirty matches, fewer than a search sorts: each is read with its forecast from the index of the
    current values by client (not from the forecast's row), and sorted; a later page does not count the
    predicted matches first, which would only read them all once more."""
    engine = make_engine(sqlite_url)
    query = ClientListQuery(q="owalsk", sort="-predicted_sales", page=2, per_page=5)
    page, seen = a_bounded_search(engine, query)
    page_read, parameters = seen[-2]  # the last reads the page's clients with their predictions
    planned = plan(engine, page_read, parameters)
    engine.dispose()

    assert [item.client.last_name for item in page.items] == [f"Kowalski{n}" for n in range(5, 10)]
    assert "COVERING INDEX ix_sales_predictions_current_value_by_client" in planned, planned
    assert not any("count(" in sql and "sales_predictions" in sql for sql, _ in seen), seen


@pytest.mark.parametrize(
    ("sort", "first_matches"),
    [
        ("last_name", [0, 1, 10, 11, 12]),
        ("registered_on", [0, 1, 2, 3, 4]),
        ("-email", [9, 8, 7, 6, 5]),
    ],
)
def test_a_walk_by_a_clients_own_column_never_looks_for_its_end(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, sort: str, first_matches: list[int]
) -> None:
    """Forty clients, a walk of 50,000 at least. The indexes of these sorts hold each client's folded text:
    such a walk never stops short, and so has no end to look for (a walk by a prediction looks for it, as
    `test_on_sqlite_a_page_a_walk_gave_up_on_reads_a_common_shorter_texts_candidates_unless_too_many`
    shows)."""
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 10)
    page, seen = a_bounded_search(engine, ClientListQuery(q="owalsk", sort=sort, per_page=5))
    walk, _ = seen[-2]  # the last reads the page's clients with their predictions
    ends = [sql for sql, _ in seen if "OFFSET" in sql and "folded" not in sql]

    assert [item.client.last_name for item in page.items] == [f"Kowalski{n}" for n in first_matches]
    assert "folded" in walk and "OFFSET" in walk, walk
    assert ends == [], ends


@pytest.mark.parametrize("sort", ["-predicted_sales", "predicted_sales"])
def test_a_walk_through_the_scored_list_never_looks_for_its_end(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """As by a client's own column: the index of the forecast in the scored clients' list holds each
    client's folded text."""
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 10)
    query = ClientListQuery(q="owalsk", sort=sort, per_page=5, page=2)
    page, seen = a_bounded_search(engine, query, scored_list_kept=True)
    [walk] = [sql for sql, _ in seen if "FROM scored_client_list" in sql]
    ends = [sql for sql, _ in seen if "OFFSET" in sql and "count(" not in sql and sql != walk]

    matches = [f"Kowalski{n}" for n in range(30)]
    assert [item.client.last_name for item in page.items] == (matches if sort[0] == "-" else matches[::-1])[
        5:10
    ]
    assert "OFFSET" in walk, walk
    assert ends == [], ends


@pytest.mark.postgres
@pytest.mark.parametrize(("q", "total"), [("ow", 30), ("Ki", 30), ("qx", 0)])
def test_on_postgresql_a_text_of_two_letters_is_counted_through_the_trigram_indexes(
    postgres_engine: Engine, q: str, total: int
) -> None:
    """As followed by any letter of the clients' names and emails, or ending either (migration
    0027_search_letters): the indexes give only the clients holding it. Before, a text of two letters
    was a LIKE they extract no trigram from, and each of them gave every client."""
    statements = statements_of_a_search(postgres_engine, q, total)

    counted = next((sql, parameters) for sql, parameters in statements if "client_search_letters" in sql)
    count = plan(postgres_engine, *counted, analyze=True)
    index_scans = [line for line in count.splitlines() if "Bitmap Index Scan on ix_clients_" in line]
    assert any("name_trigrams" in line for line in index_scans), count
    assert any("email_trigrams" in line for line in index_scans), count
    given = {int(match[1]) for line in index_scans if (match := ACTUAL_ROWS.search(line))}
    assert given <= {0, total}, count


@pytest.mark.postgres
@pytest.mark.parametrize(("q", "total", "through_the_indexes"), [("ow", 30, False), ("qx", 0, True)])
def test_on_postgresql_a_text_of_two_letters_too_many_clients_contain_is_read_in_order(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch, q: str, total: int, through_the_indexes: bool
) -> None:
    """More of the clients sampled contain "ow" than a search sorts: it is found soon among every client
    read in order, where its indexes would give every trigram that begins with it."""
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 10)
    statements = statements_of_a_search(postgres_engine, q, total)

    assert any("client_search_letters" in sql for sql, _ in statements) is through_the_indexes


@pytest.mark.postgres
@pytest.mark.parametrize(("per_page", "walked"), [(5, True), (50, False)])
def test_on_postgresql_a_longer_text_is_counted_up_to_the_bound_and_walked_by_a_prediction_where_that_pays(
    postgres_engine: Engine, per_page: int, walked: bool
) -> None:
    """Thirty of forty clients contain "owalsk", the sample being every client. The text is counted up to the
    page's bound (5) alone, and its page by falling forecast walked when the sample says that reads less than
    sorting every match: the 6 clients of a page of 5 and one more lie about 8 clients in, against 30
    matches sorted at 2 clients walked each; the 51 of a page of 50, about 68 in. (A numbered page by name
    is judged on the sample otherwise, below.)"""
    query = ClientListQuery(q="owalsk", sort="-predicted_sales", per_page=per_page)
    page, seen = a_bounded_search(postgres_engine, query)
    sampled, counted, *_ = (statement for statement in seen if "count(" in statement[0])
    sorted_apart = [sql for sql, _ in seen if "coalesce(current_sales.value, current_sales.value)" in sql]

    assert "TABLESAMPLE" in sampled[0]
    assert 6 in counted[1].values(), counted
    assert bool(sorted_apart) is not walked, sorted_apart
    assert [item.client.last_name for item in page.items] == [
        f"Kowalski{n}" for n in range(min(per_page, 30))
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(("scored_list_kept", "walked"), [(False, True), (True, False)])
def test_on_postgresql_a_walk_through_the_scored_list_is_weighed_at_its_own_cost(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch, scored_list_kept: bool, walked: bool
) -> None:
    """As above, a page of 25: its 26 clients lie about 35 in, against 30 matches sorted. Walked at a
    hundred clients for each match sorted, sorted at one: the scored clients' list's cost
    (`WALKED_IN_SCORED_LIST_PER_SORTED_MATCH`) is the one weighed while the list is kept."""
    monkeypatch.setattr(sqlalchemy_clients, "WALKED_BY_PREDICTION_PER_SORTED_MATCH", 100)
    monkeypatch.setattr(sqlalchemy_clients, "WALKED_IN_SCORED_LIST_PER_SORTED_MATCH", 1)
    query = ClientListQuery(q="owalsk", sort="-predicted_sales", per_page=25)
    page, seen = a_bounded_search(postgres_engine, query, scored_list_kept=scored_list_kept)
    sorted_apart = [sql for sql, _ in seen if "coalesce(current_sales.value, current_sales.value)" in sql]

    assert bool(sorted_apart) is not walked, sorted_apart
    assert [item.client.last_name for item in page.items] == [f"Kowalski{n}" for n in range(25)]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("last_name", "ix_clients_lower_last_name"),
        ("-registered_on", "ix_clients_registered_on"),
        ("email", "uq_clients_email_key"),
    ],
)
def test_on_postgresql_a_walk_by_a_clients_own_column_checks_each_client_from_the_index_alone(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch, sort: str, index: str
) -> None:
    """The indexes of these sorts hold each client's full name and email folded."""
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 10)
    _, seen = a_bounded_search(postgres_engine, ClientListQuery(q="owalsk", sort=sort, per_page=5))
    walk, parameters = seen[-2]  # the last reads the page's clients with their predictions
    with postgres_engine.connect() as connection:  # forty clients: any plan is cheap; the walk's is asked for
        for plan_kind in ("seqscan", "bitmapscan", "sort"):
            connection.exec_driver_sql(f"SET enable_{plan_kind} = off")
        planned = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {walk}", parameters))

    assert "folded_name" in walk and "LIMIT" in walk, walk
    assert (
        f"Index Only Scan Backward using {index}" in planned or f"Index Only Scan using {index}" in planned
    ), planned


@pytest.mark.postgres
def test_postgresql_plans_every_statement_for_its_own_values(postgres_url: str) -> None:
    """psycopg would prepare a statement run five times on a connection; a generic plan kept for every text
    would suit one search and not another. The server's own statements (a foreign key's check) keep the
    default, which plans them once."""
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        for _ in range(7):
            prepared = connection.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar_one()
        setting = connection.exec_driver_sql("SHOW plan_cache_mode").scalar_one()
    engine.dispose()

    assert prepared == 0
    assert setting == "auto"


def test_the_letters_beyond_ascii_whose_lower_case_holds_an_ascii_one_are_the_two_named() -> None:
    """What lets SQLite's built-in LIKE decide an ASCII search: checked against this Python's Unicode."""
    beyond_ascii = (chr(code) for code in range(0x80, 0x110000) if not 0xD800 <= code < 0xE000)

    assert {letter for letter in beyond_ascii if any(each.isascii() for each in letter.lower())} == set(
        FOLDING_TO_ASCII
    )


@pytest.mark.parametrize(
    ("q", "spellings_at_most", "folded_in_python"),
    [("ow", 4, 0), ("kowal", 4, 0), ("łow", 4, 0), ("łow", 1, 2 * 30)],
)
def test_sqlite_folds_in_python_only_a_search_of_more_spellings_than_it_looks_for(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, q: str, spellings_at_most: int, folded_in_python: int
) -> None:
    """A search is decided by the engine's own `instr` in each client's folded text, where ASCII letters,
    İ and the Kelvin sign are already folded (here the surname beginning with the Kelvin sign is found),
    for each spelling of a text beyond ASCII (`łow`, `Łow`). A text of more spellings than
    `SPELLINGS_AT_MOST` folds in Python the text of every client it reads (the search index's candidates,
    for three letters or more), once for the count and once for the page."""
    monkeypatch.setattr(statements, "SPELLINGS_AT_MOST", spellings_at_most)
    calls: list[object] = []

    def counted_lower(value: object) -> object:
        calls.append(value)
        return value.lower() if isinstance(value, str) else value

    monkeypatch.setattr(engine_module, "_lower", counted_lower)
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        uow.clients.add_many([a_client(f"Klient{n}", last_name=f"Łowicki{n}") for n in range(30)])
        uow.clients.add(a_client("Jan", last_name="\u212aowalski", email="jan@example.pl"))
        uow.commit()
    calls.clear()
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(ClientListQuery(q=q, per_page=100), SegmentRule())
    engine.dispose()

    assert page.total == {"ow": 31, "kowal": 1, "łow": 30}[q]
    assert len(calls) == folded_in_python


def test_every_character_whose_lower_case_is_another_lies_where_its_cases_are_looked_for() -> None:
    """`_cases_folding_to` looks below `CASED_BELOW` alone: checked against this Python's Unicode."""
    assert all(chr(code).lower() == chr(code) for code in range(CASED_BELOW, sys.maxunicode + 1))


UNICODE_CLIENTS = [
    ("Łukasz", "Wójcik", "lukasz@example.pl"),
    ("ŁUKASZ", "WÓJCIK", "LW@EXAMPLE.PL"),
    ("Jörg", "Straße", "joerg@example.de"),
    ("JÖRG", "STRAẞE", "js@example.de"),
    ("Νίκος", "ΟΔΟΣ", "nikos@example.gr"),
    ("Σοφία", "Σίσσου", "sofia@example.gr"),
    ("İpek", "\u212aaya", "ipek@example.tr"),
    ("Ǆemal", "ǅukić", "dz@example.ba"),
]


@pytest.mark.parametrize(
    "q",
    [
        "ł",
        "Łu",
        "wójcik",
        "ó",
        "straße",
        "ß",
        "jörg straße",
        "σ",
        "ς",
        "ος",
        "οδος",
        "i\u0307pek",
        "kaya",
        "ǆ",
    ],
)
def test_sqlite_finds_a_text_beyond_ascii_where_python_folded_finds_it(sqlite_url: str, q: str) -> None:
    """Whichever way the text is looked for (each of its spellings, or folded in Python), the clients found
    are those whose full name or email, folded by str.lower, holds it folded."""
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        added = uow.clients.add_many(
            [a_client(first, last_name=last, email=email) for first, last, email in UNICODE_CLIENTS]
        )
        uow.commit()
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(ClientListQuery(q=q, per_page=100), SegmentRule())
    engine.dispose()

    expected = {
        client.id
        for client in added
        if q.lower() in f"{client.first_name} {client.last_name}".lower() or q.lower() in client.email.lower()
    }
    assert expected, "every text here is held by a client"
    assert {item.client.id for item in page.items} == expected


@pytest.mark.postgres
@pytest.mark.parametrize(("walked_per_sorted_match", "walked"), [(12, True), (0.5, False)])
def test_on_postgresql_a_numbered_page_is_walked_only_when_the_sample_finds_the_walk_reads_less(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch, walked_per_sorted_match: float, walked: bool
) -> None:
    """Ten Abacki, then thirty Kowalski who contain "owalsk", every one of them sampled: the first page's
    walk by last name passes sixteen clients to its end (five and one more), where sorting reads thirty
    matches, each costing `WALKED_PER_SORTED_MATCH` clients walked."""
    monkeypatch.setattr(sqlalchemy_clients, "WALKED_PER_SORTED_MATCH", walked_per_sorted_match)
    page, seen = a_bounded_search(postgres_engine, ClientListQuery(q="owalsk", per_page=5))
    page_read, _ = seen[-2]  # the last reads the page's clients with their predictions

    assert [item.client.last_name for item in page.items] == [f"Kowalski{n}" for n in (0, 1, 10, 11, 12)]
    assert ("coalesce(lower" not in page_read) is walked, page_read


def test_on_sqlite_the_candidates_of_a_text_beyond_the_counted_are_estimated_from_the_ids_reached(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every other of forty clients holds "owalsk": counted up to ten, the index's candidates reach the
    twentieth id, so there are about twenty; up to thirty, they are counted."""
    engine = make_engine(sqlite_url)
    session_factory = make_session_factory(engine)
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        names = [f"Kowalski{n}" if n % 2 else f"Abacki{n}" for n in range(40)]
        uow.clients.add_many([a_client(f"Klient{n}", last_name=name) for n, name in enumerate(names)])
        uow.commit()
    held = {}
    for counted_up_to in (9, 30):
        monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", counted_up_to)
        with SqlAlchemyUnitOfWork(session_factory) as uow:
            held[counted_up_to] = uow.clients._candidates_held("owalsk")  # type: ignore[attr-defined]
    engine.dispose()

    assert held == {9: 20, 30: 20}


@pytest.mark.postgres
@pytest.mark.parametrize(("walked_per_sorted_match", "walked"), [(12, True), (0.1, False)])
def test_on_postgresql_a_page_after_a_position_is_judged_on_the_sample_from_that_position(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch, walked_per_sorted_match: float, walked: bool
) -> None:
    """The page after Kowalski12 by last name: its walk passes the six clients to its end (five and one
    more), where sorting reads thirty matches; walked at twelve clients a match sorted, sorted at a
    tenth of one."""
    monkeypatch.setattr(sqlalchemy_clients, "WALKED_PER_SORTED_MATCH", walked_per_sorted_match)
    first, _ = a_bounded_search(postgres_engine, ClientListQuery(q="owalsk", per_page=5))
    assert first.next is not None
    session_factory = make_session_factory(postgres_engine)
    query = ClientListQuery(q="owalsk", per_page=5, after=first.next)
    with statements_run(postgres_engine, reads_clients) as seen, SqlAlchemyUnitOfWork(session_factory) as uow:
        page = uow.clients.list(query, SegmentRule(), count_searches_up_to=5)
    page_read, _ = seen[-2]  # the last reads the page's clients with their predictions

    assert [item.client.last_name for item in page.items] == [f"Kowalski{n}" for n in (13, 14, 15, 16, 17)]
    assert ("coalesce(lower" not in page_read) is walked, page_read


@pytest.mark.postgres
def test_on_postgresql_a_walk_by_a_prediction_checks_each_client_from_the_index_of_their_folded_texts(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty clients, walked by falling forecast: each client passed is checked from the index of the clients
    by id holding their folded name and email (migration 0031_clients_folded_by_id), not from its row."""
    monkeypatch.setattr(sqlalchemy_clients, "SORTED_MATCHES_AT_MOST", 10)
    page, seen = a_bounded_search(
        postgres_engine, ClientListQuery(q="owalsk", sort="-predicted_sales", per_page=5)
    )
    walk, parameters = seen[-2]  # the last reads the page's clients with their predictions
    with postgres_engine.connect() as connection:
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin", "enable_bitmapscan"):
            connection.exec_driver_sql(f"SET {setting} = off")
        walked = "\n".join(str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {walk}", parameters))

    assert [item.client.last_name for item in page.items] == [f"Kowalski{n}" for n in range(5)]
    assert "current_sales" in walk and "OFFSET" in walk, walk
    assert re.search(
        f"Index Only Scan (Backward )?using {POSTGRESQL_FOLDED_BY_ID_INDEX} on clients", walked
    ), walked
