"""The commands and queries that entrypoints hand to use cases, with their validation rules."""

from __future__ import annotations

import base64
import enum
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal, NamedTuple

from babel.numbers import is_currency, list_currencies
from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from application.validation import Command
from domain.candidates import Candidate, FeatureSetName, ModelFamily, clv
from domain.clients import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from domain.currency import ISO_4217_CODE
from domain.orders import ORDER_ID_MAX_LENGTH, EventKind
from domain.segments import Segment
from domain.tiers import ContactTier
from domain.users import Role

EARLIEST_DATE = date(1990, 1, 1)
MAX_COUNT = 1_000_000
MAX_AMOUNT = 100_000_000.0
MINUTES_IN_A_WEEK = 7 * 24 * 60
SECONDS_IN_A_DAY = 24 * 60 * 60
MAX_PER_PAGE = 100
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256


class _BlankIsNone:
    """Forms and CSV files send an empty string where JSON sends null: blank text is "not given", and
    the JSON schema admits it beside null."""

    BLANK: ClassVar[dict[str, str]] = {"type": "string", "pattern": r"^\s*$"}

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._none_if_blank, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        given = handler(schema)
        if "anyOf" in given:
            return {**given, "anyOf": [*given["anyOf"], self.BLANK]}
        return {"anyOf": [given, self.BLANK]}

    @staticmethod
    def _none_if_blank(value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Unicode's control characters (category Cc): C0, DEL and C1."""


class _OneLine:
    """Names, searches and sign-in emails are one line of text: a NUL or a line break is a mistake
    (or an attack), and PostgreSQL refuses NUL in text outright. The JSON schema says so as a pattern."""

    PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._validate, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.PATTERN}

    @staticmethod
    def _validate(value: str) -> str:
        if _CONTROL_CHARACTER.search(value):
            raise PydanticCustomError(
                "control_characters", "must not contain control characters (such as line breaks or NUL)"
            )
        return value


def _valid_email(value: Any, handler: ValidatorFunctionWrapHandler) -> str:
    """email-validator explains in English why an address is wrong; a caller needs only that it is."""
    try:
        return str(handler(value))
    except ValidationError as error:
        if error.errors()[0]["type"] == "value_error":
            raise PydanticCustomError("invalid_email", "is not a valid email address") from None
        raise


DATE_FORMS = "YYYY-MM-DD, YYYYMMDD"
MOMENT_FORMS = "YYYY-MM-DD, YYYYMMDD, YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
"""ISO 8601 and compact days, and ISO 8601 moments; a moment without its offset is in UTC."""
_COMPACT_DATE = re.compile(r"^\d{8}$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def _date_format_error(accepted: str) -> PydanticCustomError:
    return PydanticCustomError("date_format", "must be written as one of: {accepted}", {"accepted": accepted})


def _day_from_text(value: Any) -> Any:
    """A day as ISO 8601 (`2024-03-31`) or compact (`20240331`), which pydantic would otherwise read
    as a Unix timestamp; anything else written is refused naming the accepted forms."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    try:
        if _COMPACT_DATE.match(text):
            return datetime.strptime(text, "%Y%m%d").date()
        return date.fromisoformat(text)
    except ValueError:
        raise _date_format_error(DATE_FORMS) from None


def _moment_from_text(value: Any) -> Any:
    """A moment as ISO 8601 with or without its offset (without: UTC), or a day (its start, in UTC)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    try:
        if _COMPACT_DATE.match(text):
            moment = datetime.strptime(text, "%Y%m%d")
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise _date_format_error(MOMENT_FORMS) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _not_a_truth_value(value: Any) -> Any:
    """JSON's `true` is not the number 1: a count or an amount given as a boolean is a mistake."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "must be a number, not true or false")
    return value


def _not_a_number(value: Any) -> Any:
    """Nor is the number 1 `true`: a yes-or-no answer given as a number is a mistake (forms and CSV
    files write it as text, `true`, `yes`, `1`, which is read as usual)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "must be true or false, not a number")
    return value


def _decimal_comma(value: Any) -> Any:
    """Money as a spreadsheet in Poland writes it: `149,90` is 149.90."""
    if isinstance(value, str) and _DECIMAL_COMMA.match(text := value.strip()):
        return text.replace(",", ".")
    return value


