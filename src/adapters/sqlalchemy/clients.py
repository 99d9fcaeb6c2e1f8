"""Clients on SQLAlchemy Core: the repository and the client list's query."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import replacement_traverse

from adapters.sqlalchemy.bands import in_segment, in_tier
from adapters.sqlalchemy.engine import read_once, unsorted
from adapters.sqlalchemy.integrity import Translation, Violation, savepoint
from adapters.sqlalchemy.kept import (
    CLIENTS_REVISION,
    PREDICTIONS_REVISION,
    SNAPSHOT_REVISION,
    held,
    insert_or_update,
    is_kept,
    keep,
    kept,
    revised,
    revision,
)
from adapters.sqlalchemy.rows import CLIENTS, FORECASTS, PURCHASES, labelled
from adapters.sqlalchemy.statements import (
    CHUNK_SIZE,
    SEARCH_INDEX_MIN_LENGTH,
    SEARCH_ROWS,
    SEARCH_SEPARATOR,
    SEARCH_TERMS,
    client_contains,
    folded_text_holds,
    folded_text_of,
    found_by_search_index,
    found_in_search_rows,
    number_of_clients,
    rows_changed,
    search_query,
    search_terms_beginning,
    short_text_by_trigrams,
    unindexed,
)
from adapters.sqlalchemy.tables import (
    client_activity,
    clients,
    events,
    model_runs,
    orders,
    purchase_predictions,
    sales_predictions,
    scored_client_list,
)
from application.chunks import chunks
from application.commands import ClientListQuery, ClientSort, ListPosition
from application.queries import ClientListItem, Page, ScoredClient, page_read
from domain.clients import Client, email_key
from domain.errors import ClientNotFound, DomainError, DuplicateEmail
from domain.predictions import ModelKind
from domain.segments import SegmentRule
from domain.tiers import TierCuts


class SqlAlchemyClientRepository:
    """Clients in the `clients` table. Never commits: the unit of work does."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, client: Client) -> Client:
        with savepoint(self.session, _refuse_email(client.email)):
            statement = insert(clients).values(CLIENTS.values(client)).returning(clients.c.id)
            client_id = self.session.execute(statement).scalar_one()
        return replace(client, id=client_id)

    def add_many(self, clients_to_add: Sequence[Client]) -> list[Client]:
        """All or nothing: a taken email refuses the whole batch."""
        ids: list[int] = []
        with savepoint(self.session, self._refuse_batch(clients_to_add)):
            for chunk in chunks(clients_to_add, CHUNK_SIZE):
                ids += _insert_returning_ids(self.session, chunk)
        return [replace(client, id=client_id) for client, client_id in zip(clients_to_add, ids, strict=True)]

    def get(self, client_id: int) -> Client | None:
        row = self.session.execute(select(clients).where(clients.c.id == client_id)).one_or_none()
        return None if row is None else CLIENTS.from_row(row)

    def scored(self, client_id: int) -> ScoredClient | None:
        row = self.session.execute(SCORED_CLIENT, {"client_id": client_id}).one_or_none()
        return None if row is None else scored_of(row)

    def get_by_email(self, email: str) -> Client | None:
        statement = select(clients).where(clients.c.email_key == email_key(email))
        row = self.session.execute(statement).one_or_none()
        return None if row is None else CLIENTS.from_row(row)

    def find_by_emails(self, emails: Iterable[str]) -> dict[str, Client]:
        """Looked up in chunks through the unique index on email_key."""
        found: dict[str, Client] = {}
        for chunk in chunks({email_key(email) for email in emails}, CHUNK_SIZE):
            statement = select(clients).where(clients.c.email_key.in_(chunk))
            found.update(
                (email_key(row.email), CLIENTS.from_row(row)) for row in self.session.execute(statement)
            )
        return found

    def update(self, client: Client) -> None:
        lists_turn(self.session)
        revised(self.session, CLIENTS_REVISION)
        with savepoint(self.session, _refuse_email(client.email)):
            statement = update(clients).where(clients.c.id == client.id).values(CLIENTS.values(client))
            if rows_changed(self.session, statement) == 0:
                raise ClientNotFound(client.id)
        relist(self.session, [client.id or 0], CLIENTS_REVISION)

    def update_many(self, clients_to_update: Sequence[Client]) -> None:
        """One executemany per chunk; a taken email refuses the whole batch."""
        statement = update(clients).where(clients.c.id == bindparam("client_id"))
        lists_turn(self.session)
        revised(self.session, CLIENTS_REVISION)
        with savepoint(self.session, self._refuse_batch(clients_to_update)):
            for chunk in chunks(clients_to_update, CHUNK_SIZE):
                rows = [CLIENTS.values(client) | {"client_id": client.id} for client in chunk]
                self.session.connection().execute(statement, rows)
        relist(self.session, [client.id or 0 for client in clients_to_update], CLIENTS_REVISION)

    def delete(self, client_id: int) -> None:
        """The client's activity and predictions go with it (ON DELETE CASCADE), after its entry of the
        scored clients' list, once it is the deletion's turn to write the list (`lists_turn`)."""
        lists_turn(self.session)
        revised(self.session, SNAPSHOT_REVISION)
        self.session.execute(delete(scored_client_list).where(scored_client_list.c.client_id == client_id))
        self.session.execute(delete(clients).where(clients.c.id == client_id))

    def count(self) -> int:
        return self.session.scalar(_EVERY_CLIENT) or 0

    def keep_scored_list(self) -> None:
        """Write the scored clients' list (`scored_client_list`) anew, unless it was written from the
        predictions and clients as they are now. Between two such writes, every write of clients or of
        single predictions writes their entries again (`relist`)."""
        lists_turn(self.session)
        state = _scored_list_state(self.session)
        kept(self.session, SCORED_LIST, state, self._write_scored_list, int, int)

    def _scored_list_is_kept(self) -> bool:
        return is_kept(self.session, SCORED_LIST, _scored_list_state(self.session))

    def _write_scored_list(self) -> int:
        """Every client with a current prediction, in one INSERT ... SELECT; the list's indexes are
        dropped first and built again from its rows, which sorts each once instead of placing a
        million entries one by one. How many clients it lists."""
        connection = self.session.connection()
        indexes = sorted(scored_client_list.indexes, key=lambda index: str(index.name))
        with read_once(connection):
            for index in indexes:
                index.drop(connection)
            self.session.execute(delete(scored_client_list))
            columns = list(_SCORED_LIST_ROWS.selected_columns.keys())
            written = rows_changed(
                self.session, insert(scored_client_list).from_select(columns, _SCORED_LIST_ROWS)
            )
            for index in indexes:
                index.create(connection)
        return written

    def _newest_id(self) -> int:
        """The highest client id: at least as many as the clients, read at once from the primary key."""
        return self.session.scalar(select(func.max(clients.c.id))) or 0

    def with_logs(self, after_client_id: int, limit: int) -> list[Client]:
        """Walks the (client_id, ...) indexes of both logs from `after_client_id`."""
        logged = union(
            select(orders.c.client_id).where(orders.c.client_id > after_client_id),
            select(events.c.client_id).where(events.c.client_id > after_client_id),
        ).subquery("logged")
        wanted = select(logged.c.client_id).order_by(logged.c.client_id).limit(limit).subquery("wanted")
        statement = select(clients).join(wanted, wanted.c.client_id == clients.c.id).order_by(clients.c.id)
        return [CLIENTS.from_row(row) for row in self.session.execute(statement)]

    def _refuse_batch(self, batch: Sequence[Client]) -> Translation:
        def translate(violation: Violation) -> DomainError | None:
            if violation is not Violation.UNIQUE:
                return None
            return DuplicateEmail(self._first_taken_email(batch))

        return translate

    def _first_taken_email(self, batch: Sequence[Client]) -> str:
        """The email that made a batch fail: repeated within it, or already stored."""
        seen: set[str] = set()
        for client in batch:
            if email_key(client.email) in seen or self.get_by_email(client.email) is not None:
                return client.email
            seen.add(email_key(client.email))
        return batch[0].email

    def list(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        *,
        ids: Collection[int] | None = None,
        tiers: TierCuts | None = None,
        total: int | None = None,
        count_searches_up_to: int | None = None,
    ) -> Page[ClientListItem]:
        """A count (unless it is known) and a page, with one client more to know whether the list goes on.
        A search with a bound is counted up to it; one that matches more clients than its index can
        give to be sorted is read by walking its sort's index (`_walked`)."""
        indexed = self._searched_through_index(query.q, SORTED_MATCHES_AT_MOST)
        matching = _matching(query, segments, ids, tiers, through_search_index=indexed)
        predicted, exact, widespread, candidates = None, True, False, None
        bound = count_searches_up_to if query.q and ids is None else None
        if total is None and bound is not None:
            total, widespread, candidates = self._search_counts(query, segments, tiers, bound, indexed)
        if total is None:
            total, predicted = self._counts(query, segments, tiers, ids, matching)
        if bound is not None and total > bound:
            total, exact = bound, False
        limit = query.per_page + 1
        position = query.after or query.before
        from_the_end = exact and position is None and 0 < total - query.offset < query.offset
        reach = limit if position is not None else query.offset + limit
        if from_the_end:
            reach = total - query.offset
        matching, parts = self._reading(query, segments, ids, tiers, matching, total, reach)
        picked: Sequence[Any] = []  # nothing matches, or the page is past the last match
        if total > 0 and (position is not None or query.offset < total or not exact):
            with self._in_its_index_order(parts):
                walked = None
                if widespread:
                    checked, walked_parts = self._walking(query, segments, tiers, parts)
                    with self._in_its_index_order(walked_parts):
                        walked = self._walked(query, checked, position, limit, walked_parts, candidates)
                    if (
                        walked is None
                        and not indexed
                        and self._searched_through_index(query.q, SORTED_ALL_AT_MOST)
                    ):
                        matching = _matching(query, segments, ids, tiers, through_search_index=True)
                counts = (total, predicted)
                picked = (
                    walked
                    if walked is not None
                    else self._picked(query, matching, position, counts, limit, parts, ids, from_the_end)
                )
        listed = self._with_predictions([client_id for client_id, _ in picked])
        placed = [
            (_list_item(listed[client_id], segments, tiers), ListPosition(query.sort, key, client_id))
            for client_id, key in picked
        ]
        return page_read(placed, query, total, exact)

    def _search_counts(
        self, query: ClientListQuery, segments: SegmentRule, tiers: TierCuts | None, bound: int, indexed: bool
    ) -> tuple[int, bool, int | None]:
        """A bounded search's matches counted up to one more than `bound` (or more), whether they are too
        many to read every match and sort them for a page, so that it walks the index of its sort
        (`_walked`), and on SQLite how many candidates the search index gives a text searched through it
        (`indexed`; `_candidates_held`), else None. On SQLite such a text is walked when the index gives
        more than `SORTED_MATCHES_AT_MOST` candidates, any other text when it matches more than `bound`
        clients. On PostgreSQL a text its trigram indexes serve is weighed as `_indexed_search_counts`
        says; any other is walked when it matches more than `bound` clients."""
        on_sqlite = self._on_sqlite()
        if indexed and not on_sqlite:
            return *self._indexed_search_counts(query, segments, tiers, bound), None
        counted = self._count_up_to(query, segments, tiers, bound, indexed)
        if counted <= bound or not indexed or not on_sqlite:
            return counted, counted > bound, None
        if len(query.q) < SEARCH_INDEX_MIN_LENGTH:  # held by few rows, or it would not be `indexed`
            return counted, False, None
        candidates = self._candidates_held(query.q)
        return counted, candidates > SORTED_MATCHES_AT_MOST, candidates

    def _candidates_held(self, q: str) -> int:
        """How many candidates SQLite's search index gives `q` (a trigram or more): counted up to one more
        than `SORTED_MATCHES_AT_MOST` from the index alone (at most 28 ms at 1,000,000 clients), and
        beyond that estimated from the highest client id among those counted, the index being read in the
        order of the ids."""
        found = select(SEARCH_ROWS.c.rowid).where(found_in_search_rows(q)).limit(SORTED_MATCHES_AT_MOST + 1)
        counted = found.subquery()
        held, reached = self.session.execute(select(func.count(), func.max(counted.c.rowid))).one()
        if held <= SORTED_MATCHES_AT_MOST or not reached:
            return int(held)
        return int(held * self._newest_id() / reached)

    def _indexed_search_counts(
        self, query: ClientListQuery, segments: SegmentRule, tiers: TierCuts | None, bound: int
    ) -> tuple[int, bool]:
        """`_search_counts` of a text PostgreSQL's trigram indexes serve. A page sorted by a client's own
        column, whose index holds every client's folded texts and is walked to the page's end whatever
        that costs (`_walks_every_client`), is walked when that reads less than sorting every match
        (`_walk_reads_less`: a common surname's matches lie together, the walk to them long), and counted
        up to `bound` alone either way. In a prediction's order, a text of a trigram or more is walked when
        a sample of the clients says that reads less than sorting every match
        (`_walk_by_prediction_reads_less`), and counted up to `bound` through the trigram indexes either
        way: counting the 39,952 matches of `q=kowal` at 1,000,000 clients took 118 ms, which counting up
        to 10,001 of them spares. A shorter text, held by few clients or it would not be served so, is
        counted up to `bound` and walked past it."""
        if query.sort_column in WALKED_FROM_THE_INDEX:
            walked = self._walk_reads_less(query)
            counted = self._count_up_to(query, segments, tiers, bound, indexed=True)
            return counted, walked and counted > bound
        short = len(query.q) < SEARCH_INDEX_MIN_LENGTH  # held by few, or it would not be `indexed`
        walked = short or self._walk_by_prediction_reads_less(query)
        counted = self._count_up_to(query, segments, tiers, bound, indexed=True)
        return counted, walked and counted > bound

    def _walk_by_prediction_reads_less(self, query: ClientListQuery) -> bool:
        """Whether walking the index of a prediction from where the page starts to the page's end reads
        less than sorting every match, judged on the sample of clients `_held_by_few` reads: a name has
        nothing to do with a prediction, so the walk passes about as many clients for each match as the
        sample holds, a client walked costing a `WALKED_BY_PREDICTION_PER_SORTED_MATCH`th of a match
        sorted, or a `WALKED_IN_SCORED_LIST_PER_SORTED_MATCH`th while the scored clients' list is kept
        (`_walking`). A text held by more than `SORTED_MATCHES_AT_MOST` clients is always walked."""
        sample, share, every = self._sample()
        found = self._found_in(sample, query.q)
        if found > SORTED_MATCHES_AT_MOST * share:
            return True
        walked_per_sorted_match = (
            WALKED_IN_SCORED_LIST_PER_SORTED_MATCH
            if self._scored_list_is_kept()
            else WALKED_BY_PREDICTION_PER_SORTED_MATCH
        )
        reach, sampled = _page_reach(query), share * every
        return found > 0 and reach * sampled / found < walked_per_sorted_match * found / share

    def _walk_reads_less(self, query: ClientListQuery) -> bool:
        """Whether walking the index of the sort from where the page starts (the list's start, or its
        `after` or `before` position) to the page's end reads less than sorting every match, judged on the
        sample of clients `_held_by_few` reads: how many of them the walk passes to the sampled match that
        ends the page (every one beyond the start when there is none), against how many match, a client
        walked costing a `WALKED_PER_SORTED_MATCH`th of a match sorted."""
        sample, share, _ = self._sample()
        adapted = ClauseAdapter(sample).traverse
        key, found = adapted(_SORT_KEYS[query.sort_column]), adapted(_containing(query.q, False))
        part = _Part(sample, key, keyed=True, client_id=sample.c.id)
        forward, position = query.before is None, query.after or query.before
        ordering = part.ordering(query.descending, forward)
        beyond = true() if position is None else part.past(position, query.descending, forward)
        walked = select(
            func.count().filter(beyond).over(order_by=ordering).label("passed"),
            func.count().filter(and_(beyond, found)).over(order_by=ordering).label("found"),
            found.label("matches"),
        ).subquery()
        reach = _page_reach(query)
        reaching = select(
            func.coalesce(
                func.min(walked.c.passed).filter(walked.c.found >= math.ceil(reach * share)),
                func.max(walked.c.passed),
                0,
            ),
            func.count().filter(walked.c.matches),
        )
        passed, matched = self.session.execute(reaching).one()
        return bool(passed < WALKED_PER_SORTED_MATCH * matched)

    def _sample(self) -> tuple[Any, float, int]:
        """About `SAMPLED_CLIENTS` of the clients, PostgreSQL's whole pages of the table picked at random,
        the same ones each time while the table is the same, their share of every client, and how many
        clients there are."""
        every = self.session.scalar(_EVERY_CLIENT) or 0
        share = min(1.0, SAMPLED_CLIENTS / every) if every else 1.0
        return clients.tablesample(func.system(100 * share), seed=literal(0)), share, every

    def _count_up_to(
        self, query: ClientListQuery, segments: SegmentRule, tiers: TierCuts | None, bound: int, indexed: bool
    ) -> int:
        """A search's matches counted up to one more than `bound`. On SQLite the search index's rows
        are read first (when the text is searched through it, `indexed`), as many as it takes:
        `id IN (its candidates)` would read every candidate. PostgreSQL's trigram indexes serve the
        condition itself."""
        source: FromClause = _listed(query, counted=True)
        on_sqlite = self._on_sqlite()
        matching = _matching(query, segments, tiers=tiers, through_search_index=indexed and not on_sqlite)
        if indexed and on_sqlite:
            source = SEARCH_ROWS.join(source, SEARCH_ROWS.c.rowid == clients.c.id)
            matching = and_(found_in_search_rows(query.q), matching)
        counted = select(func.count()).select_from(source).where(matching)
        return self.session.scalar(_counted_up_to(counted, bound + 1)) or 0

    def _on_sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    def _searched_through_index(self, q: str, held_by_at_most: int) -> bool:
        """Whether the clients containing `q` are looked for among the search index's candidates: always
        for a text of `SEARCH_INDEX_MIN_LENGTH` letters or more; a shorter one when about `held_by_at_most`
        clients at most contain it. On SQLite, the rows holding a trigram that begins with it are counted;
        on PostgreSQL, a text of one letter less than a trigram (`short_text_by_trigrams`) is looked for
        in a sample of the clients (`_held_by_few`). (Reading those trigrams costs as many rows as hold
        them, and a common text is found soon among the clients read in order.)"""
        if len(q) >= SEARCH_INDEX_MIN_LENGTH:
            return True
        if not q:
            return False
        if not self._on_sqlite():
            return len(q) == SEARCH_INDEX_MIN_LENGTH - 1 and self._held_by_few(q, held_by_at_most)
        holding = self.session.execute(select(SEARCH_TERMS.c.doc).where(search_terms_beginning(q.lower())))
        with closing(holding):
            rows = 0
            for (doc,) in holding:
                rows += doc
                if rows > held_by_at_most:
                    return False
        return True

    def _held_by_few(self, q: str, held_by_at_most: int) -> bool:
        """Whether about `held_by_at_most` clients at most contain `q`, judged from about
        `SAMPLED_CLIENTS` of them: PostgreSQL's whole pages of the table, picked at random, the same ones
        each time while the table is the same (11 ms at 1,000,000 clients)."""
        sample, share, every = self._sample()
        if every <= held_by_at_most:
            return True
        return self._found_in(sample, q) <= held_by_at_most * share

    def _found_in(self, sample: Any, q: str) -> int:
        """How many clients of `sample` (`_sample`) contain `q`."""
        contained = ClauseAdapter(sample).traverse(_containing(q, through_search_index=False))
        return self.session.scalar(select(func.count()).select_from(sample).where(contained)) or 0

    def _counts(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        tiers: TierCuts | None,
        ids: Collection[int] | None,
        matching: ColumnElement[bool],
    ) -> tuple[int, int | None]:
        """How many clients match, and how many of them have the prediction the list is sorted by when
        that is counted in the same pass (`_searched_counts`); else None."""
        if ids is not None or query.q:
            return self._searched_counts(query, ids, matching)
        if not _filtered_predictions(query):
            return self.session.scalar(_EVERY_CLIENT) or 0, None
        return self._kept_total(query, segments, tiers, matching), None

    def _searched_counts(
        self, query: ClientListQuery, ids: Collection[int] | None, matching: ColumnElement[bool]
    ) -> tuple[int, int | None]:
        """The counts of a list of clients read themselves (a search, or ids). A numbered page past the
        first sorted by a prediction needs both counts (`_page_sorted_by_prediction`): one pass checks
        each client once, not again in `_count_predicted`. Any other page needs the total alone, which
        costs less."""
        numbered = query.offset > 0 and query.after is None and query.before is None
        if not numbered or query.sort_column not in _MAYBE_MISSING:
            return self.session.scalar(_count_of_list(query, matching, ids)) or 0, None
        both = _count_of_list(query, matching, ids, with_values_of=_SORT_KEYS[query.sort_column])
        total, predicted = self.session.execute(both).one()
        return total, predicted

    def _kept_total(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        tiers: TierCuts | None,
        matching: ColumnElement[bool],
    ) -> int:
        """The total of a list filtered by predictions alone, kept (`adapters.sqlalchemy.kept`) as of the
        predictions' and snapshots' revisions (a client deleted counts the snapshots' up) and the bands
        and cuts in force: counted once per scoring, not on every page, which would read every
        prediction of a kind when nearly every client matches."""
        computed_from = [
            *(revision(self.session, name) for name in LIST_TOTAL_REVISIONS),
            [segments.medium_from, segments.high_from],
            None if tiers is None else [tiers.third_above, tiers.next_above, tiers.top_above],
        ]
        counted = _count_of_list(query, matching)

        def count() -> int:
            return self.session.scalar(counted) or 0

        return kept(self.session, _list_total_name(query), computed_from, count, int, int)

    def _in_its_index_order(self, parts: Sequence[_Part]) -> AbstractContextManager[None]:
        """A page of the scored list is read in the order of its sort's index, each entry checked:
        PostgreSQL would rather scan the whole list and sort the matches (a middle page of the medium
        segment and third tier by probability, 240,903 of 1,000,000: 170-205 ms, against 68 ms)."""
        if parts[0].source is scored_client_list:
            return unsorted(self.session.connection())
        return nullcontext()

    def _picked(
        self,
        query: ClientListQuery,
        matching: ColumnElement[bool],
        position: ListPosition | None,
        counts: tuple[int, int | None],
        limit: int,
        parts: Sequence[_Part],
        ids: Collection[int] | None,
        from_the_end: bool,
    ) -> Sequence[Any]:
        """The ids and sort keys of a page's clients (and of one more), read as `list` decided; `counts`
        as `_counts` gives them."""
        if position is not None:
            return self._read_past(query, matching, position, limit, parts)
        if from_the_end:
            return self._read_from_the_end(query, matching, counts, limit, parts, ids)
        if query.sort_column in _MAYBE_MISSING:
            return self._page_sorted_by_prediction(query, matching, counts, limit, parts, ids)
        return self.session.execute(_page_of_list(query, parts[0], matching, limit=limit)).all()

    def _walking(
        self, query: ClientListQuery, segments: SegmentRule, tiers: TierCuts | None, parts: Sequence[_Part]
    ) -> tuple[ColumnElement[bool], Sequence[_Part]]:
        """What a walk checks each client with, and the parts of the list it walks. In a prediction's order,
        while the scored clients' list is kept, it walks that list's index of the prediction, whose entries
        hold each client's folded text and the values filtered on (`_scored_list_parts`): one index read
        in order, where a walk of `parts` looks each client up among the clients. Else it walks `parts`,
        each client checked as `_matching` checks it."""
        if query.sort_column in _MAYBE_MISSING and self._scored_list_is_kept():
            listed = _scored_list_parts(query, segments, tiers)
            return _listed_containing(query.q), listed
        return _matching(query, segments, tiers=tiers, through_search_index=False), parts

    def _walked(
        self,
        query: ClientListQuery,
        matching: ColumnElement[bool],
        position: ListPosition | None,
        limit: int,
        parts: Sequence[_Part],
        candidates: int | None,
    ) -> Sequence[Any] | None:
        """A page of a search that matches widely, read by walking the index of its sort from where the
        page starts (the list's start, or `position` either way), each client checked, through at most
        `_walk_length` clients, or every client where the sort's index holds each client's folded text
        (`_walks_every_client`); None when the page lies further (its matches cluster elsewhere in the
        sort, as a common surname's do) or runs on into the clients without the sorted prediction, who
        come after: every match is then read and sorted.

        On SQLite, a client walked in an order whose index holds no folded text may first be looked for
        among the search index's `candidates` (their number when the text is searched through it), so that
        only a candidate's row is read and checked (`_candidates_first`)."""
        forward = query.before is None
        part = parts[0]
        if position is not None and position.key is None:
            return None
        from_the_index = query.sort_column in WALKED_FROM_THE_INDEX or part.source is scored_client_list
        skipped = query.offset if position is None else 0
        reach = skipped + limit
        if (
            candidates is not None
            and not from_the_index
            and _candidates_first(candidates, reach, self._newest_id())
        ):
            candidate = unindexed(part.client_id, type_=Integer)
            matching = and_(found_by_search_index(candidate, search_query(query.q.lower())), matching)
        length = _walk_length(reach)
        every = self._walks_every_client(query, part, length)
        last = None if every else self._walk_end(query, position, length)
        within: ColumnElement[bool] = true()
        if last is not None:
            within = part.past(last, query.descending, not forward)
        start = true() if position is None else part.past(position, query.descending, forward)
        page = (
            select(*part.picked)
            .select_from(part.source)
            .where(matching, part.condition, start, within)
            .order_by(*part.ordering(query.descending, forward))
            .offset(skipped)
            .limit(limit)
        )
        rows = self.session.execute(page).all()
        if len(rows) < limit and (last is not None or (forward and len(parts) > 1)):
            return None
        return rows if forward else rows[::-1]

    def _walks_every_client(self, query: ClientListQuery, part: _Part, length: int) -> bool:
        """Whether a walk of `length` clients passes every client, so that it has no end to look for. A walk
        whose index holds each client's folded text never stops short: by name, registration or email
        (`WALKED_FROM_THE_INDEX`), and through the scored clients' list's index of a prediction. It reads
        less than sorting every match of a common text: at 1,000,000 clients, a page past the last match of
        `q=ak` by name walks them all in 207-219 ms on SQLite, where the middle page, whose walk gave up
        after 200,000 clients, took 393-430 ms. PostgreSQL knows how many clients there are at once (its
        count of them); the end of a walk past them all reads the whole index first (101 ms for the middle
        page of `q=ak` at 1,000,000 clients). SQLite would count its clients as long as it takes to find
        the end of a walk in another order."""
        if query.sort_column in WALKED_FROM_THE_INDEX or part.source is scored_client_list:
            return True
        if self._on_sqlite():
            return False
        return length >= (self.session.scalar(_EVERY_CLIENT) or 0)

    def _walk_end(
        self, query: ClientListQuery, position: ListPosition | None, length: int
    ) -> ListPosition | None:
        """Where a walk of `length` clients from `position` (or the list's start) ends: the position of the
        client after them, read from the sort's index alone (the clients', or the sorted prediction's
        index of current values, which holds every client who has one); None when the list ends first."""
        key = _SORT_KEYS[query.sort_column]
        index = _values_index(key) if query.sort_column in _MAYBE_MISSING else _Part(clients, key, keyed=True)
        forward = query.before is None
        start = true() if position is None else index.past(position, query.descending, forward)
        end = (
            select(index.client_id, index.key)
            .select_from(index.source)
            .where(index.condition, start)
            .order_by(*index.ordering(query.descending, forward))
            .offset(length)
            .limit(1)
        )
        found = self.session.execute(end).one_or_none()
        return None if found is None else ListPosition(query.sort, found[1], found[0])

    def _reading(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        ids: Collection[int] | None,
        tiers: TierCuts | None,
        matching: ColumnElement[bool],
        total: int,
        reach: int,
    ) -> tuple[ColumnElement[bool], Sequence[_Part]]:
        """What picks a page's clients and the parts of the list they are read from (`_parts`).

        A page filtered by a prediction (and neither searched nor of chosen ids) is read from the scored
        clients' list while it is kept (`_scored_list_parts`) when it is sorted by a prediction, and
        when it is sorted by a client's own column and found quicker in the list's order than through
        the filters' indexes (`_reads_in_list_order`). Sorted by a client's own column and found
        quicker in its order, it is read from the clients, each checked among the current predictions,
        while the scored list is not kept."""
        if ids is not None or query.q or not _filtered_predictions(query):
            return matching, _parts(query, ids)
        scored_list_kept = self._scored_list_is_kept()
        if query.sort_column in _MAYBE_MISSING:
            if scored_list_kept:
                return true(), _scored_list_parts(query, segments, tiers)
            return matching, _parts(query, ids)
        match_cost = SCORED_LIST_MATCH_COST if scored_list_kept else MATCH_COST
        if not _reads_in_list_order(total, self._newest_id(), reach, match_cost):
            return matching, _parts(query, ids)
        if scored_list_kept:
            return true(), _scored_list_parts(query, segments, tiers)
        checked = _matching(query, segments, ids, tiers, in_list_order=True, through_search_index=False)
        return checked, _parts(query, ids, in_list_order=True)

    def _with_predictions(self, client_ids: Sequence[int]) -> dict[int, Any]:
        """The clients of a page with their current predictions, by id. A page's clients are picked
        first (their ids and sort keys, `_Part.picked`) and read with their predictions afterwards, so that a
        page sorted out of many matches reads the predictions of its own clients only."""
        statement = select(clients, *_PREDICTIONS).select_from(_LISTED).where(clients.c.id.in_(client_ids))
        return {row.id: row for row in self.session.execute(statement)}

    def stream(
        self,
        query: ClientListQuery,
        segments: SegmentRule,
        *,
        ids: Collection[int] | None = None,
        tiers: TierCuts | None = None,
        limit: int | None = None,
    ) -> Iterator[ClientListItem]:
        """One statement in the list's order, its rows fetched `STREAM_ROWS` at a time."""
        indexed = self._searched_through_index(query.q, SORTED_MATCHES_AT_MOST)
        statement = (
            select(clients, *_PREDICTIONS)
            .select_from(_LISTED)
            .where(_matching(query, segments, ids, tiers, through_search_index=indexed))
            .order_by(*_ordering(query))
            .limit(limit)
            .execution_options(yield_per=STREAM_ROWS)
        )
        for row in self.session.execute(statement):
            yield _list_item(row, segments, tiers)

    def _read_past(
        self,
        query: ClientListQuery,
        matching: ColumnElement[bool],
        position: ListPosition,
        limit: int,
        parts: Sequence[_Part],
    ) -> Sequence[Any]:
        """Up to `limit` clients past `position`, in the list's order: those after it, or (read
        `before`) those before it, read from it backwards and then put back in order.

        The list is read in parts: the clients with a value of the sort column, then (for a
        prediction, which a client may not have yet) those without one, by id. Each part is read from
        the index of its order, starting at the position, so that the clients before it are not read.
        """
        forward = query.before is None
        if not forward:
            parts = parts[::-1]
        starting = next(part for part in parts if part.keyed == (position.key is not None))
        rows: list[Any] = []
        for part in parts[parts.index(starting) :]:
            past = part.past(position, query.descending, forward) if part is starting else true()
            statement = (
                select(*part.picked)
                .select_from(part.source)
                .where(matching, part.condition, past)
                .order_by(*part.ordering(query.descending, forward, searched=bool(query.q)))
                .limit(limit - len(rows))
            )
            rows += self.session.execute(statement).all()
            if len(rows) == limit:
                break
        return rows if forward else rows[::-1]

    def _read_from_the_end(
        self,
        query: ClientListQuery,
        matching: ColumnElement[bool],
        counts: tuple[int, int | None],
        limit: int,
        parts: Sequence[_Part],
        ids: Collection[int] | None,
    ) -> Sequence[Any]:
        """The clients of a numbered page past the middle of the list: read backwards from its end,
        stepping over the clients after the page, then put back in order. An index is stepped through
        one entry at a time, so a page near the end is reached this way through few clients, not
        through every client before it."""
        total, predicted = counts
        wanted = min(limit, total - query.offset)
        skip = total - query.offset - wanted
        sizes = [total]
        if len(parts) > 1:
            if predicted is None:
                predicted = self._count_predicted(query, matching, total, parts, ids)
            sizes = [predicted, total - predicted]
        rows: list[Any] = []
        for part, size in reversed(list(zip(parts, sizes, strict=True))):
            if skip >= size:
                skip -= size
                continue
            statement = (
                select(*part.picked)
                .select_from(part.source)
                .where(matching, part.condition)
                .order_by(*part.ordering(query.descending, forward=False, searched=bool(query.q)))
                .offset(skip)
                .limit(wanted - len(rows))
            )
            rows += self.session.execute(statement).all()
            skip = 0
            if len(rows) == wanted:
                break
        return rows[::-1]

    def _count_predicted(
        self,
        query: ClientListQuery,
        matching: ColumnElement[bool],
        total: int,
        parts: Sequence[_Part],
        ids: Collection[int] | None,
        up_to: int | None = None,
    ) -> int:
        """The matching clients who have the prediction the list is sorted by, out of the `total` that
        match. Read from the scored clients' list, the few without it are counted, in one range of the
        sort's index (the sort key IS NULL). Otherwise those with it are counted as the list's total is
        (`_count_of_list`): from the current predictions' indexes alone unless a search or ids read the
        clients; only `up_to` of them when a page needs no more (whether they reach past its start, or
        how many there are when fewer do)."""
        _, unpredicted = parts
        if unpredicted.source is scored_client_list:
            counted_apart = select(func.count()).select_from(scored_client_list).where(unpredicted.condition)
            return total - (self.session.scalar(counted_apart) or 0)
        key = _SORT_KEYS[query.sort_column]
        counted = _count_of_list(query, and_(matching, key.is_not(None)), ids, sorted_by=key.table)
        return self.session.scalar(counted if up_to is None else _counted_up_to(counted, up_to)) or 0

    def _page_sorted_by_prediction(
        self,
        query: ClientListQuery,
        matching: ColumnElement[bool],
        counts: tuple[int, int | None],
        limit: int,
        parts: Sequence[_Part],
        ids: Collection[int] | None,
    ) -> Sequence[Any]:
        """Predicted clients in the asked-for order, then the clients not predicted yet, by id.

        The same order as NULLS LAST, read in two parts so that the first is driven by the index of
        current prediction values instead of sorting every client (about 40 ms instead of 600 ms for
        100,000 clients on SQLite). The predicted clients are counted only when the page is not filled
        by them, unless they are picked through the clients in the index's order: counting is most of a
        page's time at 1,000,000 clients when the index alone is stepped through, and far less than
        stepping through the clients to find a later page empty. A search's matches are read whole and
        sorted (`_sorted_apart`), a page past them no dearer than one among them: counting first would
        only add to it (`q=kowal` by forecast, 39,960 matches: 27-32 ms).
        """
        predicted, unpredicted = parts
        total, counted = counts
        if counted is None and query.offset > 0 and predicted.reads_clients and not query.q:
            counted = self._count_predicted(query, matching, total, parts, ids, up_to=query.offset + 1)
        rows: Sequence[Any] = ()
        if counted is None or query.offset < counted:
            page = (
                select(*predicted.picked)
                .select_from(predicted.source)
                .where(matching, predicted.condition)
                .order_by(*predicted.ordering(query.descending, forward=True, searched=bool(query.q)))
                .offset(query.offset)
                .limit(limit)
            )
            rows = self.session.execute(page).all()
        missing = limit - len(rows)
        if missing > 0:
            if counted is None:
                counted = self._count_predicted(query, matching, total, parts, ids, up_to=query.offset + 1)
            rest = (
                select(*unpredicted.picked)
                .select_from(unpredicted.source)
                .where(matching, unpredicted.condition)
                .order_by(*unpredicted.ordering(query.descending, forward=True))
                .offset(max(0, query.offset - counted))
                .limit(missing)
            )
            rows = [*rows, *self.session.execute(rest)]
        return rows


