"""The scored clients' list (`scored_client_list`): once a batch scoring has ended, the client list
filtered by a prediction reads its pages from it (sorted by a client's own column, when that is quicker),
and they are the pages the predictions themselves give; once a client or a prediction changes, the list
reads the predictions again until the scored list is written anew."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from adapters.sqlalchemy import clients as sql_clients
from adapters.sqlalchemy.engine import make_engine, make_session_factory
from adapters.sqlalchemy.tables import kept_summaries, scored_client_list
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import ClientListQuery, position_token
from application.queries import ClientListItem, Page
from contract.examples import a_client, a_forecast, a_purchase_prediction, id_of, later
from domain.clients import Client
from domain.errors import ClientNotFound
from domain.predictions import DecisionThreshold, ScoredBatch
from domain.segments import Segment, SegmentRule
from domain.tiers import ContactTier, TierCuts
from recorded_sql import statements_run

RULE = SegmentRule(medium_from=300, high_from=1000)
TIERS = TierCuts(top_above=600, next_above=300, third_above=100)
SURNAMES = ["Nowak", "nowak", "Kowalski", "Wiśniewska", "Zając", "Ąbel", "Lis", "Lis"]
QUERIES = [
    {"segment": Segment.HIGH},
    {"segment": Segment.LOW},
    {"will_buy": True},
    {"will_buy": False},
    {"tier": ContactTier.REST},
    {"tier": ContactTier.TOP},
    {"segment": Segment.MEDIUM, "will_buy": True},
]
SORTS = ["last_name", "-last_name", "first_name", "-email", "registered_on", "-registered_on"]
PREDICTION_SORTS = [
    "predicted_sales",
    "-predicted_sales",
    "purchase_probability",
    "-purchase_probability",
    "expected_value",
    "-expected_value",
]
PER_PAGE = 7

UnitOfWorkFactory = Callable[[], SqlAlchemyUnitOfWork]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> UnitOfWorkFactory:
    session_factory = make_session_factory(engine)
    return lambda: SqlAlchemyUnitOfWork(session_factory)


@pytest.fixture
def client_ids(uow_factory: UnitOfWorkFactory) -> list[int]:
    """60 clients with names, emails and registration days that tie in many ways; of them 50 predicted
    (once before their current predictions), a few without a worth recorded, and 5 predicted one way
    only."""
    rng = random.Random(14)
    with uow_factory() as uow:
        clients = uow.clients.add_many(
            [
                a_client(
                    rng.choice(["Anna", "anna", "Ewa", "Łucja", "Zofia"]),
                    last_name=rng.choice(SURNAMES),
                    email=f"k{n:02d}@example.pl",
                    registered_on=date(2024, 1, 1) + timedelta(days=rng.randrange(4)),
                )
                for n in range(60)
            ]
        )
        ids = [id_of(client) for client in clients]
        predicted = ids[:50]
        uow.predictions.add_many(
            [a_forecast(client_id, 5000.0) for client_id in predicted],
            [a_purchase_prediction(client_id, 0.99) for client_id in predicted],
        )
        values = {
            client_id: rng.choice([0.0, 120.0, 299.99, 300.0, 999.0, 1000.0, 2500.0])
            for client_id in predicted
        }
        chances = {client_id: rng.choice([0.1, 0.5, 0.7, 0.9]) for client_id in predicted}
        uow.predictions.add_many(
            [a_forecast(client_id, values[client_id], made_at=later(1)) for client_id in predicted],
            [
                a_purchase_prediction(
                    client_id,
                    chances[client_id],
                    made_at=later(1),
                    expected_value=None if client_id % 9 == 0 else chances[client_id] * values[client_id],
                )
                for client_id in predicted
            ],
        )
        uow.predictions.add_many(
            [a_forecast(ids[50], 2500.0), a_forecast(ids[51], 0.0)],
            [
                a_purchase_prediction(ids[52], 0.9, expected_value=450.0),
                a_purchase_prediction(ids[53], 0.1, expected_value=20.0),
                a_purchase_prediction(ids[54], 0.8),
            ],
        )
        uow.commit()
    return ids


def kept(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.clients.keep_scored_list()
        uow.commit()


@pytest.fixture
def in_list_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every filtered list sorted by a client's own column is read in its order."""
    monkeypatch.setattr(sql_clients, "_reads_in_list_order", lambda *args: True)