def _past_moment(value: datetime, info: ValidationInfo) -> datetime:
    """The day of the moment (in UTC) follows the rules of a past date."""
    _past_date(value.astimezone(UTC).date(), info)
    return value


def _past_date(value: date, info: ValidationInfo) -> date:
    """Not before the earliest date we keep and, when the caller knows today (`parse(today=...)`),
    not after it."""
    if value < EARLIEST_DATE:
        raise PydanticCustomError(
            "date_too_early", "must not be before {earliest}", {"earliest": EARLIEST_DATE.isoformat()}
        )
    today = (info.context or {}).get("today")
    if today is not None and value > today:
        raise PydanticCustomError("date_in_future", "must not be in the future", {"today": today.isoformat()})
    return value


def _not_before_registration(value: date, info: ValidationInfo) -> date:
    """A snapshot observed before its client registered is a mistake, when the client is known."""
    registered_on = (info.context or {}).get("registered_on")
    if registered_on is not None and value < registered_on:
        raise PydanticCustomError(
            "before_registration",
            "must not be before the client registered",
            {"registered_on": registered_on.isoformat()},
        )
    return value


OneLine = _OneLine()
Numeric = BeforeValidator(_not_a_truth_value)
YesOrNo = BeforeValidator(_not_a_number)
DecimalComma = BeforeValidator(_decimal_comma)
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH), OneLine]
Email = Annotated[EmailStr, Field(max_length=EMAIL_MAX_LENGTH), WrapValidator(_valid_email)]
EmailKey = Annotated[str, Field(min_length=1, max_length=EMAIL_MAX_LENGTH), OneLine]
"""An email that names a client already known (a file's `client_email`): checked when a client is made."""
PastDate = Annotated[date, BeforeValidator(_day_from_text), AfterValidator(_past_date)]
PastMoment = Annotated[datetime, BeforeValidator(_moment_from_text), AfterValidator(_past_moment)]
ObservedOn = Annotated[PastDate, AfterValidator(_not_before_registration)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT), Numeric]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT), DecimalComma, Numeric]
SignedAmount = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT), DecimalComma, Numeric]
"""An order's amount: negative for a refund or a return."""
Minutes = Annotated[float, Field(ge=0, le=MINUTES_IN_A_WEEK), Numeric]
Days = Annotated[int, Field(ge=0, le=36_500), Numeric]


BlankIsNone = _BlankIsNone()
MaybeDays = Annotated[Days | None, BlankIsNone]
MaybeAmount = Annotated[Amount | None, BlankIsNone]
MaybeBool = Annotated[bool | None, BlankIsNone, YesOrNo]
MaybeName = Annotated[Name | None, BlankIsNone]
OrderId = Annotated[Annotated[str, Field(max_length=ORDER_ID_MAX_LENGTH), OneLine] | None, BlankIsNone]
Seconds = Annotated[Annotated[float, Field(ge=0, le=SECONDS_IN_A_DAY), Numeric] | None, BlankIsNone]
MaybeCount = Annotated[Count | None, BlankIsNone]
MaybeMinutes = Annotated[Minutes | None, BlankIsNone]


class NewClient(Command):
    first_name: Name
    last_name: Name
    email: Email
    registered_on: PastDate


class ClientChanges(Command):
    """A partial update: only the fields given are changed."""

    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    registered_on: PastDate | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class NewSnapshot(Command):
    """A snapshot as entered. The behavioural features (visits, newsletter, ad clicks, time on site)
    may be left out or blank: unknown, never taken for zero."""

    observed_on: ObservedOn
    purchases_30d: Count
    avg_basket_value: Amount
    site_visits_30d: MaybeCount = None
    days_since_last_purchase: MaybeDays = None
    visits_7d: MaybeCount = None
    newsletter_opened: MaybeBool = None
    ad_clicks_7d: MaybeCount = None
    time_on_site_7d: MaybeMinutes = None
    sales_next_month: MaybeAmount = None
    purchased_next_14d: MaybeBool = None

    @field_validator("visits_7d")
    @classmethod
    def _week_is_part_of_month(cls, visits_7d: int | None, info: ValidationInfo) -> int | None:
        """Checked only when both counts are known."""
        site_visits_30d = info.data.get("site_visits_30d")
        if visits_7d is not None and site_visits_30d is not None and visits_7d > site_visits_30d:
            raise PydanticCustomError(
                "week_exceeds_month", "cannot exceed site_visits_30d (a week is part of the month)"
            )
        return visits_7d