STREAM_ROWS = 2_000
"""Rows of a streamed list held in memory at a time."""


def lists_turn(session: Session) -> None:
    """Wait for the other writers of the scored clients' list to end (`held`): every writer of it takes
    its turn first, before it locks any client, prediction or entry. One that took a client's lock and
    then waited for the turn would wait for ever beside a deletion that took the turn and waits for
    that client (PostgreSQL would abort one of them)."""
    held(session, SCORED_LIST)


def relist(session: Session, client_ids: Collection[int], counted_up: str) -> None:
    """The clients' entries of the scored clients' list written again from their current predictions
    and their own columns, when the list was kept up to the write this transaction made, which counted
    up the revision `counted_up` and holds it until the transaction ends: no other write of that kind
    can come between. A write of the other kind that commits meanwhile is read, as the writers of the
    list take turns: the caller took its turn before its first write (`lists_turn`), so the first to
    commit keeps it as of the other's revision before that write, the second relists its clients on
    top."""
    state = _scored_list_state(session)
    before = [
        number - (name == counted_up) for name, number in zip(SCORED_LIST_REVISIONS, state, strict=True)
    ]
    if not is_kept(session, SCORED_LIST, before):
        return
    columns = list(_SCORED_LIST_ROWS.selected_columns.keys())
    for chunk in chunks(sorted(client_ids), CHUNK_SIZE):
        rows = _SCORED_LIST_ROWS.where(clients.c.id.in_(chunk))
        upsert = insert_or_update(session, scored_client_list).from_select(columns, rows)
        written = {column: upsert.excluded[column] for column in columns if column != "client_id"}
        session.execute(upsert.on_conflict_do_update(index_elements=["client_id"], set_=written))
    keep(session, SCORED_LIST, state, len(client_ids))