def every_way_of_reading(uow_factory: UnitOfWorkFactory, **query: Any) -> list[list[int]]:
    """The list's pages read by number, forwards by their next links, backwards by their previous links."""

    def page(**asked: Any) -> Page[ClientListItem]:
        with uow_factory() as uow:
            return uow.clients.list(ClientListQuery(per_page=PER_PAGE, **query, **asked), RULE, tiers=TIERS)

    first = page()
    numbered = [first] + [page(page=number) for number in range(2, first.pages + 1)]
    forwards = [first]
    while forwards[-1].next is not None:
        forwards.append(page(after=position_token(forwards[-1].next)))
    backwards = [forwards[-1]]
    while backwards[-1].previous is not None:
        backwards.append(page(before=position_token(backwards[-1].previous)))
    ways = [numbered, forwards, backwards[::-1]]
    return [[item.client.id or 0 for each in pages for item in each.items] for pages in ways]


def reads_the_scored_list(engine: Engine, uow_factory: UnitOfWorkFactory, **query: Any) -> bool:
    with statements_run(engine) as run, uow_factory() as uow:
        uow.clients.list(ClientListQuery(per_page=PER_PAGE, **query), RULE, tiers=TIERS)
    return any("FROM scored_client_list" in statement for statement, _ in run)


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: ",".join(f"{k}={v}" for k, v in query.items()))
def test_pages_read_from_the_scored_list_are_those_the_predictions_give(
    engine: Engine,
    uow_factory: UnitOfWorkFactory,
    client_ids: list[int],
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, Any],
) -> None:
    def read_in_list_order(yes: bool) -> dict[str, list[list[int]]]:
        monkeypatch.setattr(sql_clients, "_reads_in_list_order", lambda *args: yes)
        return {sort: every_way_of_reading(uow_factory, sort=sort, **query) for sort in SORTS}

    through_the_filters = read_in_list_order(False)
    checked_among_the_predictions = read_in_list_order(True)
    kept(uow_factory)
    from_the_scored_list = read_in_list_order(True)

    assert reads_the_scored_list(engine, uow_factory, **query)
    assert from_the_scored_list == through_the_filters
    assert checked_among_the_predictions == through_the_filters
    read_alike_every_way(through_the_filters)


def read_alike_every_way(pages_by_sort: dict[str, list[list[int]]]) -> None:
    for sort, ways in pages_by_sort.items():
        numbered, forwards, backwards = ways
        assert numbered == forwards == backwards, sort
        assert len(set(numbered)) == len(numbered), sort
    assert any(ways[0] for ways in pages_by_sort.values()), "some clients match"


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: ",".join(f"{k}={v}" for k, v in query.items()))
def test_pages_sorted_by_a_prediction_read_from_the_scored_list_are_those_the_predictions_give(
    engine: Engine, uow_factory: UnitOfWorkFactory, client_ids: list[int], query: dict[str, Any]
) -> None:
    def every_sort() -> dict[str, list[list[int]]]:
        return {sort: every_way_of_reading(uow_factory, sort=sort, **query) for sort in PREDICTION_SORTS}

    from_the_predictions = every_sort()
    kept(uow_factory)
    from_the_scored_list = every_sort()

    for sort in PREDICTION_SORTS:
        assert reads_the_scored_list(engine, uow_factory, sort=sort, **query), sort
    assert from_the_scored_list == from_the_predictions
    read_alike_every_way(from_the_predictions)


