"""Web forms. They render fields and keep what was typed; the rules of the input live in application.commands.

Apart from the sign-in form, which checks what a browser must send before anything is looked up, a form
here has no validators of its own: its raw values go to `SomeCommand.parse(form.values())`, and the
command's refusals come back next to their fields through `show_invalid_input`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_name
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length

from application.commands import PASSWORD_MAX_LENGTH
from application.validation import InvalidInput
from domain.clients import EMAIL_MAX_LENGTH
from domain.currency import OFFERED_CURRENCIES
from domain.errors import FieldError
from entrypoints.web.formatting import company_currency, in_company_currency
from entrypoints.web.labels import (
    DATE_FORMAT_CODES,
    FEATURE_LABELS,
    FIELD_LABELS,
    PICKED_DATE_REFUSAL,
    ROLE_LABELS,
    explain_refusal,
)
from entrypoints.web.numbers import read_number

TOO_LONG = _l("Use at most %(max)d characters.")
CONFIRM_UNUSUAL = _l("Yes, store these values as they are")


NOT_READ = float("nan")
"""What a number that cannot be read goes on as: a value no command takes (see `CommandForm.values`)."""

MAX_FIELD_CHARS = 4_000
"""The longest value a field of the panel takes (the longest real one, a password, is 256): anything
longer is refused and never rendered back, so a page never echoes megabytes of someone's input."""


class BoundedForm(FlaskForm):
    """A form that drops a value longer than `MAX_FIELD_CHARS` as soon as it is read: the field is
    re-rendered empty with a refusal, and the value goes no further."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oversized: list[str] = []
        for name, field in self._fields.items():
            raw = field.raw_data or []
            if raw and isinstance(raw[0], str) and len(raw[0]) > MAX_FIELD_CHARS:
                self.oversized.append(name)
                field.raw_data, field.data = [], None

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for name in self.oversized:
            self._fields[name].errors = [explain_refusal(_too_long(name))]
        return valid and not self.oversized


def _too_long(name: str) -> FieldError:
    return FieldError(
        name, "too_long", f"At most {MAX_FIELD_CHARS} characters.", {"max_length": MAX_FIELD_CHARS}
    )


class NumberField(StringField):
    """A number typed the way the panel's language writes it (`149,90` in Polish, `149.90` in English),
    read by `CommandForm.values()`. A text input: a number input takes no decimal comma in some browsers."""

    def __init__(self, label: Any, *, whole: bool = False, **kwargs: Any) -> None:
        keyboard = {"type": "text", "inputmode": "numeric" if whole else "decimal", "autocomplete": "off"}
        super().__init__(label, render_kw=keyboard, **kwargs)


class PickedDateField(StringField):
    """A day chosen in the browser's calendar, which shows it the reader's way but sends it as ISO 8601:
    a refusal of its format asks for a date from the calendar, naming no format the reader never sees."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label, render_kw={"type": "date"}, **kwargs)


class LoginForm(BoundedForm):
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(message=_l("Enter your email address.")),
            Length(max=EMAIL_MAX_LENGTH, message=TOO_LONG),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=PASSWORD_MAX_LENGTH, message=TOO_LONG),
        ],
    )
    remember = BooleanField(_l("Keep me signed in"))

    def credentials(self) -> dict[str, Any]:
        return {"email": self.email.data, "password": self.password.data}


class CommandForm(BoundedForm):
    """A form whose rules are a command's: `values()` is what the browser sent, untouched."""

    blank_is_missing = True
    """An empty field counts as not given, so a required one is refused as required (and an optional
    one takes its default). A form for a partial change keeps empty values, to refuse them."""
    amount_fields: tuple[str, ...] = ()
    """Fields whose label names the company's currency as `%(currency)s`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unreadable: dict[str, tuple[FieldError, ...]] = {}
        """The numbers `values()` could not read, by field, with their refusals."""
        for name in self.amount_fields:
            label = self._fields[name].label
            label.text = in_company_currency(label.text)

    def values(self) -> dict[str, Any]:
        """Each field that was sent, as typed, but a number as the number it stands for in the panel's
        language; a checkbox is True or False, sent or not. A value too long for any field is refused
        (InvalidInput) before a command sees it.

        A number that cannot be read is kept in `unreadable` with its refusal and goes on as NaN, which
        every command refuses: the command names the other fields' problems at the same time, and
        `show_invalid_input` shows the form's refusal in place of the command's for that field."""
        if self.oversized:
            raise InvalidInput([_too_long(name) for name in self.oversized])
        values: dict[str, Any] = {}
        for name, field in self._fields.items():
            if name == "csrf_token":
                continue
            if isinstance(field, BooleanField):
                values[name] = bool(field.data)
            elif field.raw_data and not (self.blank_is_missing and not str(field.raw_data[0]).strip()):
                values[name] = field.raw_data[0]
            if isinstance(field, NumberField) and str(values.get(name, "")).strip():
                values[name] = self._number(name, values[name])
        return values

    def _number(self, name: str, text: str) -> Decimal | float:
        try:
            return read_number(name, text, get_locale())
        except InvalidInput as error:
            self.unreadable[name] = error.errors
            return NOT_READ


def _yes_no_unknown() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("Not known yet")),
        SelectChoice("true", _l("Yes")),
        SelectChoice("false", _l("No")),
    ]


def _yes_no_no_data() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("No data")),
        SelectChoice("true", _l("Yes")),
        SelectChoice("false", _l("No")),
    ]


def _roles() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class ClientForm(CommandForm):
    blank_is_missing = False  # a client's changes are partial: an emptied name must be refused, not skipped

    first_name = StringField(FIELD_LABELS["first_name"], render_kw={"autocomplete": "off", "maxlength": 100})
    last_name = StringField(FIELD_LABELS["last_name"], render_kw={"autocomplete": "off", "maxlength": 100})
    email = StringField(FIELD_LABELS["email"], render_kw={"type": "email", "autocomplete": "off"})
    registered_on = PickedDateField(FIELD_LABELS["registered_on"])


class SnapshotForm(CommandForm):
    amount_fields: tuple[str, ...] = ("avg_basket_value", "sales_next_month")
    observed_on = PickedDateField(FIELD_LABELS["observed_on"])
    purchases_30d = NumberField(FEATURE_LABELS["purchases_30d"], whole=True)
    avg_basket_value = NumberField(_l("Average basket value (%(currency)s)"))
    site_visits_30d = NumberField(FEATURE_LABELS["site_visits_30d"], whole=True)
    days_since_last_purchase = NumberField(FEATURE_LABELS["days_since_last_purchase"], whole=True)
    visits_7d = NumberField(FEATURE_LABELS["visits_7d"], whole=True)
    newsletter_opened = SelectField(
        FEATURE_LABELS["newsletter_opened"], choices=_yes_no_no_data, validate_choice=False
    )
    ad_clicks_7d = NumberField(FEATURE_LABELS["ad_clicks_7d"], whole=True)
    time_on_site_7d = NumberField(FEATURE_LABELS["time_on_site_7d"])
    sales_next_month = NumberField(_l("Sales in the following month (%(currency)s)"))
    purchased_next_14d = SelectField(
        FIELD_LABELS["purchased_next_14d"], choices=_yes_no_unknown, validate_choice=False
    )
    confirm_unusual = BooleanField(CONFIRM_UNUSUAL)


class WhatIfForm(SnapshotForm):
    """A snapshot's behaviour values, changed to see the predictions they would give (`SnapshotChanges`)."""

    blank_is_missing = False  # an emptied value is sent: unknown, or refused where it is always known
    amount_fields = ("avg_basket_value",)
    observed_on = sales_next_month = purchased_next_14d = confirm_unusual = None  # type: ignore[assignment]