def _scored_list_state(session: Session) -> list[int]:
    """What the scored clients' list is written from: the revisions of the predictions and of the
    clients (`SCORED_LIST_REVISIONS`)."""
    return [revision(session, name) for name in SCORED_LIST_REVISIONS]


def _insert_returning_ids(session: Session, batch: Sequence[Client]) -> list[int]:
    # Sorted by parameter order, the ids come back in the order the clients were given.
    statement = insert(clients).returning(clients.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, [CLIENTS.values(client) for client in batch]).scalars())


_FORECAST, _PURCHASE, _ACTIVE = "forecast_", "purchase_", "active_"


def _scored_client() -> Select[Any]:
    """A client with its current predictions, its newest snapshot's date (the end of the client's range
    of the (client_id, observed_on) unique index) and the active versions: one row of index lookups, from
    a statement built once."""
    client_id = bindparam("client_id", type_=Integer)
    newest_day = select(func.max(client_activity.c.observed_on)).where(
        client_activity.c.client_id == client_id
    )

    def active(kind: ModelKind) -> Any:
        version = select(model_runs.c.version).where(model_runs.c.is_active, model_runs.c.kind == kind.value)
        return version.scalar_subquery().label(_ACTIVE + kind.value)

    def current(table: Table) -> ColumnElement[bool]:
        return and_(table.c.client_id == clients.c.id, table.c.is_current)

    return (
        select(
            clients,
            *labelled(sales_predictions, _FORECAST),
            *labelled(purchase_predictions, _PURCHASE),
            newest_day.scalar_subquery().label("latest_observed_on"),
            *(active(kind) for kind in ModelKind),
        )
        .select_from(clients)
        .outerjoin(sales_predictions, current(sales_predictions))
        .outerjoin(purchase_predictions, current(purchase_predictions))
        .where(clients.c.id == client_id)
    )


