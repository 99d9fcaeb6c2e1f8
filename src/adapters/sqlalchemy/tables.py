"""The schema as SQLAlchemy Core tables. Alembic migrations create it; tests check that both agree."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    true,
)

from domain.activity import SnapshotSource
from domain.clients import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from domain.jobs import JOB_ID_MAX_LENGTH, JobState
from domain.model_runs import RunStatus
from domain.orders import ORDER_ID_MAX_LENGTH, EventKind
from domain.predictions import ModelKind
from domain.users import Role

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

WORKER_MAX_LENGTH = 255


def money() -> Money:
    """PLN to the grosz, read back as float like the domain holds it."""
    return Money()


def numeric_of(column: ColumnElement[Any]) -> Numeric[Any] | None:
    """The NUMERIC (or FLOAT) type `column` is stored as, `Money`'s included; None for another type."""
    stored = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return stored if isinstance(stored, Numeric) else None


class Money(TypeDecorator[float]):
    """NUMERIC(12, 2), read back as float. A float bound to it goes to PostgreSQL as a decimal: compared
    with a float, PostgreSQL turns each value of the column into a float first, so no index of the column
    serves the comparison (a page of the list by forecast read through its `next` link, at 1,000,000
    clients: 79 ms against 1 ms)."""

    impl = Numeric(12, 2, asdecimal=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, float) and dialect.name == "postgresql":
            return Decimal(repr(value))
        return value


def minutes() -> Numeric[float]:
    return Numeric(10, 2, asdecimal=False)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, stored in UTC and read back timezone-aware on every database.

    SQLite keeps no time zone: values are converted to UTC before they are written (so that their
    text also sorts in time order) and marked as UTC when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing a naive datetime {value!r}: store moments timezone-aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_document() -> JSON:
    """JSON whose Python None is SQL NULL (not the JSON literal null), so `IS NULL` finds it."""
    return JSON(none_as_null=True)