ConfirmUnusual = Annotated[
    bool, Field(description="Store values far outside the company's usual ones (refused otherwise)"), YesOrNo
]


class SnapshotEntry(NewSnapshot):
    """A snapshot entered by a person or a program. A value far outside the company's usual ones is
    stored only with `confirm_unusual` (see application.plausibility)."""

    confirm_unusual: ConfirmUnusual = False

    def snapshot_values(self) -> dict[str, Any]:
        return self.model_dump(exclude={"confirm_unusual"})


class SnapshotChanges(Command):
    """A what-if: behaviour values of a client's newest snapshot changed to see its predictions, with the
    field types of `NewSnapshot`; only the fields given change. A behavioural feature given as null or
    blank becomes unknown; the purchases and the basket are always known. Its date and outcomes do not
    change: they are not fields here."""

    purchases_30d: Count | None = None
    avg_basket_value: Amount | None = None
    site_visits_30d: MaybeCount = None
    days_since_last_purchase: MaybeDays = None
    visits_7d: MaybeCount = None
    newsletter_opened: MaybeBool = None
    ad_clicks_7d: MaybeCount = None
    time_on_site_7d: MaybeMinutes = None

    @field_validator("purchases_30d", "avg_basket_value")
    @classmethod
    def _always_known(cls, value: float | None) -> float | None:
        """Run only on a value given: a field left out keeps the snapshot's."""
        if value is None:
            raise PydanticCustomError("missing", "cannot be unknown: every snapshot has it")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class NewOrder(Command):
    """A line of a shop's orders file; names are used only when the client is created from it."""

    client_email: EmailKey
    ordered_at: PastMoment
    amount: SignedAmount
    order_id: OrderId = None
    first_name: MaybeName = None
    last_name: MaybeName = None


class OrderLine(NamedTuple):
    """A checked line of an orders file: what a `NewOrder` holds, as a light tuple (a file has millions)."""

    client_email: str
    ordered_at: datetime
    amount: float
    order_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None


ORDER_FIELDS = frozenset(NewOrder.model_fields)
_PLAIN_AMOUNT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:[.,][0-9]{1,15})?")
"""An amount written plainly (`149.90`, `-12`, `149,90`): read by `float` exactly as pydantic reads it."""


def order_line(values: Mapping[str, Any], *, today: date | None = None) -> OrderLine:
    """A line of an orders file checked by the rules of `NewOrder` (raises InvalidInput alike).

    The common line, written plainly, is checked here by hand, many times faster than the model; any
    line it does not take as it is (blanks around values, compact or malformed dates, unusual numbers,
    anything wrong) goes through `NewOrder.parse`, which decides and names every problem."""
    line = _plain_order_line(values, today)
    if line is None:
        command = NewOrder.parse(values, today=today)
        line = OrderLine(
            command.client_email,
            command.ordered_at,
            command.amount,
            command.order_id,
            command.first_name,
            command.last_name,
        )
    return line


class _ForTheModel(Exception):
    """A value the hand check does not take as it is: the model decides."""