SCORED_CLIENT = _scored_client()


def scored_of(row: Any) -> ScoredClient:
    """The client of a row of `SCORED_CLIENT`, with what its overview is made of."""
    return ScoredClient(
        CLIENTS.from_row(row),
        FORECASTS.from_row_or_none(row, _FORECAST),
        PURCHASES.from_row_or_none(row, _PURCHASE),
        latest_observed_on=row.latest_observed_on,
        active_versions={kind: getattr(row, _ACTIVE + kind.value) for kind in ModelKind},
    )


def _refuse_email(email: str) -> Translation:
    return lambda violation: DuplicateEmail(email) if violation is Violation.UNIQUE else None


# The client list in one place: each client with its current predictions (if any), joined through
# the partial unique indexes on (client_id) WHERE is_current, and the sort key of every column.
_sales = sales_predictions.alias("current_sales")
_purchase = purchase_predictions.alias("current_purchase")


def _current_of_client(predictions: Any) -> ColumnElement[bool]:
    """A row of `predictions` that is the client's current one."""
    return and_(predictions.c.client_id == clients.c.id, predictions.c.is_current)


def _with_current(*predictions: FromClause) -> FromClause:
    """The clients, each with its current row (if any) of the `predictions` tables."""
    joined: FromClause = clients
    for table in predictions:
        joined = joined.outerjoin(table, _current_of_client(table))
    return joined