def test_clients_predicted_one_way_only_come_last_when_sorted_by_the_other(
    uow_factory: UnitOfWorkFactory, client_ids: list[int]
) -> None:
    kept(uow_factory)
    with uow_factory() as uow:
        by_probability = uow.clients.list(
            ClientListQuery(segment=Segment.HIGH, sort="-purchase_probability", per_page=100),
            RULE,
            tiers=TIERS,
        )
        by_forecast = uow.clients.list(
            ClientListQuery(will_buy=True, sort="predicted_sales", per_page=100), RULE, tiers=TIERS
        )

    assert by_probability.items[-1].client.id == client_ids[50]
    assert by_probability.items[-1].purchase_probability is None
    assert [item.client.id for item in by_forecast.items[-2:]] == [client_ids[52], client_ids[54]]


def score_in_a_batch(uow_factory: UnitOfWorkFactory, client_ids: list[int], forecast: float = 5000.0) -> None:
    """A part of a batch scoring: predictions written without the clients' entries of the scored list,
    which the batch writes whole when it ends."""
    days = [date(2024, 3, 1).toordinal()] * len(client_ids)
    batch = ScoredBatch.of(
        client_ids,
        days,
        [forecast] * len(client_ids),
        [0.95] * len(client_ids),
        DecisionThreshold(),
        (1, 1),
        later(2),
    )
    with uow_factory() as uow:
        uow.predictions.add_batch(batch)
        uow.commit()


def test_a_part_of_a_batch_scoring_sends_the_list_back_to_the_predictions_until_it_is_written_again(
    engine: Engine, uow_factory: UnitOfWorkFactory, client_ids: list[int], in_list_order: None
) -> None:
    kept(uow_factory)
    score_in_a_batch(uow_factory, [client_ids[55]])

    assert not reads_the_scored_list(engine, uow_factory, segment=Segment.HIGH)
    changed = every_way_of_reading(uow_factory, segment=Segment.HIGH)
    assert client_ids[55] in changed[0]
    kept(uow_factory)
    assert reads_the_scored_list(engine, uow_factory, segment=Segment.HIGH)
    assert every_way_of_reading(uow_factory, segment=Segment.HIGH) == changed


def high_clients(uow_factory: UnitOfWorkFactory, count: int) -> list[Client]:
    with uow_factory() as uow:
        page = uow.clients.list(ClientListQuery(segment=Segment.HIGH, per_page=count), RULE, tiers=TIERS)
    return [item.client for item in page.items]


def rename_a_client(uow_factory: UnitOfWorkFactory) -> None:
    [first] = high_clients(uow_factory, 1)
    with uow_factory() as uow:
        uow.clients.update(replace(first, last_name="Zawadzka", email="zz@example.pl"))
        uow.commit()


def rename_clients_in_an_import(uow_factory: UnitOfWorkFactory) -> None:
    renamed = [replace(client, first_name="Zuzanna") for client in high_clients(uow_factory, 2)]
    with uow_factory() as uow:
        uow.clients.update_many(renamed)
        uow.commit()


def delete_a_client(uow_factory: UnitOfWorkFactory) -> None:
    [first] = high_clients(uow_factory, 1)
    with uow_factory() as uow:
        uow.clients.delete(id_of(first))
        uow.commit()


CLIENT_ORDERS = ("last_name", "-first_name", "email")


@pytest.mark.parametrize("change", [rename_a_client, rename_clients_in_an_import, delete_a_client])
def test_a_change_of_clients_keeps_the_list_which_gives_the_pages_the_predictions_give(
    engine: Engine,
    uow_factory: UnitOfWorkFactory,
    client_ids: list[int],
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[UnitOfWorkFactory], None],
) -> None:
    def read(in_list_order: bool) -> list[list[list[int]]]:
        monkeypatch.setattr(sql_clients, "_reads_in_list_order", lambda *args: in_list_order)
        return [every_way_of_reading(uow_factory, segment=Segment.HIGH, sort=sort) for sort in CLIENT_ORDERS]

    kept(uow_factory)
    before = read(in_list_order=False)
    change(uow_factory)

    from_the_scored_list = read(in_list_order=True)
    assert reads_the_scored_list(engine, uow_factory, segment=Segment.HIGH)
    assert from_the_scored_list == read(in_list_order=False)
    assert from_the_scored_list != before, "the change moved clients in the list"