def _created_at() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _non_negative(*columns: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative") for column in columns]


_ROLES = ", ".join(f"'{role.value}'" for role in Role)
_SOURCES = ", ".join(f"'{source.value}'" for source in SnapshotSource)
_EVENT_KINDS = ", ".join(f"'{kind.value}'" for kind in EventKind)

users = Table(
    "users",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("email", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("email_key", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("is_active", Boolean, nullable=False, server_default=true()),
    Column("session_generation", Integer, nullable=False, server_default="0"),
    _created_at(),
    CheckConstraint(f"role IN ({_ROLES})", name="role_known"),
)
# The unique emails are kept by a plain column, `email_key` (domain.clients.email_key of the email),
# not by an index on an expression: SQLite's lower() folds ASCII letters only, so an index of the
# app's own lower() could not be checked by other tools (PRAGMA integrity_check in the sqlite3 shell).
Index("uq_users_email_key", users.c.email_key, unique=True)

clients = Table(
    "clients",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("first_name", String(NAME_MAX_LENGTH), nullable=False),
    Column("last_name", String(NAME_MAX_LENGTH), nullable=False),
    Column("email", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("email_key", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("registered_on", Date, nullable=False),
    _created_at(),
)
# The list's sorts by a client's own column, ties by id: PostgreSQL reads a page from the index alone (it
# reads an expression's columns from an index only when the index holds them, hence the names held).
# On PostgreSQL the indexes of the sorts by a client's own column also hold the folded full name and email
# a search checks (migration 0028_folded_search_texts), columns these tables do not describe.
Index("uq_clients_email_key", clients.c.email_key, unique=True, postgresql_include=["id"])
# Sorting by name uses the built-in lower() (on SQLite it folds ASCII letters only). The names and the
# email follow the id (on SQLite their folded text instead, migration 0029_sqlite_folded_text): a search
# walked in either order checks each client from the index alone. So it does by registration or email
# (on SQLite through indexes of their own, `SQLITE_FOLDED_SORT_INDEXES`).
_CHECKED_BY_A_SEARCH = (clients.c.first_name, clients.c.last_name, clients.c.email)
Index("ix_clients_lower_last_name", func.lower(clients.c.last_name), clients.c.id, *_CHECKED_BY_A_SEARCH)
Index("ix_clients_lower_first_name", func.lower(clients.c.first_name), clients.c.id, *_CHECKED_BY_A_SEARCH)
Index("ix_clients_registered_on", clients.c.registered_on, clients.c.id)

client_activity = Table(
    "client_activity",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("client_id", Integer, ForeignKey(clients.c.id, ondelete="CASCADE"), nullable=False),
    Column("observed_on", Date, nullable=False),
    Column("purchases_30d", Integer, nullable=False),
    Column("avg_basket_value", money(), nullable=False),
    # The behavioural features are NULL where no events tell them.
    Column("site_visits_30d", Integer, nullable=True),
    Column("days_since_last_purchase", Integer, nullable=True),
    Column("visits_7d", Integer, nullable=True),
    Column("newsletter_opened", Boolean, nullable=True),
    Column("ad_clicks_7d", Integer, nullable=True),
    Column("time_on_site_7d", minutes(), nullable=True),
    Column("sales_next_month", money(), nullable=True),
    Column("purchased_next_14d", Boolean, nullable=True),
    Column("source", String(16), nullable=False, server_default=SnapshotSource.ENTERED.value),
    # The client's order history (`OrderHistory`): NULL on the snapshots it is not known of, which
    # are those not derived from orders.
    Column("spend_90d", money(), nullable=True),
    Column("spend_180d", money(), nullable=True),
    Column("spend_365d", money(), nullable=True),
    Column("purchases_365d", Integer, nullable=True),
    Column("active_months_365d", Integer, nullable=True),
    Column("purchase_days", Integer, nullable=True),
    Column("days_since_first_purchase", Integer, nullable=True),
    Column("avg_order_value", money(), nullable=True),
    # Its index, read backwards, also serves a client's history newest first.
    UniqueConstraint("client_id", "observed_on"),
    *_non_negative(
        "purchases_30d",
        "avg_basket_value",
        "site_visits_30d",
        "days_since_last_purchase",
        "visits_7d",
        "ad_clicks_7d",
        "time_on_site_7d",
        "sales_next_month",
        "spend_90d",
        "spend_180d",
        "spend_365d",
        "purchases_365d",
        "active_months_365d",
        "purchase_days",
        "days_since_first_purchase",
        "avg_order_value",
    ),
    CheckConstraint("visits_7d <= site_visits_30d", name="visits_7d_within_month"),
    CheckConstraint(f"source IN ({_SOURCES})", name="source_known"),
)


# --- Orders and events: the logs snapshots can be derived from ---------------------------------

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("client_id", Integer, ForeignKey(clients.c.id, ondelete="CASCADE"), nullable=False),
    Column("order_id", String(ORDER_ID_MAX_LENGTH), nullable=True),
    Column("ordered_at", UtcDateTime(), nullable=False),
    Column("amount", money(), nullable=False),
    # `Order.key`: the shop's order id, else the whole row; a row imported twice is stored once.
    Column("key", String(ORDER_ID_MAX_LENGTH + 64), nullable=False, unique=True),
)
# A client's orders in time order: what a derivation reads, client by client.
Index("ix_orders_client_id_ordered_at", orders.c.client_id, orders.c.ordered_at)

events = Table(
    "events",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("client_id", Integer, ForeignKey(clients.c.id, ondelete="CASCADE"), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("duration_s", Float, nullable=True),
    # An event is the whole row: the same client, moment and kind twice is one event.
    UniqueConstraint("client_id", "occurred_at", "kind"),
    CheckConstraint(f"kind IN ({_EVENT_KINDS})", name="kind_known"),
    *_non_negative("duration_s"),
)
Index("ix_events_occurred_at", events.c.occurred_at)


# --- Machine learning -------------------------------------------------------------------------

_KINDS = ", ".join(f"'{kind.value}'" for kind in ModelKind)
_STATUSES = ", ".join(f"'{status.value}'" for status in RunStatus)


def _only_where_set(
    name: str, flag: Column[bool], *columns: ColumnElement[Any], unique: bool = False
) -> Index:
    """An index over the rows whose `flag` is set, its condition spelt as each database's queries
    spell it: SQLite only uses a partial index whose condition reads exactly like the query's, and
    there that is `flag = 1`."""
    return Index(name, *columns, unique=unique, sqlite_where=flag == true(), postgresql_where=flag)


def _prediction_table(name: str, *values: Column[Any] | CheckConstraint) -> Table:
    """A client's predictions of one kind: history is kept, the newest is flagged `is_current`."""
    return Table(
        name,
        metadata,
        Column("id", Integer, Identity(), primary_key=True),
        Column("client_id", Integer, ForeignKey(clients.c.id, ondelete="CASCADE"), nullable=False),
        *values,
        Column("model_version", Integer, nullable=False),
        Column("made_at", UtcDateTime(), nullable=False),
        Column("is_current", Boolean, nullable=False),
        # The snapshot it was made from; NULL for predictions made before that was recorded.
        Column("observed_on", Date, nullable=True),
    )


sales_predictions = _prediction_table(
    "sales_predictions",
    Column("value", money(), nullable=False),
    *_non_negative("value"),
)
purchase_predictions = _prediction_table(
    "purchase_predictions",
    Column("probability", Float, nullable=False),
    Column("will_buy", Boolean, nullable=False),
    Column("threshold", Float, nullable=False),
    # What contacting the client was worth (`domain.tiers.expected_value`); NULL for older predictions.
    Column("expected_value", Float, nullable=True),
    CheckConstraint("probability >= 0 AND probability <= 1", name="probability_within_0_1"),
    CheckConstraint("threshold > 0 AND threshold < 1", name="threshold_within_0_1"),
)


def _prediction_indexes(table: Table, *values: str) -> None:
    """At most one current prediction per client, which the client list's join finds through it;
    the current values, for the list's filters and counts and the dashboard's sums; a client's
    history newest first (the last index, read backwards).

    The first two cover current rows only: a prediction that stops being current just leaves them,
    which keeps a batch of 100,000 new predictions quick however long the history grows.
    """
    _only_where_set(f"uq_{table.name}_current_client_id", table.c.is_current, table.c.client_id, unique=True)
    _current_values_index(table, *values)
    Index(f"ix_{table.name}_client_id_made_at", table.c.client_id, table.c.made_at)


def _current_values_index(table: Table, *values: str) -> None:
    """The current values, then the client id: a page of the client list sorted by the last value is
    picked from the index alone, read forwards for the list in ascending order, backwards for
    descending (ties by client id in the same direction, as the list breaks them). It ends with
    `is_current`, which its rows all share, as SQLite reads a column of the index's own condition from
    the table unless the index holds it."""
    name = f"ix_{table.name}_current_{'_'.join(values)}_client_id"
    columns = [*(table.c[value] for value in values), table.c.client_id, table.c.is_current]
    _only_where_set(name, table.c.is_current, *columns)


def _values_by_client_index(table: Table, *values: str) -> None:
    """The current values by client: the list filtered by a prediction and sorted by a client's own
    column checks each client it reads in that order from this index alone (`EXISTS` of a current row
    with the values asked for), not from the table behind the unique index of current rows."""
    columns = [table.c.client_id, *(table.c[value] for value in values), table.c.is_current]
    _only_where_set(f"ix_{table.name}_current_{values[0]}_by_client", table.c.is_current, *columns)


_prediction_indexes(sales_predictions, "value")
_prediction_indexes(purchase_predictions, "will_buy", "probability")
_values_by_client_index(sales_predictions, "value")
# SQLite looks a client up in the index whose second column a filter names (the decision, then the worth
# when both are asked for); with only the client id to look up, it takes the unique index of current rows.
_values_by_client_index(purchase_predictions, "will_buy", "expected_value")
_values_by_client_index(purchase_predictions, "expected_value")
# The list sorted by the purchase probability, whatever the decision.
_current_values_index(purchase_predictions, "probability")
# The contact tier filter's range of worths over the current predictions, and its count.
_current_values_index(purchase_predictions, "expected_value")

# --- The scored clients' list ------------------------------------------------------------------

scored_client_list = Table(
    "scored_client_list",
    metadata,
    Column("client_id", Integer, ForeignKey(clients.c.id, ondelete="CASCADE"), primary_key=True),
    # The keys of the list's sorts by a client's own column, as the names' indexes of `clients` hold them.
    Column("last_name_key", String(NAME_MAX_LENGTH), nullable=False),
    Column("first_name_key", String(NAME_MAX_LENGTH), nullable=False),
    Column("email_key", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("registered_on", Date, nullable=False),
    # The current predictions' values, named as in their tables; NULL where that prediction is not made.
    Column("value", money(), nullable=True),
    Column("will_buy", Boolean, nullable=True),
    Column("expected_value", Float, nullable=True),
    Column("probability", Float, nullable=True),
    # The client's full name and email folded into one text, which a search checks (`folded_text_of`).
    Column("folded_text", Text, nullable=False),
)
"""Every client with a current prediction, as the client list filters and sorts it: written whole when a
batch scoring ends (`SqlAlchemyClientRepository.keep_scored_list`) and read while nothing it was written
from has changed since. The list filtered by a prediction reads a page from one index of this table, in
the order of its sort, in which each entry holds the sort key and the values filtered on; a search walked
in a prediction's order reads that prediction's index, whose entries hold the folded text too."""


def _scored_list_index(key: str, *searched: str) -> None:
    """The list in the order of `key`, ties by client id, each entry with the values filtered on (and
    the `searched` text): a filtered page is read from it alone, forwards or backwards."""
    filtered = [
        scored_client_list.c[value] for value in ("value", "will_buy", "expected_value") if value != key
    ]
    held = [*filtered, *(scored_client_list.c[column] for column in searched)]
    Index(f"ix_scored_client_list_{key}", scored_client_list.c[key], scored_client_list.c.client_id, *held)


for sort_key in ("last_name_key", "first_name_key", "email_key", "registered_on"):
    _scored_list_index(sort_key)
for sort_key in ("value", "probability", "expected_value"):
    _scored_list_index(sort_key, "folded_text")

model_runs = Table(
    "model_runs",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("requested_by", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("status", String(16), nullable=False),
    Column("queued_at", UtcDateTime(), nullable=False),
    Column("started_at", UtcDateTime(), nullable=True),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("error", Text, nullable=True),
    # The evaluation: all of these are NULL until the run has succeeded.
    Column("train_size", Integer, nullable=True),
    Column("test_size", Integer, nullable=True),
    Column("metrics", json_document(), nullable=True),
    Column("baseline_metrics", json_document(), nullable=True),
    Column("coefficients", json_document(), nullable=True),
    Column("intercept", Float, nullable=True),
    Column("confusion_matrix", json_document(), nullable=True),
    Column("threshold", Float, nullable=True),
    Column("threshold_curve", json_document(), nullable=True),
    Column("artifact_path", Text, nullable=True),
    Column("artifact_sha256", String(64), nullable=True),
    Column("is_active", Boolean, nullable=False, server_default=false()),
    Column("warnings", json_document(), nullable=False, server_default="[]"),
    # The candidate: which inputs and which family of model; and the comparison it was trained in.
    Column("features", String(16), nullable=False, server_default="basic"),
    Column("family", String(16), nullable=False, server_default="linear"),
    Column("comparison", Integer, nullable=True),
    Column("backtest", json_document(), nullable=True),
    # Per feature, the profile of the values the model learnt from: what drift is measured against.
    Column("training_profile", json_document(), nullable=True),
    # Purchase: the hold-out's reliability curve, and the calibrations compared and the one kept.
    Column("reliability", json_document(), nullable=True),
    Column("calibration", json_document(), nullable=True),
    # The lease of a run in progress: who holds it, and when it last said it was alive.
    Column("heartbeat_at", UtcDateTime(), nullable=True),
    Column("worker", String(WORKER_MAX_LENGTH), nullable=True),
    UniqueConstraint("kind", "version"),
    CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
    CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
    CheckConstraint("version >= 1", name="version_positive"),
)
# At most one active version of each kind, enforced by the database itself.
_only_where_set("uq_model_runs_active_kind", model_runs.c.is_active, model_runs.c.kind, unique=True)

model_activations = Table(
    "model_activations",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("activated_by", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("activated_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["kind", "version"], [model_runs.c.kind, model_runs.c.version], ondelete="CASCADE"),
)
Index("ix_model_activations_kind_activated_at", model_activations.c.kind, model_activations.c.activated_at)

app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", json_document(), nullable=False),
    Column("updated_by", String(EMAIL_MAX_LENGTH), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)


# --- API tokens -------------------------------------------------------------------------------

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("user_id", Integer, ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
    # SHA-256 of the secret, hex: the secret itself is shown once and never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    CheckConstraint("expires_at > created_at", name="expires_after_creation"),
)
# A user's tokens, found when the user is deleted (the cascade) or their tokens are listed.
Index("ix_api_tokens_user_id", api_tokens.c.user_id)

remember_tokens = Table(
    "remember_tokens",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("user_id", Integer, ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
    # SHA-256 of the secret, hex: the browser's cookie holds the secret, the database never does.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    CheckConstraint("expires_at > created_at", name="expires_after_creation"),
)
# A user's tokens, revoked together when they sign out everywhere.
Index("ix_remember_tokens_user_id", remember_tokens.c.user_id)

_JOB_STATES = ", ".join(f"'{state.value}'" for state in JobState)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(JOB_ID_MAX_LENGTH), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("parameters", json_document(), nullable=False),
    Column("description", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("submitted_by", String(EMAIL_MAX_LENGTH), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("started_at", UtcDateTime(), nullable=True),
    Column("finished_at", UtcDateTime(), nullable=True),
    # How far it got, once the job knows: NULL before.
    Column("done", Integer, nullable=True),
    Column("total", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("result", json_document(), nullable=True),
    # The lease of a job in progress: who holds it, and when it last said it was alive.
    Column("worker", String(WORKER_MAX_LENGTH), nullable=True),
    Column("heartbeat_at", UtcDateTime(), nullable=True),
    CheckConstraint(f"state IN ({_JOB_STATES})", name="state_known"),
    *_non_negative("done", "total"),
)
# The unfinished jobs, looked for at every read of a job's state.
Index("ix_jobs_state", jobs.c.state)

# --- Kept summaries ------------------------------------------------------------------------------

kept_summaries = Table(
    "kept_summaries",
    metadata,
    Column("name", String(64), primary_key=True),
    # What the summary was computed from (revisions, largest ids, settings): it is current while they are.
    Column("computed_from", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
)
revisions = Table(
    "revisions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("number", Integer, nullable=False),
)

SEARCH_TABLE = "client_search"
"""SQLite's FTS5 table of the clients' names and emails (with its shadow tables, named after it)."""
SEARCH_TERMS_TABLE = "client_search_terms"
"""Its vocabulary: each trigram of the index, with how many clients' rows hold it."""
SEARCH_INDEXES = ("ix_clients_name_trigrams", "ix_clients_email_trigrams")
"""PostgreSQL's pg_trgm indexes of the same."""
FOLDED_NAME, FOLDED_EMAIL = "folded_name", "folded_email"
"""PostgreSQL's columns of each client's full name and email in lower case, generated and stored by the
database itself (migration 0028_folded_search_texts), which a search reads."""
FOLDED_TEXT = "folded_text"
"""SQLite's column of each client's full name and email folded into one text, generated by the database
itself and held by the indexes of the sorts by name (migration 0029_sqlite_folded_text), which a search
reads."""
CLIENTS_FOLDED_COLUMNS = (FOLDED_NAME, FOLDED_EMAIL, FOLDED_TEXT)
"""The folded columns of `clients`, which each database makes in its own terms; the scored clients' list
keeps its own folded text, described here."""
SQLITE_FOLDED_SORT_INDEXES = ("ix_clients_registered_on_folded", "ix_clients_email_key_folded")
"""SQLite's indexes of the sorts by registration and by email that hold the folded text too (migration
0030_sqlite_folded_sort_indexes), beside those these tables describe."""
POSTGRESQL_FOLDED_BY_ID_INDEX = "ix_clients_id_folded"
"""PostgreSQL's index of the clients by id holding their folded name and email (migration
0031_clients_folded_by_id), which a search walked in a prediction's order reads."""
SEARCH_LETTERS_TABLE = "client_search_letters"
"""PostgreSQL's letters of the clients' names and emails, kept by its triggers (migration
0027_search_letters)."""


CLIENT_COUNT_TABLE = "client_count"
"""PostgreSQL's number of clients, kept by its triggers (migration 0020_client_count)."""


def described_by_tables(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic's `include_name`: everything but the search index, which migrations 0016_client_search,
    0027_search_letters, 0028_folded_search_texts, 0029_sqlite_folded_text and
    0030_sqlite_folded_sort_indexes make in each database's own terms (its tables are named after
    `SEARCH_TABLE`; each database's folded columns and the indexes holding them), and PostgreSQL's count of
    clients, none of which these tables describe."""
    return name is None or not (
        name.startswith(SEARCH_TABLE)
        or name in SEARCH_INDEXES
        or name in SQLITE_FOLDED_SORT_INDEXES
        or name in (POSTGRESQL_FOLDED_BY_ID_INDEX, CLIENT_COUNT_TABLE)
        or (
            type_ == "column"
            and name in CLIENTS_FOLDED_COLUMNS
            and parent_names.get("table_name") == "clients"
        )
    )