_LISTED = _with_current(_sales, _purchase)
_LISTED_READING = {  # by whether the sales and the purchase predictions are read
    (False, False): clients,
    (True, False): _with_current(_sales),
    (False, True): _with_current(_purchase),
    (True, True): _LISTED,
}
_PREDICTIONS = (
    _sales.c.value.label("predicted_sales"),
    _purchase.c.probability.label("purchase_probability"),
    _purchase.c.will_buy.label("will_buy"),
    _purchase.c.expected_value.label("contact_worth"),
)
_SORT_KEYS: dict[ClientSort, ColumnElement[Any]] = {
    ClientSort.LAST_NAME: func.lower(clients.c.last_name),
    ClientSort.FIRST_NAME: func.lower(clients.c.first_name),
    ClientSort.EMAIL: clients.c.email_key,
    ClientSort.REGISTERED_ON: clients.c.registered_on,
    ClientSort.PREDICTED_SALES: _sales.c.value,
    ClientSort.PURCHASE_PROBABILITY: _purchase.c.probability,
    # The worth recorded with the current purchase prediction: in order in its partial index.
    ClientSort.EXPECTED_VALUE: _purchase.c.expected_value,
}
_SCORED_LIST_KEYS: dict[ClientSort, ColumnElement[Any]] = {
    ClientSort.LAST_NAME: scored_client_list.c.last_name_key,
    ClientSort.FIRST_NAME: scored_client_list.c.first_name_key,
    ClientSort.EMAIL: scored_client_list.c.email_key,
    ClientSort.REGISTERED_ON: scored_client_list.c.registered_on,
    ClientSort.PREDICTED_SALES: scored_client_list.c.value,
    ClientSort.PURCHASE_PROBABILITY: scored_client_list.c.probability,
    ClientSort.EXPECTED_VALUE: scored_client_list.c.expected_value,
}
"""The sort keys in the scored clients' list, as `_SORT_KEYS` spells them; those of the predictions are
named as in the predictions' tables, which the list's filters read."""
_RANKED_BY: dict[ClientSort, tuple[Any, ColumnElement[bool]]] = {
    # `value >= 0` holds for every forecast (its check): a range of the value, with which SQLite reads a
    # match's forecast from the index of the current values by client rather than from its row.
    ClientSort.PREDICTED_SALES: (_sales, and_(_current_of_client(_sales), _sales.c.value >= 0)),
    ClientSort.PURCHASE_PROBABILITY: (_purchase, _current_of_client(_purchase)),
    ClientSort.EXPECTED_VALUE: (
        _purchase,
        and_(_current_of_client(_purchase), _purchase.c.expected_value.is_not(None)),
    ),
}
"""The prediction each sort reads, and how a client who has it is reached from that prediction's index."""
_MAYBE_MISSING = set(_RANKED_BY)
"""Sort keys that are NULL for a client not predicted yet: such clients come last either way."""