def searched(uow_factory: UnitOfWorkFactory, q: str, sort: str) -> list[int]:
    """Every client of a search in `sort`'s order, one bounded page after the other."""
    found: list[int] = []
    after = None
    while True:
        query = ClientListQuery(q=q, sort=sort, per_page=2, after=after)
        with uow_factory() as uow:
            page = uow.clients.list(query, RULE, tiers=TIERS, count_searches_up_to=1)
        found += [id_of(item.client) for item in page.items]
        if page.next is None:
            return found
        after = position_token(page.next)


@pytest.mark.parametrize("sort", PREDICTION_SORTS)
def test_a_search_walked_in_a_predictions_order_reads_the_scored_list_which_holds_the_names_as_they_are(
    engine: Engine,
    uow_factory: UnitOfWorkFactory,
    client_ids: list[int],
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    monkeypatch.setattr(sql_clients, "SORTED_MATCHES_AT_MOST", 0)  # every search past its bound walks
    kept(uow_factory)
    assert searched(uow_factory, "zuzanna", sort) == []
    rename_clients_in_an_import(uow_factory)

    def walked(through_the_scored_list: bool) -> list[int]:
        monkeypatch.setattr(
            sql_clients.SqlAlchemyClientRepository,
            "_scored_list_is_kept",
            lambda self: through_the_scored_list,
        )
        with statements_run(engine) as run:
            found = searched(uow_factory, "zuzanna", sort)
        read = any("FROM scored_client_list" in statement for statement, _ in run)
        assert read == through_the_scored_list
        return found

    from_the_scored_list = walked(through_the_scored_list=True)
    assert len(from_the_scored_list) == 2
    assert walked(through_the_scored_list=False) == from_the_scored_list


def relist_one_client(uow_factory: UnitOfWorkFactory, client_ids: list[int]) -> list[int]:
    """Score a client in the high segment and another out of it, one at a time (which writes their
    entries again)."""
    moved = [client_ids[55], client_ids[0]]
    with uow_factory() as uow:
        made_at = later(2)
        uow.predictions.add_many(
            [a_forecast(moved[0], 5000.0, made_at=made_at), a_forecast(moved[1], 10.0, made_at=made_at)],
            [a_purchase_prediction(client_id, 0.95, made_at=made_at) for client_id in moved],
        )
        uow.commit()
    return moved


def test_clients_scored_alone_are_written_again_and_the_list_still_read_from_it(
    engine: Engine, uow_factory: UnitOfWorkFactory, client_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept(uow_factory)
    moved = relist_one_client(uow_factory, client_ids)

    monkeypatch.setattr(sql_clients, "_reads_in_list_order", lambda *args: True)
    assert reads_the_scored_list(engine, uow_factory, segment=Segment.HIGH)
    from_the_scored_list = every_way_of_reading(uow_factory, segment=Segment.HIGH)
    monkeypatch.setattr(sql_clients, "_reads_in_list_order", lambda *args: False)
    assert every_way_of_reading(uow_factory, segment=Segment.HIGH) == from_the_scored_list
    assert moved[0] in from_the_scored_list[0]
    assert moved[1] not in from_the_scored_list[0]


def test_clients_scored_alone_after_another_change_leave_the_list_to_the_predictions(
    engine: Engine, uow_factory: UnitOfWorkFactory, client_ids: list[int], in_list_order: None
) -> None:
    kept(uow_factory)
    score_in_a_batch(uow_factory, [client_ids[55]])
    relist_one_client(uow_factory, client_ids)

    assert not reads_the_scored_list(engine, uow_factory, segment=Segment.HIGH)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_filtered_page_is_read_from_the_scored_lists_index_alone(
    engine: Engine, uow_factory: UnitOfWorkFactory, client_ids: list[int], in_list_order: None
) -> None:
    kept(uow_factory)
    for sort, index in [("last_name", "last_name_key"), ("-registered_on", "registered_on")]:
        query = ClientListQuery(segment=Segment.LOW, sort=sort, page=2, per_page=PER_PAGE)
        with statements_run(engine) as run, uow_factory() as uow:
            uow.clients.list(query, RULE, tiers=TIERS)
        [(picking, parameters)] = [(statement, given) for statement, given in run if "sort_key" in statement]
        with engine.connect() as connection:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {picking}", parameters)
            plan = "\n".join(str(row[-1]) for row in explained)
        assert f"COVERING INDEX ix_scored_client_list_{index}" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ({"segment": Segment.LOW, "sort": "-purchase_probability"}, "probability"),
        ({"tier": ContactTier.REST, "sort": "predicted_sales"}, "value"),
        ({"segment": Segment.HIGH, "sort": "-expected_value"}, "expected_value"),
        ({"will_buy": False, "sort": "-predicted_sales", "page": 2}, "value"),
        ({"segment": Segment.MEDIUM, "sort": "-purchase_probability"}, "probability"),
        ({"segment": Segment.MEDIUM, "sort": "expected_value", "page": 2}, "expected_value"),
        ({"tier": ContactTier.NEXT, "sort": "-predicted_sales"}, "value"),
    ],
    ids=[
        "segment-by-probability",
        "tier-by-forecast",
        "segment-by-worth",
        "decision-by-forecast",
        "two-ended-segment-by-probability",
        "two-ended-segment-by-worth",
        "two-ended-tier-by-forecast",
    ],
)
def test_a_filtered_page_sorted_by_another_prediction_is_read_from_the_scored_lists_index_alone(
    engine: Engine, uow_factory: UnitOfWorkFactory, client_ids: list[int], query: dict[str, Any], index: str
) -> None:
    kept(uow_factory)
    with statements_run(engine) as run, uow_factory() as uow:
        uow.clients.list(ClientListQuery(per_page=PER_PAGE, **query), RULE, tiers=TIERS)
    picking = [(statement, given) for statement, given in run if "sort_key" in statement]
    assert picking
    with engine.connect() as connection:
        for statement, parameters in picking:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = "\n".join(str(row[-1]) for row in explained)
            assert f"COVERING INDEX ix_scored_client_list_{index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
