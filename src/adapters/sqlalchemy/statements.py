"""Small helpers for executing Core statements through a session."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import cache, reduce
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    CursorResult,
    Delete,
    Insert,
    Integer,
    Select,
    String,
    Table,
    Update,
    and_,
    any_,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from adapters.sqlalchemy.engine import UNICODE_LOWER, read_once
from adapters.sqlalchemy.tables import (
    CLIENT_COUNT_TABLE,
    FOLDED_EMAIL,
    FOLDED_NAME,
    FOLDED_TEXT,
    SEARCH_LETTERS_TABLE,
    SEARCH_TABLE,
    SEARCH_TERMS_TABLE,
    clients,
)
from application.chunks import chunks

# Rows per executemany: large enough to amortise round trips, small enough to bound memory.
CHUNK_SIZE = 5_000


def bulk_insert(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Rows already in the driver's terms (see `DriverValues`) straight into `table`, in the session's
    transaction: PostgreSQL's COPY, else chunked executemany."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table.name, columns, rows)
        return
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({_placeholders(connection, columns)})"
    )
    for chunk in chunks(rows, CHUNK_SIZE):
        connection.exec_driver_sql(statement, chunk)


def _placeholders(connection: Connection, columns: Sequence[str]) -> str:
    """A driver-level parameter for each of `columns`, in the driver's own style."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return ", ".join(mark for _ in columns)


def copy_rows(
    connection: Connection, table_name: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Rows in the driver's terms into a PostgreSQL table through COPY, in the connection's transaction."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_new(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    unique: Sequence[str],
) -> int:
    """Rows in the driver's terms (see `DriverValues`) into `table`, skipping those whose `unique`
    columns are stored already or repeat an earlier row; how many were new. PostgreSQL: COPY into a
    temporary table of the transaction, then one INSERT from it (a COPY cannot skip a row, and an
    INSERT of many VALUES is slow to build and to parse); else chunked executemany, which SQLite's
    driver counts."""
    names = ", ".join(columns)
    skipping = f"ON CONFLICT ({', '.join(unique)}) DO NOTHING"
    if connection.dialect.name != "postgresql":
        statement = (
            f"INSERT INTO {table.name} ({names}) VALUES ({_placeholders(connection, columns)}) {skipping}"
        )
        return sum(
            connection.exec_driver_sql(statement, chunk).rowcount for chunk in chunks(rows, CHUNK_SIZE)
        )
    incoming = f"incoming_{table.name}"
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {incoming} ON COMMIT DROP "
        f"AS SELECT {names} FROM {table.name} WITH NO DATA"
    )
    connection.exec_driver_sql(f"TRUNCATE {incoming}")
    copy_rows(connection, incoming, columns, rows)
    inserted = connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {incoming} {skipping}"
    )
    return inserted.rowcount