LIST_TOTAL_REVISIONS = (PREDICTIONS_REVISION, SNAPSHOT_REVISION)
"""The revisions a list's kept total is counted as of (`_kept_total`)."""


def _list_total_name(query: ClientListQuery) -> str:
    """The name a list's total is kept under: one per combination of the prediction filters."""
    filters = {"segment": query.segment, "will_buy": query.will_buy, "tier": query.tier}
    asked = " ".join(f"{name}={getattr(value, 'value', value)}" for name, value in filters.items())
    return f"list_total {asked}"


SCORED_LIST = "scored_client_list"
"""The name the scored clients' list is kept under (`adapters.sqlalchemy.kept`)."""
SCORED_LIST_REVISIONS = (PREDICTIONS_REVISION, CLIENTS_REVISION)
"""The revisions the scored clients' list is kept as of. (A client deleted leaves it with its predictions,
ON DELETE CASCADE, and leaves it as exact as it was.)"""
_SCORED_LIST_ROWS = (
    select(
        clients.c.id.label("client_id"),
        *(_SORT_KEYS[sort].label(key.key) for sort, key in _SCORED_LIST_KEYS.items()),
        _purchase.c.will_buy,
        folded_text_of(clients.c.first_name).label(scored_client_list.c.folded_text.key),
    )
    .select_from(_LISTED)
    .where(or_(_sales.c.client_id.is_not(None), _purchase.c.client_id.is_not(None)))
    .order_by(clients.c.id)
)
"""The rows of the scored clients' list: each client with a current prediction, its sort keys and values."""


def _listed(query: ClientListQuery, in_list_order: bool = False, counted: bool = False) -> FromClause:
    """The clients with the current predictions the query's filters (unless each is checked `in_list_order`,
    `_matching`) or order (unless only `counted`) read, and no others. SQLite leaves an unread join out
    only when it reads that join through its unique index, which it may not choose: at 1,000,000 clients,
    page 20,000 by name took 0.8 s with the joins, 20 ms without."""
    read = [] if in_list_order else _filtered_predictions(query)
    if query.sort_column in _MAYBE_MISSING and not counted:
        read.append(_SORT_KEYS[query.sort_column].table)
    return _LISTED_READING[(_sales in read, _purchase in read)]


def _filtered_predictions(query: ClientListQuery) -> list[FromClause]:
    """The current predictions a filter of the query reads."""
    return [
        table
        for table, filtered in (
            (_sales, query.segment is not None),
            (_purchase, query.will_buy is not None or query.tier is not None),
        )
        if filtered
    ]


def _matching(
    query: ClientListQuery,
    segments: SegmentRule,
    ids: Collection[int] | None = None,
    tiers: TierCuts | None = None,
    *,
    in_list_order: bool = False,
    through_search_index: bool,
) -> ColumnElement[bool]:
    """The search text, the segment, decision and tier filters (a client not predicted matches none),
    and the chosen ids (at most `MAX_EXPORT_IDS`: one IN list, through the primary key).

    Each filter is found through its index of current values, read from the joined current
    predictions (`_listed`), unless `in_list_order`: then each is checked on the clients read in the
    list's order (`_reads_in_list_order`), as a current prediction of the client's that meets it,
    looked up in the index of current values by client."""
    conditions = [_containing(query.q, through_search_index)]
    if ids is not None:
        conditions.append(clients.c.id.in_(sorted(ids)))
    for table, meets in _prediction_filters(query, segments, tiers).items():
        conditions.append(_has_current(table, meets) if in_list_order else meets(table))
    return and_(*conditions)


_Filter = Callable[[FromClause], ColumnElement[bool]]


def _prediction_filters(
    query: ClientListQuery, segments: SegmentRule, tiers: TierCuts | None
) -> dict[FromClause, _Filter]:
    """What the query's filters ask of each kind of current prediction, spelt for any of its aliases."""
    asked: dict[FromClause, list[_Filter]] = {}
    if query.segment is not None:
        segment = query.segment
        asked.setdefault(_sales, []).append(lambda rows: in_segment(rows.c.value, segments, segment))
    if query.will_buy is not None:
        will_buy = query.will_buy
        asked.setdefault(_purchase, []).append(lambda rows: rows.c.will_buy == will_buy)
    if query.tier is not None:
        # The worth recorded with the current purchase prediction: a range of its partial index.
        tier = query.tier
        asked.setdefault(_purchase, []).append(
            lambda rows: false() if tiers is None else in_tier(rows.c.expected_value, tiers, tier)
        )
    return {table: _all_of(filters) for table, filters in asked.items()}


def _all_of(filters: list[_Filter]) -> _Filter:
    return lambda rows: and_(*(meets(rows) for meets in filters))


def _has_current(predictions: FromClause, meets: _Filter) -> ColumnElement[bool]:
    """The client has a current prediction of that kind which `meets` the filter. (It selects a column of
    the index: SQLite reads the table behind the index for `EXISTS (SELECT * ...)`.)"""
    rows = predictions.element.alias()  # type: ignore[attr-defined]
    found = select(rows.c.client_id).where(rows.c.client_id == clients.c.id, rows.c.is_current, meets(rows))
    return found.exists()


def _reads_in_list_order(matches: int, clients_at_most: int, reach: int, match_cost: float) -> bool:
    """Whether the clients a filtered page holds are found quicker by reading every client in the
    list's order (an index of clients) and keeping those that match than by reading every match
    through the filters' indexes and sorting them: when matches are common, a page's worth turns up
    soon. About `reach * clients / matches` clients are read to fill a page `reach` clients into the
    list that way, against `matches` the other way, each of which costs about `match_cost` clients read
    in order (`MATCH_COST`, or `SCORED_LIST_MATCH_COST` read from the scored clients' list). That holds
    for the predictions' filters, which have nothing to do with names, emails or dates; not for a
    search, whose matches share a name and so come together in the list sorted by name (`_reading`)."""
    return reach * clients_at_most < match_cost * matches * matches


MATCH_COST = 3
"""A match read through its filter's index costs about three clients read in the list's order and checked
(`_reads_in_list_order`): each match is looked up among the clients and sorted. On SQLite at 1,000,000
clients, the middle page of 196,131 matches took 0.70 s the first way (3.6 µs a match), 0.47 s the
second (half a million clients read, 0.94 µs each)."""
SCORED_LIST_MATCH_COST = 50
"""A match read through its filter's index costs about fifty entries of the scored clients' list read in
its order: each entry holds the values filtered on, so checking one reads nothing else. On SQLite at
1,000,000 clients, the middle page of `segment=low` (half a million entries in) took 33 ms, 0.07 µs an
entry, against 3.6 µs a match."""