def _plain_order_line(values: Mapping[str, Any], today: date | None) -> OrderLine | None:
    """The line when every value is plainly valid; None when `NewOrder` must look at it."""
    try:
        if not ORDER_FIELDS.issuperset(values):
            raise _ForTheModel
        email = _plain_text(values.get("client_email"), EMAIL_MAX_LENGTH)
        written_at = _plain_text(values.get("ordered_at"), 40)
        amount = _plain_text(values.get("amount"), 40)
        order_id = _optional_text(values.get("order_id"), ORDER_ID_MAX_LENGTH)
        first_name = _optional_text(values.get("first_name"), NAME_MAX_LENGTH)
        last_name = _optional_text(values.get("last_name"), NAME_MAX_LENGTH)
        if _COMPACT_DATE.match(written_at) or not _PLAIN_AMOUNT.fullmatch(amount):
            raise _ForTheModel
        moment = datetime.fromisoformat(written_at)
    except (_ForTheModel, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    day = moment.astimezone(UTC).date()
    number = float(amount.replace(",", "."))
    if day < EARLIEST_DATE or (today is not None and day > today) or not -MAX_AMOUNT <= number <= MAX_AMOUNT:
        return None
    return OrderLine(email, moment, number, order_id, first_name, last_name)


def _plain_text(value: Any, max_length: int) -> str:
    """Text that the model would keep as it is: not blank, no spaces around it, no control characters,
    not too long."""
    if (
        isinstance(value, str)
        and 0 < len(value) <= max_length
        and value.strip() == value
        and not _CONTROL_CHARACTER.search(value)
    ):
        return value
    raise _ForTheModel


def _optional_text(value: Any, max_length: int) -> str | None:
    """None for a missing or blank optional value, else the value as `_plain_text` takes it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _plain_text(value, max_length)


class NewEvent(Command):
    """A line of an events file: a visit (with its duration in seconds, when known), a newsletter opened,
    an ad clicked."""

    client_email: EmailKey
    occurred_at: PastMoment
    kind: EventKind
    duration_s: Seconds = None

    @field_validator("duration_s")
    @classmethod
    def _only_a_visit_lasts(cls, duration_s: float | None, info: ValidationInfo) -> float | None:
        kind = info.data.get("kind")
        if duration_s is not None and kind is not None and kind is not EventKind.VISIT:
            raise PydanticCustomError("duration_of_visit_only", "only a visit has a duration")
        return duration_s


class ImportMode(enum.StrEnum):
    INSERT = "insert"
    """Every row is new: a client or snapshot already stored is refused."""
    UPSERT = "upsert"
    """A row already stored (a client by email, a snapshot by client and date) is updated from the file."""


class ImportOptions(Command):
    """How an upload is imported: `mode` for clients and activity, `create_clients` for orders."""

    mode: ImportMode = ImportMode.INSERT
    create_clients: Annotated[bool, YesOrNo] = False


class Outcomes(Command):
    """Outcomes of a snapshot, filled in once known; at least one must be given. Sales far outside the
    company's usual ones are stored only with `confirm_unusual` (see application.plausibility)."""

    model_config = Command.model_config | {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["sales_next_month"], "properties": {"sales_next_month": {"type": "number"}}},
                {
                    "required": ["purchased_next_14d"],
                    "properties": {"purchased_next_14d": {"type": "boolean"}},
                },
            ]
        }
    }

    sales_next_month: MaybeAmount = None
    purchased_next_14d: MaybeBool = None
    confirm_unusual: ConfirmUnusual = False

    @model_validator(mode="after")
    def _something_known(self) -> Outcomes:
        if self.sales_next_month is None and self.purchased_next_14d is None:
            raise PydanticCustomError("outcome_required", "give sales_next_month, purchased_next_14d or both")
        return self


class ClientSort(enum.StrEnum):
    LAST_NAME = "last_name"
    FIRST_NAME = "first_name"
    EMAIL = "email"
    REGISTERED_ON = "registered_on"
    PREDICTED_SALES = "predicted_sales"
    PURCHASE_PROBABILITY = "purchase_probability"
    EXPECTED_VALUE = "expected_value"
    """The purchase probability times the sales forecast: what contacting the client is worth."""


SORT_VALUES = [f"{order}{column.value}" for column in ClientSort for order in ("", "-")]
"""Every column, ascending or (prefixed with `-`) descending."""


class ClientFilter(Command):
    """Filter and sort the client list (for an export: every client it selects, in this order).
    `sort` takes a column, `-column` for descending. Ties are in id order in the sort's direction, so
    that each order is an index read forwards or backwards, with no run of ties to sort. Clients
    without a value of the column (a prediction not made yet) come last, in id order."""

    q: Annotated[str, Field(max_length=100), OneLine] = ""
    sort: Annotated[str, Field(json_schema_extra={"enum": SORT_VALUES})] = "last_name"
    segment: Annotated[Segment | None, BlankIsNone] = None
    will_buy: MaybeBool = None
    tier: Annotated[
        ContactTier | None,
        BlankIsNone,
        Field(description="Contact tier by expected value: 1 top 10%, 2 next 20%, 3 next 30%, 4 the rest."),
    ] = None

    @field_validator("sort")
    @classmethod
    def _known_sort_column(cls, sort: str) -> str:
        if sort.lstrip("-") not in {s.value for s in ClientSort}:
            allowed = ", ".join(s.value for s in ClientSort)
            raise PydanticCustomError(
                "unknown_sort", "must be one of {allowed}, optionally prefixed with '-'", {"allowed": allowed}
            )
        return sort

    @property
    def sort_column(self) -> ClientSort:
        return ClientSort(self.sort.lstrip("-"))

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