def among_ids(session: Session, column: ColumnElement[int], ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL `column = ANY(ids)`, one array parameter however many ids. Else
    SQLAlchemy renders, and psycopg parses, a placeholder per id: a fifth of a first scoring's time."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=postgresql.ARRAY(Integer)))
    return column.in_(ids)


def number_blocks(
    session: Session, statement: Select[Any], rows_per_block: int
) -> Iterator[NDArray[np.float64]]:
    """The rows of `statement`, whose columns are all numbers (or NULL), as blocks of up to
    `rows_per_block` rows of floats, NULL as NaN: read straight from the driver's cursor, a server-side
    one on PostgreSQL, without a Row object per row (SQLAlchemy's result types are bypassed, so the
    statement must give numbers as the driver reads them)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    parameters: Any = compiled.params
    if compiled.positiontup is not None:
        parameters = tuple(parameters[name] for name in compiled.positiontup)
    driver = connection.connection.driver_connection
    on_postgresql = connection.dialect.name == "postgresql"
    with read_once(connection):
        cursor = driver.cursor(name="number_blocks") if on_postgresql else driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(str(compiled), parameters)
            while rows := cursor.fetchmany(rows_per_block):
                yield np.array(rows, dtype=np.float64)  # None becomes NaN
        finally:
            cursor.close()


class DriverValues:
    """Dates and moments as the session's driver takes them where SQLAlchemy's types are bypassed:
    SQLite holds them as text, as SQLAlchemy writes it (a moment in UTC, to the microsecond, which
    sorts in time order); PostgreSQL's driver takes Python's own."""

    def __init__(self, session: Session) -> None:
        self.on_sqlite = session.get_bind().dialect.name == "sqlite"
        self._days: dict[int, object] = {}

    def day(self, ordinal: int) -> object:
        """The date of a proleptic ordinal (`date.toordinal()`); dates repeat, so each is made once."""
        day = self._days.get(ordinal)
        if day is None:
            as_date = date.fromordinal(ordinal)
            day = self._days[ordinal] = as_date.isoformat() if self.on_sqlite else as_date
        return day

    def moment(self, moment: datetime) -> object:
        return sqlite_moment(moment) if self.on_sqlite else moment


def sqlite_moment(moment: datetime) -> str:
    """A moment as `UtcDateTime` writes it on SQLite: UTC text to the microsecond, in time order."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


def rows_changed(session: Session, statement: Update | Delete | Insert) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def revoke_secrets(session: Session, secrets: Table, user_id: int, at: datetime) -> int:
    """Revoke every stored secret of the user (API or remember-me tokens) not revoked yet; how many."""
    statement = (
        update(secrets)
        .where(secrets.c.user_id == user_id, secrets.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return rows_changed(session, statement)


LIKE_ESCAPE = "/"


def containing_pattern(text: str) -> str:
    """The LIKE pattern (ESCAPE '/') of the texts that contain `text`: its `%`, `_` and `/` are letters."""
    escaped = text.replace(LIKE_ESCAPE, 2 * LIKE_ESCAPE)
    for wildcard in "%_":
        escaped = escaped.replace(wildcard, LIKE_ESCAPE + wildcard)
    return f"%{escaped}%"


class contains_folded(GenericFunction[bool]):  # noqa: N801 (named like the SQL functions of `func`)
    """`contains_folded(containing_pattern(needle), clients.c.first_name, clients.c.last_name,
    clients.c.email)`, the columns of `clients` or of an alias of it (made by `client_contains`): whether the
    client's full name (the names joined by a space) or email contains the lower-case `needle`, every letter
    folded as Python's str.lower does. PostgreSQL reads the lower case it keeps of each (`folded_name`,
    `folded_email`: migration 0028_folded_search_texts), SQLite its `folded_text` (migration
    0029_sqlite_folded_text) folded again by the engine's own function, a call into Python per client."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True


class contains_spelt(contains_folded):  # noqa: N801
    """`contains_folded` followed by each spelling of the needle that SQLite's `folded_text` may hold
    (`spellings_in_folded_text`): there the engine's own `instr` looks for each, with no call into Python
    (0.17 us a client for one spelling, 0.28 for two, against 0.88 folding in Python)."""

    inherit_cache = True


FOLDING_TO_ASCII = ("\u0130", "\u212a")
"""The characters beyond ASCII whose lower case (str.lower) holds an ASCII one: İ -> i̇, \u212a -> k.
SQLite's `folded_text` holds their lower case (migration 0029_sqlite_folded_text)."""

SEARCH_SEPARATOR = "\x1f"
"""What SQLite's `folded_text` holds between the full name and the email, and the search index after each
(migration 0025_search_of_short_texts): a control character no name, email or search may hold."""

SPELLINGS_AT_MOST = 4
"""The most spellings of a needle SQLite looks for one by one; a needle with more is folded in Python."""


FOLDED_IN_CONTEXT = frozenset("\u03c3\u03c2")
"""σ and ς, the lower cases of Σ, which str.lower writes as ς at the end of a word and as σ elsewhere: a
needle holding either is folded in Python, with the text around each letter."""
CASED_BELOW = 0x1F000
"""Every character whose lower case (str.lower) is another lies below this (`_cases_folding_to`)."""


def client_contains(needle: str) -> ColumnElement[bool]:
    """Whether a client's full name or email contains the lower-case `needle`, folded as Python folds."""
    pattern, spellings = _looked_for(needle)
    words = (clients.c.first_name, clients.c.last_name, clients.c.email)
    if spellings is None:
        return contains_folded(pattern, *words)
    return contains_spelt(pattern, *words, *spellings)


def _looked_for(needle: str) -> tuple[ColumnElement[str], list[ColumnElement[str]] | None]:
    """The LIKE pattern of the texts holding the lower-case `needle`, and the spellings of it SQLite's
    folded text may hold (`spellings_in_folded_text`), as bound parameters."""
    spellings = spellings_in_folded_text(needle)
    pattern = literal(containing_pattern(needle), String)
    return pattern, None if spellings is None else [literal(spelling, String) for spelling in spellings]


def spellings_in_folded_text(needle: str) -> list[str] | None:
    """Every text SQLite's `folded_text` holds where a name or an email folded by Python holds the
    lower-case `needle`: the needle with each of its letters beyond ASCII written in any case whose lower
    case it is (the text holds ASCII letters, İ and the Kelvin sign folded already); None when there are
    more than `SPELLINGS_AT_MOST`, or when a letter's lower case depends on the letters around it."""
    if not FOLDED_IN_CONTEXT.isdisjoint(needle):
        return None
    spellings = [""]
    for letter in needle:
        cases = [letter] if letter.isascii() else [letter, *_cases_folding_to(letter)]
        spellings = [spelt + case for spelt in spellings for case in cases]
        if len(spellings) > SPELLINGS_AT_MOST:
            return None
    return spellings


@cache
def _cases_folding_to(letter: str) -> tuple[str, ...]:
    """The characters beyond ASCII, other than `letter`, whose lower case is `letter` alone."""
    return tuple(
        character
        for code in range(0x80, CASED_BELOW)
        if (character := chr(code)) != letter and character.lower() == letter
    )


@compiles(contains_folded)
def _compile_contains_folded(element: contains_folded, compiler: SQLCompiler, **kw: Any) -> str:
    pattern, *words = element.clauses
    like = f"LIKE {compiler.process(pattern, **kw)} ESCAPE '{LIKE_ESCAPE}'"
    name, email = (_folded(text, compiler, **kw) for text in (words[:2], words[2:3]))
    return f"({name} {like} OR {email} {like})"


@compiles(contains_folded, "sqlite")
def _compile_contains_folded_on_sqlite(element: contains_folded, compiler: SQLCompiler, **kw: Any) -> str:
    pattern, first_name, _, _, *spellings = element.clauses
    text = _of_holder(FOLDED_TEXT, first_name, compiler, **kw)
    return _folded_text_contains_on_sqlite(text, pattern, spellings, compiler, **kw)


def _folded_text_contains_on_sqlite(
    text: str, pattern: Any, spellings: Sequence[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    """Whether SQLite's folded `text` holds the needle: each of its `spellings` looked for by the engine's
    own `instr`, or without them the text folded again in Python and matched against `pattern`."""
    if not spellings:
        return f"{UNICODE_LOWER}({text}) LIKE {compiler.process(pattern, **kw)} ESCAPE '{LIKE_ESCAPE}'"
    found = " OR ".join(f"instr({text}, {compiler.process(spelling, **kw)}) > 0" for spelling in spellings)
    return f"({found})"


class folded_text_of(GenericFunction[str]):  # noqa: N801
    """`folded_text_of(clients.c.first_name)`: the client's full name and email folded into one text, the
    two joined by `SEARCH_SEPARATOR`, as the scored clients' list keeps it: SQLite's `folded_text`
    itself, PostgreSQL's `folded_name` and `folded_email` joined."""

    type = String()
    inherit_cache = True


@compiles(folded_text_of)
def _compile_folded_text_of(element: folded_text_of, compiler: SQLCompiler, **kw: Any) -> str:
    (first_name,) = element.clauses
    name, email = (_of_holder(column, first_name, compiler, **kw) for column in (FOLDED_NAME, FOLDED_EMAIL))
    return f"({name} || chr({ord(SEARCH_SEPARATOR)}) || {email})"


@compiles(folded_text_of, "sqlite")
def _compile_folded_text_of_on_sqlite(element: folded_text_of, compiler: SQLCompiler, **kw: Any) -> str:
    (first_name,) = element.clauses
    return _of_holder(FOLDED_TEXT, first_name, compiler, **kw)


class folded_text_contains(GenericFunction[bool]):  # noqa: N801
    """`folded_text_contains(containing_pattern(needle), text, *spellings)`: whether `text`, a client's
    folded text (`folded_text_of`) as a table keeps it, contains the lower-case `needle`; SQLite looks
    for each of its `spellings` (`spellings_in_folded_text`) when there are any. No needle holds the
    separator, so none is found across it."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True


@compiles(folded_text_contains)
def _compile_folded_text_contains(element: folded_text_contains, compiler: SQLCompiler, **kw: Any) -> str:
    pattern, text, *_ = element.clauses
    return f"{compiler.process(text, **kw)} LIKE {compiler.process(pattern, **kw)} ESCAPE '{LIKE_ESCAPE}'"


@compiles(folded_text_contains, "sqlite")
def _compile_folded_text_contains_on_sqlite(
    element: folded_text_contains, compiler: SQLCompiler, **kw: Any
) -> str:
    pattern, text, *spellings = element.clauses
    return _folded_text_contains_on_sqlite(compiler.process(text, **kw), pattern, spellings, compiler, **kw)


def folded_text_holds(needle: str, text: ColumnElement[str]) -> ColumnElement[bool]:
    """Whether `text`, a client's folded text as a table keeps it (`folded_text_of`), holds the lower-case
    `needle`, folded as Python folds (`client_contains`)."""
    pattern, spellings = _looked_for(needle)
    return folded_text_contains(pattern, text, *(spellings or []))


FOLDED_COLUMNS: dict[tuple[Any, ...], str] = {
    ("first_name", "last_name"): FOLDED_NAME,
    ("email",): FOLDED_EMAIL,
}
"""PostgreSQL's stored lower case of a client's words joined (migration 0028_folded_search_texts)."""


def _folded(words: Sequence[Any], compiler: SQLCompiler, **kw: Any) -> str:
    """The words joined by spaces, in lower case: a client's full name or email as PostgreSQL keeps them
    folded, any other words folded as they are read."""
    stored = FOLDED_COLUMNS.get(tuple(getattr(word, "name", None) for word in words))
    if stored is None or not all(_of_clients(word) for word in words):
        return f"lower({compiler.process(joined_by_spaces(*words), **kw)})"
    return _of_holder(stored, words[0], compiler, **kw)


def _of_holder(name: str, word: Any, compiler: SQLCompiler, **kw: Any) -> str:
    """The column `name` of the table (or alias) that holds the column `word`, as the statement calls it."""
    holder, _, _ = compiler.process(word, **kw).rpartition(".")
    return f"{holder}.{name}" if holder else name


def _of_clients(word: Any) -> bool:
    """Whether `word` is a column of `clients`, or of an alias of it (a sample of its rows)."""
    holder = getattr(word, "table", None)
    return holder is not None and getattr(holder, "element", holder) is clients


def joined_by_spaces(*words: ColumnElement[str]) -> ColumnElement[str]:
    """The words joined by spaces, spelt as the indexes of the full name spell it."""
    return reduce(lambda joined, word: joined.concat(literal_column("' '")).concat(word), words)


class unindexed(GenericFunction[Any]):  # noqa: N801 (named like the SQL functions of `func`)
    """`unindexed(column, type_=column.type)`: the column, in a condition that must not lead the query to
    its rows through an index of the column. On SQLite its unary plus (the planner's documented way to
    keep a term off an index); elsewhere the column itself."""

    inherit_cache = True


@compiles(unindexed)
def _compile_unindexed(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _compile_unindexed_on_sqlite(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.clauses, **kw)}"


SEARCH_INDEX_MIN_LENGTH = 3
"""The shortest text the search index finds as a phrase: its entries are trigrams. On SQLite a shorter one
is found through the trigrams that begin with it (`search_query`)."""


class found_by_search_index(GenericFunction[bool]):  # noqa: N801 (named like the SQL functions of `func`)
    """`found_by_search_index(clients.id, text)`: the client's name or email may contain the text (at least
    `SEARCH_INDEX_MIN_LENGTH` letters), by the search index (migration 0016_client_search); a condition
    that narrows which clients are read, never one that decides a match. On SQLite, the candidates of
    the FTS5 table of trigrams; on PostgreSQL always true: its trigram indexes serve the LIKE itself."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition as it is: `... IN (...) = 1` would keep SQLite off the index


@compiles(found_by_search_index)
def _compile_found_by_search_index(element: found_by_search_index, compiler: SQLCompiler, **kw: Any) -> str:
    return "TRUE"


@compiles(found_by_search_index, "sqlite")
def _compile_found_by_search_index_on_sqlite(
    element: found_by_search_index, compiler: SQLCompiler, **kw: Any
) -> str:
    client_id, text = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"{client_id} IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH {text})"


class found_by_trigram_indexes(GenericFunction[bool]):  # noqa: N801 (named like the SQL functions of `func`)
    """`found_by_trigram_indexes(pattern, ending, *words)`, made by `short_text_by_trigrams`: whether the
    words joined (in lower case, `_folded`) hold a text one letter shorter than a trigram, in terms
    PostgreSQL's trigram indexes serve (migration 0027_search_letters): the text followed by any letter a
    client's name or email holds, or a space (`pattern`, a regular expression the class of those letters
    completes), or the text ending them (`ending`, a LIKE pattern). A condition that narrows which
    clients are read, never one that decides a match; elsewhere always true."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True


@compiles(found_by_trigram_indexes)
def _compile_found_by_trigram_indexes(
    element: found_by_trigram_indexes, compiler: SQLCompiler, **kw: Any
) -> str:
    return "TRUE"


SEARCH_LETTERS_CLASS = (
    "(SELECT '[ ' || coalesce(string_agg(DISTINCT '\\U' || lpad(to_hex(ascii(letter)), 8, '0'), ''), '')"
    f" || ']' FROM {SEARCH_LETTERS_TABLE})"
)
"""A bracket expression of every letter in PostgreSQL's `client_search_letters` and the space, each written
by its code point (`\\U0000005d` for `]`), so that no letter is taken for the syntax."""


@compiles(found_by_trigram_indexes, "postgresql")
def _compile_found_by_trigram_indexes_on_postgresql(
    element: found_by_trigram_indexes, compiler: SQLCompiler, **kw: Any
) -> str:
    pattern, ending, *words = element.clauses
    folded = _folded(words, compiler, **kw)
    followed = f"{folded} ~ ({compiler.process(pattern, **kw)} || {SEARCH_LETTERS_CLASS})"
    return f"({followed} OR {folded} LIKE {compiler.process(ending, **kw)} ESCAPE '{LIKE_ESCAPE}')"


def short_text_by_trigrams(needle: str, *texts: Sequence[ColumnElement[str]]) -> ColumnElement[bool]:
    """`found_by_trigram_indexes` for the lower-case `needle`, one letter shorter than a trigram, in any of
    the `texts` (each its words): each letter of the needle written by its code point in the regular
    expression, as in the class that completes it."""
    pattern = literal("".join(f"\\U{ord(letter):08x}" for letter in needle), String)
    ending = literal(containing_pattern(needle).removesuffix("%"), String)
    return or_(*(found_by_trigram_indexes(pattern, ending, *words) for words in texts))


class number_of_clients(GenericFunction[int]):  # noqa: N801 (named like the SQL functions of `func`)
    """How many clients there are. SQLite counts the table, a page at a time (a millisecond at 1,000,000
    clients); PostgreSQL would read every entry of an index (40-50 ms), so there it is the sum of
    `client_count`, which its triggers keep (migration 0020_client_count)."""

    type = Integer()
    inherit_cache = True


@compiles(number_of_clients)
def _compile_number_of_clients(element: number_of_clients, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(SELECT CAST(coalesce(sum(clients), 0) AS bigint) FROM {CLIENT_COUNT_TABLE})"  # a sum is numeric


@compiles(number_of_clients, "sqlite")
def _compile_number_of_clients_on_sqlite(element: number_of_clients, compiler: SQLCompiler, **kw: Any) -> str:
    return "(SELECT count(*) FROM clients)"


SEARCH_ROWS = table(SEARCH_TABLE, column("rowid", Integer))
"""SQLite's search index (the FTS5 table of trigrams), as rows to read a search's candidates from."""
SEARCH_TERMS = table(SEARCH_TERMS_TABLE, column("term", String), column("doc", Integer))
"""The search index's vocabulary: each trigram (`term`) and how many clients' rows hold it (`doc`)."""


def found_in_search_rows(text: str) -> ColumnElement[bool]:
    """The rows of `SEARCH_ROWS` whose name or email may contain `text` (SQLite only)."""
    return literal_column(SEARCH_TABLE).op("MATCH")(search_query(text.lower()))


def search_query(text: str) -> ColumnElement[str]:
    """What SQLite's search index is asked for the lower-case `text`: the phrase of its trigrams. A text
    shorter than a trigram is asked as any of the trigrams that begin with it (each indexed name and email
    ends in two unit separators, so that every letter of it begins one: migration
    0025_search_of_short_texts); when there are none, as its own phrase, which finds no row."""
    phrase = literal(search_phrase(text), String)
    if len(text) >= SEARCH_INDEX_MIN_LENGTH:
        return phrase
    quoted = literal('"') + func.replace(SEARCH_TERMS.c.term, '"', '""') + literal('"')
    any_term = select(func.group_concat(quoted, " OR ")).where(search_terms_beginning(text))
    return func.coalesce(any_term.scalar_subquery(), phrase)


LAST_CHARACTER = chr(0x10FFFF)
"""The last character there is, in code point order (SQLite's order of texts)."""


def search_terms_beginning(text: str) -> ColumnElement[bool]:
    """The trigrams of the search index's vocabulary that begin with `text`: a range of its terms, from
    `text` to `text` followed by `LAST_CHARACTER` as many times as a trigram has letters beyond it. The
    terms are folded as the index folds them (`folded_as_in_the_index`)."""
    text = folded_as_in_the_index(text)
    last = text + LAST_CHARACTER * (SEARCH_INDEX_MIN_LENGTH - len(text))
    return and_(SEARCH_TERMS.c.term >= text, SEARCH_TERMS.c.term <= last)


def folded_as_in_the_index(text: str) -> str:
    """A lower-case `text` as the search index writes its terms: each letter by Unicode's simple case
    folding, where it differs from the lower case (the final sigma ς is σ there, as in a phrase the
    index is asked for). A letter whose full folding is longer (ß, ss) stays as it is."""
    return "".join(folded if len(folded := letter.casefold()) == 1 else letter for letter in text)


def search_phrase(text: str) -> str:
    """`text` as one FTS5 phrase: quoted, its own quotes doubled."""
    return '"' + text.replace('"', '""') + '"'