SORTED_MATCHES_AT_MOST = 80_000
"""A search whose index gives more candidates than this walks the index of its sort for a page (`_walked`):
reading and sorting every match costs 1.2-2.4 us a candidate on SQLite (110 ms for 60,240; 117 ms for
99,948 checked by SQLite's own LIKE, 153 ms by the folding function), where a walk may pass whole
clusters of a common surname before it gives up (`lew`: 250 ms). 120,000 was tried with the cheaper
check: `kow` sorted by forecast took 375-436 ms instead of 23-425."""
SORTED_ALL_AT_MOST = 1_000_000
"""A page of a text shorter than a trigram that the walk of its sort's index did not fill (`_walked`) is read
from the search index's candidates, sorted, when the rows holding a trigram that begins with the text
number this many at most; else from every client, checked and sorted. On SQLite at 1,000,000 clients, the
last page by name of `q=ak` (217,347 such rows) took 275 ms the first way, 761 ms the second; `q=ki`
(640,896) 380 against 655 ms."""
WALKED_PER_SORTED_MATCH = 12
"""How many clients PostgreSQL walks, checked from a sort's index, in the time it reads and sorts one match
through the trigram indexes (`_walk_reads_less`). On a database of 1,000,000 clients, whose rows were read
from outside PostgreSQL's own buffers: walking by name to the 10,000th client holding `zo`, 796,000
clients in, took 327 ms (0.4 us a client); reading and sorting the 39,960 matches of `q=kowal`, 115-190 ms
(3-5 us a match)."""
WALKED_BY_PREDICTION_PER_SORTED_MATCH = 2
"""How many clients PostgreSQL walks in a prediction's order, each looked up in the index of the clients by
id that holds their folded texts (migration 0031_clients_folded_by_id), in the time it reads and sorts one
match through the trigram indexes (`_walk_by_prediction_reads_less`). At 1,000,000 clients: the walk of
`q=ak` by falling forecast passed 50,005 clients in 103-123 ms (2.1-2.5 us a client); reading and sorting
the 39,952 matches of `q=kowal` by forecast took 226 ms (5.7 us a match)."""
WALKED_IN_SCORED_LIST_PER_SORTED_MATCH = 12
"""How many clients PostgreSQL walks in a prediction's order through the scored clients' list's index of it,
whose entries hold each client's folded text (migration 0032_scored_list_folded_text), in the time it
reads and sorts one match through the trigram indexes (`_walk_by_prediction_reads_less`). At 1,000,000
clients, the last page of 25 by falling forecast (pages 1 and 400 of each, ms): `q=kowal` walked 37 / 113,
its 39,952 matches sorted 31 / 221 (0.33 us a client walked, 4.8 us a match sorted); `q=wyso` walked
27 / 225, its 19,846 matches sorted 21 / 114 (0.39 and 4.7 us)."""
SAMPLED_CLIENTS = 10_000
"""How many clients PostgreSQL looks in for a text of two letters, to judge whether so few contain it that
its trigram indexes find it quicker than the clients read in order (`_held_by_few`). At 1,000,000 clients,
of the 10,805 sampled, 338 contain `zo` (through its indexes, first / middle / last page: 48 / 214 / 216
ms, against 114 / 492 / 449 without), 1,840 `sz` (90 / 109 / 126 against 51 / 67 / 85), 3,544 `ki` (172
/ 176 / 170 against 61 / 62 / 67)."""
WALKED_AT_LEAST = 50_000
WALKED_PER_CLIENT = 5
"""A page of a widely matching search walks through at most `WALKED_PER_CLIENT` clients for each one up to
the page's end, and at least `WALKED_AT_LEAST` (`_walked`), before it reads every match instead. On SQLite
each client walked and checked costs about 2 us (50,000 in 105-113 ms); fewer would give up inside the
first cluster of one surname, the demo company's hold about 10,000 clients each."""
WALKED_FURTHER = 4
"""How many times further a walk goes in an order whose index does not hold each client's folded text, by a
prediction (`_walked`; by name, registration or email a walk never stops short, `_walks_every_client`).

On SQLite, such a walk may look for a client among the search index's candidates before it reads the
client's row (`_candidates_first`), and a text not searched through the index is common, so its matches
come soon. Walking 200,000 clients, instead of 50,000, took `q=kow` by forecast (its candidates looked
among first) from 15 / 55 / 232 ms to 26 / 36 / 46, and `q=ak` by falling forecast from 42 / 120 / 362 to
43 / 118 / 193. On PostgreSQL, which checks each client from the index of the clients by id that holds
their folded texts (migration 0031_clients_folded_by_id), `q=ak` by falling forecast went from
61 / 256 / 691 ms to 98 / 174 / 235, `q=ó` from 68 / 505 / 640 to 57 / 181 / 278: their walks no longer
give up before the 400th page, which then read and sorted every match."""


def _candidates_first(candidates: int, reach: int, clients_at_most: int) -> bool:
    """Whether a walk on SQLite, in an order whose index holds no folded text, looks for each client among
    the search index's `candidates` before it reads the client's row: when gathering them costs less than
    the rows it spares. A walk to the `reach`th match passes about `reach` clients for each share of them
    that are candidates."""
    walked = reach * clients_at_most / max(candidates, 1)
    return candidates * CANDIDATE_GATHERED_US < walked * ROW_SPARED_US


CANDIDATE_GATHERED_US = 0.55
ROW_SPARED_US = 1.35
"""What a walk on SQLite in an order whose index holds no folded text pays for each of the search index's
candidates it gathers first, and saves for each client walked past whose row it then need not read
(`_candidates_first`). At 1,000,000 clients (numbered pages 1 / 200 / 400 of 25, ms), gathering first
took `q=@example` (every client a candidate) by falling forecast 611-689 on every page, reading the rows
46 / 56 / 65; `q=kow` (99,948 candidates) 41 / 94 / 100, reading the rows 29 / 149 / 212."""


WALKED_FROM_THE_INDEX = frozenset(
    {ClientSort.LAST_NAME, ClientSort.FIRST_NAME, ClientSort.REGISTERED_ON, ClientSort.EMAIL}
)
"""The sorts whose indexes hold what a search checks, each client's full name and email folded (on
PostgreSQL migration 0028_folded_search_texts, on SQLite 0029_sqlite_folded_text and
0030_sqlite_folded_sort_indexes): their walks never stop short (`_walks_every_client`)."""


def _page_reach(query: ClientListQuery) -> int:
    """How many clients into the list, from where the page starts, its end lies: the page and one more,
    after the numbered pages before it (none when the page starts at an `after` or `before` position)."""
    numbered = query.after is None and query.before is None
    return query.per_page + 1 + (query.offset if numbered else 0)


def _walk_length(reach: int) -> int:
    return max(WALKED_AT_LEAST, WALKED_PER_CLIENT * reach) * WALKED_FURTHER


def _scored_list_parts(query: ClientListQuery, segments: SegmentRule, tiers: TierCuts | None) -> list[_Part]:
    """The list read from the scored clients' list, in the index of its sort: each filter checked on the
    values an entry holds, which are named as in the predictions' tables. Sorted by a prediction, the
    clients without it (predicted only the other way) come after the others, as in `_parts`."""
    rows = scored_client_list
    filters = _prediction_filters(query, segments, tiers).values()
    key, listed = _SCORED_LIST_KEYS[query.sort_column], rows.c.client_id
    meeting_them = _off_other_indexes(and_(true(), *(meets(rows) for meets in filters)), key)
    if query.sort_column not in _MAYBE_MISSING:
        return [_Part(rows, key, keyed=True, where=meeting_them, client_id=listed)]
    valued = and_(meeting_them, key.is_not(None))
    return [
        _Part(rows, key, keyed=True, where=valued, client_id=listed),
        _Part(rows, key, keyed=False, where=meeting_them, client_id=listed),
    ]


def _off_other_indexes(condition: ColumnElement[bool], key: ColumnElement[Any]) -> ColumnElement[bool]:
    """`condition` on the scored list's values, each but the sort's `key` read `unindexed`: a page walks
    the index of its sort. Left to choose, SQLite read a range of a value's index with two ends (the
    medium segment, the middle tiers) and sorted every match: 0.45-1.0 s for 412,939 of 1,000,000."""

    def off_its_index(element: Any, **_: Any) -> Any:
        if isinstance(element, Column) and element.table is scored_client_list and element is not key:
            return unindexed(element, type_=element.type)
        return None

    return replacement_traverse(condition, {}, off_its_index)


def _containing(q: str, through_search_index: bool) -> ColumnElement[bool]:
    """Clients whose full name or email contains `q`, ignoring case (the full name holds both names),
    found through the search index when `through_search_index`."""
    if not q:
        return true()
    needle = _searched_needle(q)
    if needle is None:
        return false()
    names, email = (clients.c.first_name, clients.c.last_name), clients.c.email
    contains = client_contains(needle)
    if not through_search_index:
        return contains
    found: ColumnElement[bool] = found_by_search_index(clients.c.id, search_query(needle))
    if len(needle) < SEARCH_INDEX_MIN_LENGTH:
        found = and_(found, short_text_by_trigrams(needle, names, (email,)))
    return and_(found, contains)


def _listed_containing(q: str) -> ColumnElement[bool]:
    """The scored clients' list's entries whose folded text holds `q`, as `_containing` finds clients."""
    needle = _searched_needle(q)
    if needle is None:
        return false()
    return folded_text_holds(needle, scored_client_list.c.folded_text)


def _searched_needle(q: str) -> str | None:
    """What a search for `q` looks for: `q` in lower case; None when no client holds it, as it holds the
    separator the search texts put between a client's full name and email."""
    needle = q.lower()
    return None if SEARCH_SEPARATOR in needle else needle


_EVERY_CLIENT = select(number_of_clients())
"""The number of clients, as each database gives it quickest (a count of SQLite's table more than doubles
with a WHERE of 1 = 1 at 1,000,000 clients)."""