MAX_EXPORT_LIMIT = 1_000_000
"""The most clients a "top N" export may ask for."""
MAX_EXPORT_IDS = MAX_PER_PAGE
"""The most clients an export of chosen rows may name: the rows ticked on one page of the list. With
the longest ids, 100 of them keep the request line well within the 8 KB a server reads."""
MAX_CLIENT_ID = 2**63 - 1


class ExportDialect(enum.StrEnum):
    PLAIN = "plain"
    """Machine CSV: comma, UTF-8 without BOM, decimal dots, English column names and values; imports back."""
    EXCEL = "excel"
    """For a spreadsheet in the reader's language: UTF-8 with BOM, that language's delimiter, decimal
    separator, column names and values."""


class ExportLanguage(enum.StrEnum):
    EN = "en"
    PL = "pl"


def _id_list(value: Any) -> Any:
    """Ids as a list (`ids=3&ids=17`) or as text separated by commas (`ids=3,17`), or both."""
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list | tuple):
        return value
    ids: list[Any] = []
    for part in value:
        if isinstance(part, str):
            ids += [piece.strip() for piece in part.split(",") if piece.strip()]
        else:
            ids.append(part)
    if not ids:
        raise PydanticCustomError("too_short", "must name at least {min_length} client", {"min_length": 1})
    if len(ids) > MAX_EXPORT_IDS:
        raise PydanticCustomError(
            "too_long", "must name at most {max_length} clients", {"max_length": MAX_EXPORT_IDS}
        )
    return ids


ExportLimit = Annotated[int, Field(ge=1, le=MAX_EXPORT_LIMIT)]
ClientId = Annotated[int, Field(ge=1, le=MAX_CLIENT_ID)]
ClientIds = Annotated[
    tuple[ClientId, ...], Field(json_schema_extra={"minItems": 1, "maxItems": MAX_EXPORT_IDS})
]
"""Counted by `_id_list` before each id is read, so that a bad id is one error, not two."""


class ClientExport(ClientFilter):
    """The client list as a file: its filters and sort, and which of the clients they select.

    Without `limit` and `ids`: every client the filters select. `limit`: the first N of them, in the
    list's order ("top N"). `ids`: only these clients (rows chosen on screen), still in the list's order
    and only those the filters select; with `limit` too, the first N of them. `dialect` and `lang` say
    how the file is written (`lang` only matters to `excel`)."""

    limit: Annotated[
        ExportLimit | None, Field(description="Only the first N clients of the list, in its order (top N).")
    ] = None
    ids: Annotated[
        ClientIds | None,
        BeforeValidator(_id_list),
        Field(description="Only these clients (`ids=3&ids=17` or `ids=3,17`), in the list's order."),
    ] = None
    dialect: Annotated[
        ExportDialect,
        Field(description="`plain`: CSV that imports back; `excel`: for a spreadsheet in `lang`."),
    ] = ExportDialect.PLAIN
    lang: Annotated[
        ExportLanguage | None,
        BlankIsNone,
        Field(description="The language of an `excel` file; by default the best of `Accept-Language`."),
    ] = None

    @field_validator("ids")
    @classmethod
    def _each_id_once(cls, ids: tuple[int, ...] | None) -> tuple[int, ...] | None:
        return None if ids is None else tuple(dict.fromkeys(ids))


@dataclass(frozen=True, slots=True)
class ListPosition:
    """A client's place in the list sorted by `sort`: its value of the sort column (None for a client
    without that prediction, who comes last) and its id, which orders clients of equal value. A page
    read `after` or `before` a position continues from it without counting the clients before it."""

    sort: str
    key: str | float | date | None
    client_id: int


CURSOR_MAX_LENGTH = 1_000
_DATE_KEYED = frozenset({ClientSort.REGISTERED_ON})
_PREDICTION_KEYED = frozenset(
    {ClientSort.PREDICTED_SALES, ClientSort.PURCHASE_PROBABILITY, ClientSort.EXPECTED_VALUE}
)