@pytest.mark.parametrize(
    ("query", "index"),
    [
        (
            {"segment": Segment.MEDIUM, "tier": ContactTier.THIRD, "sort": "-purchase_probability"},
            "probability",
        ),
        ({"will_buy": False, "sort": "-predicted_sales", "page": 2}, "value"),
        ({"segment": Segment.LOW, "sort": "last_name", "page": 2}, "last_name_key"),
    ],
    ids=["two-filters-by-probability", "decision-by-forecast", "segment-by-name"],
)
def test_postgresql_reads_a_page_of_the_scored_list_in_its_sorts_index_order_without_sorting(
    engine: Engine,
    uow_factory: UnitOfWorkFactory,
    client_ids: list[int],
    in_list_order: None,
    query: dict[str, Any],
    index: str,
) -> None:
    kept(uow_factory)
    with statements_run(engine) as run, uow_factory() as uow:
        uow.clients.list(ClientListQuery(per_page=PER_PAGE, **query), RULE, tiers=TIERS)
    statements = [statement for statement, _ in run]
    picking = [n for n, statement in enumerate(statements) if "sort_key" in statement]
    unsorted_from = statements.index("SET LOCAL enable_sort = off")
    assert unsorted_from < picking[0] and picking[-1] < statements.index("SET LOCAL enable_sort = on")

    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        plans = [
            "\n".join(str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
            for statement, parameters in (run[n] for n in picking)
        ]
    # The clients with the sort's value through its index; those without it (by id) through the key.
    assert f"using ix_scored_client_list_{index}" in plans[0], plans
    assert not any("Sort" in plan for plan in plans), plans


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("-predicted_sales", "value"),
        ("purchase_probability", "probability"),
        ("-expected_value", "expected_value"),
    ],
)
def test_a_search_walked_in_a_predictions_order_checks_each_client_from_the_scored_lists_index_alone(
    engine: Engine,
    uow_factory: UnitOfWorkFactory,
    client_ids: list[int],
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
    index: str,
) -> None:
    monkeypatch.setattr(sql_clients, "SORTED_MATCHES_AT_MOST", 0)  # every search past its bound walks
    kept(uow_factory)
    query = ClientListQuery(q="an", sort=sort, page=2, per_page=2)
    with statements_run(engine) as run, uow_factory() as uow:
        uow.clients.list(query, RULE, tiers=TIERS, count_searches_up_to=1)
    [(walk, parameters)] = [
        (statement, given)
        for statement, given in run
        if "sort_key" in statement and "scored_client_list" in statement
    ]

    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {walk}", parameters)
            plan = "\n".join(str(row[-1]) for row in explained)
            assert f"COVERING INDEX ix_scored_client_list_{index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
        else:
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
            plan = "\n".join(str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {walk}", parameters))
            assert f"Index Only Scan using ix_scored_client_list_{index}" in plan.replace(" Backward", ""), (
                plan
            )
            assert "Sort" not in plan, plan


def scored_list_rows(uow_factory: UnitOfWorkFactory) -> tuple[bool, list[Any], list[Any]]:
    """Whether the scored list is kept, its rows, and the rows it would be written with now."""
    with uow_factory() as uow:
        kept_now = uow.clients._scored_list_is_kept()  # type: ignore[attr-defined]
        columns = sql_clients._SCORED_LIST_ROWS.selected_columns.keys()
        listed = uow.session.execute(
            select(*(scored_client_list.c[name] for name in columns)).order_by(scored_client_list.c.client_id)
        )
        written_now = uow.session.execute(sql_clients._SCORED_LIST_ROWS)
        return kept_now, [tuple(row) for row in listed], [tuple(row) for row in written_now]


def in_threads(*work: Callable[[], None]) -> None:
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        for done in [pool.submit(each) for each in work]:
            done.result()


def test_clients_scored_alone_beside_other_writes_never_leave_the_list_kept_and_wrong(
    uow_factory: UnitOfWorkFactory, client_ids: list[int]
) -> None:
    """Scorings of one client at a time, renames and deletions in threads, beside writes of predictions
    that leave the list to the predictions and beside the list written whole: none waits for another
    for ever, and whenever the list is kept after them, it holds what it would be written with."""

    kept_clients, deleted = client_ids[:40], client_ids[40:50]

    def score_alone(seed: int, rounds: int = 12) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(seed)
            for _ in range(rounds):
                client_id = rng.choice(kept_clients)
                with uow_factory() as uow:
                    uow.predictions.add_many(
                        [a_forecast(client_id, rng.choice([10.0, 500.0, 5000.0]), made_at=later(3))],
                        [a_purchase_prediction(client_id, rng.random(), made_at=later(3))],
                    )
                    uow.commit()

        return run

    def rename(seed: int, rounds: int = 8) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(seed)
            for _ in range(rounds):
                with uow_factory() as uow:
                    client = uow.clients.get(rng.choice(kept_clients))
                    assert client is not None
                    uow.clients.update(replace(client, last_name=rng.choice(SURNAMES)))
                    uow.commit()

        return run

    def delete_clients() -> None:
        for client_id in deleted:
            with uow_factory() as uow:
                uow.clients.delete(client_id)
                uow.commit()

    def score_without_writing_the_list() -> None:
        for client_id in client_ids[:4]:
            score_in_a_batch(uow_factory, [client_id], forecast=2000.0)

    def write_the_list() -> None:
        for _ in range(3):
            kept(uow_factory)

    kept(uow_factory)
    in_threads(score_alone(1), rename(6), delete_clients, score_without_writing_the_list, write_the_list)
    kept_now, listed, written_now = scored_list_rows(uow_factory)
    assert not kept_now or listed == written_now

    kept(uow_factory)
    in_threads(score_alone(7), rename(8), rename(9))
    kept_now, listed, written_now = scored_list_rows(uow_factory)
    assert kept_now, "scorings of one client at a time beside renames keep the list"
    assert listed == written_now

    kept(uow_factory)
    in_threads(score_alone(3), score_alone(4), score_alone(5))
    kept_now, listed, written_now = scored_list_rows(uow_factory)
    assert kept_now, "scorings of one client at a time keep the list"
    assert listed == written_now


def waiting_for_locks(engine: Engine, *writers: Future[None]) -> None:
    """Until each of the `writers` waits for a lock (PostgreSQL); one that ends first fails the test."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + 10
    with engine.connect() as connection:
        # Each look in a transaction of its own: a transaction sees the activity as of its first look.
        while (connection.execute(waiting).scalar_one() or 0) < len(writers):
            connection.rollback()
            for writer in writers:
                assert not writer.done(), f"a writer ended without waiting: {writer.result()}"
            assert time.monotonic() < deadline, f"fewer than {len(writers)} writers wait for a lock"
            time.sleep(0.02)


def score_one(uow_factory: UnitOfWorkFactory, client_id: int) -> None:
    with uow_factory() as uow:
        uow.predictions.add_many(
            [a_forecast(client_id, 750.0, made_at=later(3))],
            [a_purchase_prediction(client_id, 0.4, made_at=later(3))],
        )
        uow.commit()


def rename_one(uow_factory: UnitOfWorkFactory, client_id: int) -> None:
    with uow_factory() as uow:
        client = uow.clients.get(client_id)
        assert client is not None
        uow.clients.update(replace(client, last_name="Nowa"))
        uow.commit()


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
@pytest.mark.parametrize("change", [score_one, rename_one])
def test_a_client_scored_or_renamed_while_it_is_deleted_takes_its_turn_and_never_deadlocks(
    engine: Engine,
    uow_factory: UnitOfWorkFactory,
    client_ids: list[int],
    change: Callable[[UnitOfWorkFactory, int], None],
) -> None:
    """The change begins while the list's turn is held, then the deletion: each waits for the turn before
    it locks the client or its entry, so neither waits for the other's locks while holding its own."""
    client_id = client_ids[0]
    kept(uow_factory)

    def delete() -> None:
        with uow_factory() as uow:
            uow.clients.delete(client_id)
            uow.commit()

    turn = select(kept_summaries.c.name).where(kept_summaries.c.name == "scored_client_list")
    with ThreadPoolExecutor(max_workers=2) as pool:
        with engine.connect() as holder:  # let go (rolled back) before the threads are waited for
            holder.execute(turn.with_for_update())
            changed = pool.submit(change, uow_factory, client_id)
            waiting_for_locks(engine, changed)
            deleted = pool.submit(delete)
            waiting_for_locks(engine, changed, deleted)
        deleted.result()
        with contextlib.suppress(ClientNotFound):  # deleted first: nothing to score or rename
            changed.result()

    with uow_factory() as uow:
        assert uow.clients.get(client_id) is None
    kept_now, listed, written_now = scored_list_rows(uow_factory)
    assert kept_now and listed == written_now