def _count_of_list(
    query: ClientListQuery,
    matching: ColumnElement[bool],
    ids: Collection[int] | None = None,
    sorted_by: FromClause | None = None,
    with_values_of: ColumnElement[Any] | None = None,
) -> Select[Any]:
    """How many clients match, counted through the fewest rows: only the predictions a filter reads
    (and those `sorted_by`, when `matching` reads them) are joined, and without a search text the
    clients themselves are not (every prediction has its client), so that the partial indexes of
    current predictions answer a filtered count alone. With a search or ids, `with_values_of` (a
    prediction's column) adds a second count: the matches with a current value of it."""
    predictions = _filtered_predictions(query)
    if sorted_by is not None and sorted_by not in predictions:
        predictions.append(sorted_by)
    currents = [table.c.is_current for table in predictions]
    counted: FromClause
    if query.q or ids is not None:  # the search and the ids read the clients themselves
        counted = clients
        for table in predictions:
            counted = counted.join(table, table.c.client_id == clients.c.id)
        counts: list[Any] = [func.count()]
        if with_values_of is not None:
            valued = with_values_of.table
            if valued not in predictions:
                current = and_(valued.c.client_id == clients.c.id, valued.c.is_current)
                counted = counted.outerjoin(valued, current)
            counts.append(func.count(with_values_of))
        return select(*counts).select_from(counted).where(matching, *currents)
    if not predictions:
        return _EVERY_CLIENT
    first, *others = predictions
    counted = first
    for table in others:
        counted = counted.join(table, table.c.client_id == first.c.client_id)
    return select(func.count()).select_from(counted).where(matching, *currents)


def _counted_up_to(count: Select[Any], most: int) -> Select[Any]:
    """The rows `count` counts, counted up to `most`: the reading stops there."""
    rows = count.with_only_columns(literal(1)).limit(most)
    return select(func.count()).select_from(rows.subquery())


def _page_of_list(
    query: ClientListQuery, part: _Part, matching: ColumnElement[bool], *, limit: int
) -> Select[Any]:
    return (
        select(*part.picked)
        .select_from(part.source)
        .where(matching, part.condition)
        .order_by(*part.ordering(query.descending, forward=True, searched=bool(query.q)))
        .offset(query.offset)
        .limit(limit)
    )


@dataclass(frozen=True)
class _Part:
    """A part of the list in order: the clients with a value of the sort column (`keyed`), reached
    from `source`, or those without one (a prediction not made yet), who come after them by id.

    A part holds the clients whose `source` rows meet `where` (and, unless keyed, lack the sort column's
    value); their ids are `client_id`."""

    source: FromClause
    key: ColumnElement[Any]
    keyed: bool
    where: ColumnElement[bool] = field(default_factory=true)
    client_id: ColumnElement[int] = clients.c.id

    @property
    def reads_clients(self) -> bool:
        """Whether the part is picked through the clients, not from a prediction's index alone."""
        return self.client_id is clients.c.id or self.source is not getattr(self.key, "table", None)

    @property
    def picked(self) -> tuple[Any, ...]:
        """What picks a page's clients: their ids and values of the sort column."""
        return (self.client_id, self.key.label("sort_key"))

    @property
    def condition(self) -> ColumnElement[bool]:
        return self.where if self.keyed else and_(self.where, _not_predicted(self.key))

    def ordering(self, descending: bool, forward: bool, searched: bool = False) -> list[ColumnElement[Any]]:
        """The list's order (`_ordering`) read forward, or read backwards from the end."""
        falling = self._falling(descending, forward)
        ids = self.client_id.desc() if falling else self.client_id.asc()
        if not self.keyed:
            return [ids]
        key = _sorted_apart(self.key) if searched else self.key
        return [key.desc() if falling else key.asc(), ids]

    def _falling(self, descending: bool, forward: bool) -> bool:
        """Whether the part is read with its ids falling: in a keyed part the sort key and the id fall
        or rise together, as an index of (key, id) is read; the others are in id order."""
        return descending == forward if self.keyed else not forward

    def past(self, position: ListPosition, descending: bool, forward: bool) -> ColumnElement[bool]:
        """The clients of this part beyond `position` in the reading direction. A keyed part's range
        of values is what its index serves; the rest only steps over the ties at the position's value."""
        client_id = self.client_id
        falling = self._falling(descending, forward)
        beyond_id = client_id < position.client_id if falling else client_id > position.client_id
        if not self.keyed:
            return beyond_id
        value = position.key
        if falling:
            return and_(self.key <= value, or_(self.key < value, beyond_id))
        return and_(self.key >= value, or_(self.key > value, beyond_id))


def _not_predicted(key: ColumnElement[Any]) -> ColumnElement[bool]:
    """The clients without a value of `key`, a prediction's column: for a column never NULL, those whose
    join found no current prediction. PostgreSQL reads that as an anti-join, one index lookup per client
    (2.5 ms for the last page sorted by forecast at 1,000,000 clients), where a missing value of the
    column was only found after joining every prediction (570 ms)."""
    column: Any = key
    if column.nullable:
        return key.is_(None)
    return column.table.c.client_id.is_(None)


def _parts(query: ClientListQuery, ids: Collection[int] | None, in_list_order: bool = False) -> list[_Part]:
    key = _SORT_KEYS[query.sort_column]
    if query.sort_column not in _MAYBE_MISSING:
        return [_Part(_listed(query, in_list_order), key, keyed=True)]
    return [_predicted(query, ids), _Part(_listed(query), key, keyed=False)]


def _predicted(query: ClientListQuery, ids: Collection[int] | None) -> _Part:
    """The clients who have the prediction the list is sorted by. Unless a search, the ids or a filter
    of the other prediction read more, they are picked from that prediction's index alone, which holds
    the client ids (every current prediction has its client): a numbered page half a million clients
    in steps over index entries only, not over the clients and predictions behind them."""
    key = _SORT_KEYS[query.sort_column]
    predictions: Any = key.table
    if query.q or ids is not None or any(table is not predictions for table in _filtered_predictions(query)):
        # Ordered by the prediction's own client id, the index of (value, client id) gives the order whole.
        return _Part(_ranked_from(query), key, keyed=True, client_id=predictions.c.client_id)
    return _values_index(key)


def _ranked_from(query: ClientListQuery) -> FromClause:
    """The clients that have the prediction the list is sorted by, reached from that prediction's index,
    with the other prediction joined only when a filter reads it: PostgreSQL cannot leave out an outer
    join through a partial unique index, and would look up each client stepped over on the way to a
    page (10,000 look-ups for the 400th page of 25)."""
    predictions, reached_on = _RANKED_BY[query.sort_column]
    ranked = predictions.join(clients, reached_on)
    for other in _filtered_predictions(query):
        if other is not predictions:
            ranked = ranked.outerjoin(other, _current_of_client(other))
    return ranked


def _values_index(key: ColumnElement[Any]) -> _Part:
    """The clients who have a current value of `key`, a prediction's column, read from its index of
    current values alone (it holds the client ids)."""
    predictions: Any = key.table
    current = and_(predictions.c.is_current, key.is_not(None))
    return _Part(predictions, key, keyed=True, where=current, client_id=predictions.c.client_id)


def _ordering(query: ClientListQuery) -> list[ColumnElement[Any]]:
    """The asked-for order, ties broken by id in the same direction so that pages never overlap or skip
    a client; clients without the sorted prediction last, in id order (`ClientFilter`)."""
    key = _SORT_KEYS[query.sort_column]
    if query.q:
        key = _sorted_apart(key)
    if query.sort_column not in _MAYBE_MISSING:
        return [key.desc(), clients.c.id.desc()] if query.descending else [key.asc(), clients.c.id.asc()]
    if not query.descending:
        return [key.asc().nulls_last(), clients.c.id.asc()]
    # Ties fall by id; the clients without the prediction, after them, rise by id.
    return [key.desc().nulls_last(), case((key.is_(None), clients.c.id), else_=-clients.c.id).asc()]


def _sorted_apart(key: ColumnElement[Any]) -> ColumnElement[Any]:
    """The sort key as no index gives it in order, for a search: its matches are few and may all lie at
    one end of the sort's index, which PostgreSQL would otherwise walk from the start, checking every
    client (1.7 s for `q=wyso` at a million clients, 0.1 s when the matches are found first, then
    sorted)."""
    return func.coalesce(key, key)


def _list_item(row: Any, segments: SegmentRule, tiers: TierCuts | None) -> ClientListItem:
    forecast = row.predicted_sales
    return ClientListItem(
        client=CLIENTS.from_row(row),
        predicted_sales=forecast,
        purchase_probability=row.purchase_probability,
        will_buy=row.will_buy,
        segment=None if forecast is None else segments.segment_of(forecast),
        tier=None if tiers is None else tiers.tier_of(row.contact_worth),
        contact_worth=row.contact_worth,
    )