def position_token(position: ListPosition) -> str:
    """The position as the text of an `after` or `before` parameter: opaque to callers, which only
    pass on the tokens of a page's links."""
    key = position.key.isoformat() if isinstance(position.key, date) else position.key
    text = json.dumps([position.sort, key, position.client_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _position_from_token(token: Any) -> ListPosition | None:
    if token is None or isinstance(token, ListPosition):
        return token
    if isinstance(token, str) and not token.strip():
        return None  # a form's empty field: not given
    try:
        if len(token) > CURSOR_MAX_LENGTH:
            raise ValueError(token)
        padded = token + "=" * (-len(token) % 4)
        sort, key, client_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        return ListPosition(sort, _sort_key(ClientSort(sort.lstrip("-")), key), _client_id(client_id))
    except (TypeError, ValueError, AttributeError, UnicodeError):
        raise PydanticCustomError(
            "invalid_cursor", "is not a position in the client list: pass on a page link's own"
        ) from None


def _sort_key(column: ClientSort, key: Any) -> str | float | date | None:
    if column in _PREDICTION_KEYED:
        if key is None or (isinstance(key, int | float) and not isinstance(key, bool) and math.isfinite(key)):
            return key
    elif column in _DATE_KEYED:
        return date.fromisoformat(key)
    elif isinstance(key, str):
        return key
    raise ValueError(key)


def _client_id(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_CLIENT_ID:
        return value
    raise ValueError(value)


Cursor = Annotated[
    ListPosition | None,
    PlainValidator(_position_from_token),
    PlainSerializer(lambda position: None if position is None else position_token(position)),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": CURSOR_MAX_LENGTH, "pattern": "^[A-Za-z0-9_-]*$"},
                {"type": "null"},
            ]
        }
    ),
]


class ClientListQuery(ClientFilter):
    """Filter, sort and page the client list. `sort` takes a column, `-column` for descending.

    A page is read from its number (`page`: the clients before it are skipped, which takes longer the
    deeper the page), or `after` or `before` a position given by a page's links (the clients before
    it are not read, so every page is as quick as the first); `page` then only numbers the page."""

    page: Annotated[int, Field(ge=1, le=1_000_000), Numeric] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE), Numeric] = 25
    after: Annotated[Cursor, Field(description="The page after this position (a `next` link's).")] = None
    before: Annotated[Cursor, Field(description="The page before this position (a `prev` link's).")] = None

    @field_validator("after", "before")
    @classmethod
    def _position_in_this_order(
        cls, position: ListPosition | None, info: ValidationInfo
    ) -> ListPosition | None:
        if position is not None and position.sort != info.data.get("sort", position.sort):
            raise PydanticCustomError(
                "cursor_of_another_sort",
                "is a position in the list sorted by {sort}",
                {"sort": position.sort},
            )
        if position is not None and info.field_name == "before" and info.data.get("after") is not None:
            raise PydanticCustomError("after_and_before", "must not be given together with after")
        return position

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


Password = Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]


class NewUser(Command):
    model_config = Command.model_config | {"str_strip_whitespace": False}

    email: Email
    password: Password
    role: Literal["admin", "analyst"]

    @property
    def user_role(self) -> Role:
        return Role(self.role)


SignInEmail = Annotated[str, Field(min_length=1, max_length=EMAIL_MAX_LENGTH), OneLine]


class PasswordChange(Command):
    model_config = Command.model_config | {"str_strip_whitespace": False}

    password: Password


class OwnPasswordChange(Command):
    """A user's new password, given with the current one and typed twice."""

    model_config = Command.model_config | {"str_strip_whitespace": False}

    current_password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]
    password: Password
    password_confirmation: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]

    @field_validator("password_confirmation")
    @classmethod
    def _same_as_the_new_password(cls, confirmation: str, info: ValidationInfo) -> str:
        if "password" in info.data and confirmation != info.data["password"]:
            raise PydanticCustomError("passwords_differ", "must repeat the new password exactly")
        return confirmation


class Credentials(Command):
    model_config = Command.model_config | {"str_strip_whitespace": False}

    email: SignInEmail
    password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]