class OutcomesForm(CommandForm):
    amount_fields = ("sales_next_month",)
    sales_next_month = NumberField(_l("Sales in the following month (%(currency)s)"))
    purchased_next_14d = SelectField(
        FIELD_LABELS["purchased_next_14d"], choices=_yes_no_unknown, validate_choice=False
    )
    confirm_unusual = BooleanField(CONFIRM_UNUSUAL)


class UserForm(CommandForm):
    email = StringField(FIELD_LABELS["email"], render_kw={"type": "email", "autocomplete": "off"})
    password = PasswordField(FIELD_LABELS["password"], render_kw={"autocomplete": "new-password"})
    role = SelectField(FIELD_LABELS["role"], choices=_roles, default="analyst", validate_choice=False)


class RoleForm(CommandForm):
    role = SelectField(FIELD_LABELS["role"], choices=_roles, validate_choice=False)


class ThresholdForm(CommandForm):
    threshold = NumberField(_l("Decision threshold (probability)"))


class ThresholdAdviceForm(CommandForm):
    """Sent by GET: it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    amount_fields = ("cost_per_contact", "value_per_conversion")
    cost_per_contact = NumberField(_l("Cost of contacting a client (%(currency)s)"))
    value_per_conversion = NumberField(_l("Worth of a client who buys (%(currency)s)"))
    value_from_forecast = BooleanField(_l("Value a conversion at the client's sales forecast"))


class SegmentBandsForm(CommandForm):
    amount_fields = ("medium_from", "high_from")
    medium_from = NumberField(_l("Medium from (%(currency)s)"))
    high_from = NumberField(_l("High from (%(currency)s)"))


def _currencies() -> list[SelectChoice]:
    """The currencies the panel offers, and the one in force if it was set to another through the API."""
    codes = dict.fromkeys((*OFFERED_CURRENCIES, company_currency()))
    return [SelectChoice(code, f"{code} · {get_currency_name(code, locale=get_locale())}") for code in codes]


class CurrencyForm(CommandForm):
    currency = SelectField(_l("Currency"), choices=_currencies, validate_choice=False)


class ImportForm(CommandForm):
    kind = RadioField(
        _l("What the file holds"),
        choices=[
            SelectChoice("clients", _l("Clients")),
            SelectChoice("activity", _l("Activity snapshots")),
            SelectChoice("orders", _l("Orders")),
            SelectChoice("events", _l("Events")),
        ],
        default="clients",
        validate_choice=False,
    )
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})
    update = BooleanField(_l("Update the clients and snapshots already stored (the monthly file)"))
    create_clients = BooleanField(_l("Create unknown clients (orders)"))


class SnapshotBuildForm(CommandForm):
    through = PickedDateField(_l("Through"))


def show_invalid_input(form: FlaskForm, error: InvalidInput, fallback: str | None = None) -> None:
    """Put each refused value's message next to its field, in the reader's language.

    A refusal about the input as a whole goes to the `fallback` field if given, else above the form. A
    number the form could not read is refused by the form's words, not the command's.
    """
    unreadable: dict[str, tuple[FieldError, ...]] = getattr(form, "unreadable", {})
    problems = [p for p in error.errors if p.field not in unreadable]
    for problem in [*problems, *(p for errors in unreadable.values() for p in errors)]:
        name = problem.field if problem.field in form._fields else fallback
        field: Field | None = form._fields.get(name) if name else None
        if isinstance(field, PickedDateField) and problem.code in DATE_FORMAT_CODES:
            message = str(PICKED_DATE_REFUSAL)
        else:
            message = explain_refusal(problem)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def add_field_error(form: FlaskForm, name: str, message: str) -> None:
    field = form._fields[name]
    field.errors = [*field.errors, message]