class ThresholdChange(Command):
    threshold: Annotated[
        float, Field(gt=0, lt=1, description="Probability from which a client is a buyer"), Numeric
    ]


class SegmentBands(Command):
    medium_from: Annotated[float, Field(gt=0, le=MAX_AMOUNT), DecimalComma, Numeric]
    high_from: Annotated[float, Field(gt=0, le=MAX_AMOUNT), DecimalComma, Numeric]

    @model_validator(mode="after")
    def _bands_in_order(self) -> SegmentBands:
        if self.high_from <= self.medium_from:
            raise PydanticCustomError("bands_out_of_order", "high_from must be greater than medium_from")
        return self


CURRENCY_CODES = sorted(code for code in list_currencies() if ISO_4217_CODE.fullmatch(code))


def _known_currency(code: str) -> str:
    """Three capital letters that Babel knows as an ISO 4217 currency."""
    if not (ISO_4217_CODE.fullmatch(code) and is_currency(code)):
        raise PydanticCustomError(
            "unknown_currency", "must be an ISO 4217 code such as PLN or EUR", {"currency": code}
        )
    return code


class CurrencyChange(Command):
    currency: Annotated[
        str,
        Field(
            description="ISO 4217 code, such as PLN, EUR or USD",
            examples=["EUR"],
            json_schema_extra={"enum": CURRENCY_CODES},
        ),
        AfterValidator(_known_currency),
    ]


TokenLifetimeDays = Annotated[int, Field(ge=1, le=365), Numeric]


class TokenRequest(Command):
    model_config = Command.model_config | {"str_strip_whitespace": False}

    email: SignInEmail
    password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)]
    expires_in_days: TokenLifetimeDays = 30


class OwnTokenRequest(Command):
    """A token a signed-in user asks for themselves: they have shown who they are already."""

    expires_in_days: TokenLifetimeDays = 30


class RoleChange(Command):
    role: Literal["admin", "analyst"]

    @property
    def user_role(self) -> Role:
        return Role(self.role)


KEPT_JOBS_DAYS = 30
"""How long finished jobs are kept by default (`JobsPrune`)."""


class JobsPrune(Command):
    """Delete the jobs that finished more than `older_than_days` days ago."""

    older_than_days: Days = KEPT_JOBS_DAYS


class SnapshotBuild(Command):
    """Derive snapshots from the orders and events up to `through` (default: the last month end)."""

    through: Annotated[PastDate | None, BlankIsNone] = None


class SnapshotKey(Command):
    """Which of a client's snapshots: its observation date, as a URL names it."""

    observed_on: date


class TrainingRequest(Command):
    """Which candidate to train: its feature set and its family of model."""

    features: FeatureSetName = FeatureSetName.BASIC
    model: ModelFamily = ModelFamily.LINEAR

    @property
    def candidate(self) -> Candidate:
        return clv() if self.model is ModelFamily.CLV else Candidate(self.features, self.model)


class VersionChoice(Command):
    """A trained version of a model to make the active one (a rollback, or a roll forward)."""

    version: Annotated[int, Field(ge=1, le=1_000_000), Numeric]


class ThresholdAdviceRequest(Command):
    """What contacting a client costs and what a client who then buys brings, in the company's currency:
    a flat value, or with `value_from_forecast` what the sales model expects the client to spend."""

    cost_per_contact: Annotated[float, Field(ge=0, le=MAX_AMOUNT), DecimalComma, Numeric]
    value_from_forecast: Annotated[
        bool,
        Field(
            description="Value a conversion at the client's sales forecast (then `value_per_conversion` "
            "may be left out)"
        ),
        YesOrNo,
    ] = False
    value_per_conversion: Annotated[
        Annotated[float, Field(gt=0, le=MAX_AMOUNT), DecimalComma, Numeric] | None,
        BlankIsNone,
        Field(validate_default=True),
    ] = None

    @field_validator("value_per_conversion")
    @classmethod
    def _value_unless_from_forecast(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None and not info.data.get("value_from_forecast", False):
            raise PydanticCustomError(
                "value_required", "give value_per_conversion, or value_from_forecast: true"
            )
        return value


class DemoAdvance(Command):
    """How many months the demo company moves on, as if they had passed."""

    months: Annotated[int, Field(ge=1, le=12), Numeric] = 1
