"""Clients: the list with its filters, sorting, pages and CSV export; one client's page and its forms."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from application.commands import (
    ClientExport,
    ClientFilter,
    ClientListQuery,
    ClientSort,
    ExportDialect,
    ListPosition,
    Outcomes,
    position_token,
)
from application.lifetime import ClientLifetime
from application.plausibility import UnusualValues
from application.predicting import ClientPrediction, NoActivityYet, WhatIf
from application.queries import ClientListItem, Page
from application.validation import InvalidInput
from domain.activity import ActivitySnapshot
from domain.errors import DuplicateEmail, DuplicateSnapshot
from domain.lifetime import LifetimeUnavailable
from domain.model_runs import ArtifactMissing, ArtifactTampered, ModelNotTrained
from domain.users import Permission
from entrypoints import spreadsheets  # a module: it imports the panel's labels, which import this
from entrypoints.auth import requires
from entrypoints.container import current_container as container
from entrypoints.csv_files import export_lines
from entrypoints.web.blueprint import bp
from entrypoints.web.explaining import activity_chart, top_factors
from entrypoints.web.formatting import company_currency, day, money, percent
from entrypoints.web.forms import (
    ClientForm,
    OutcomesForm,
    SnapshotForm,
    WhatIfForm,
    add_field_error,
    show_invalid_input,
)
from entrypoints.web.i18n import DEFAULT_LOCALE
from entrypoints.web.labels import explain_refusal, field_label
from entrypoints.web.what_if import WhatIfCard, script_settings, what_if_card

PER_PAGE_CHOICES = (10, 25, 50, 100)
LIST_PARAMETERS = tuple(ClientListQuery.model_fields)
DESCENDING_FIRST = frozenset(
    {
        ClientSort.PREDICTED_SALES,
        ClientSort.PURCHASE_PROBABILITY,
        ClientSort.EXPECTED_VALUE,
        ClientSort.REGISTERED_ON,
    }
)
"""Columns whose first click shows the largest values first: the clients worth a look."""

_DEFAULTS = ClientListQuery().model_dump()
PREDICTED_FIRST = f"-{ClientSort.PURCHASE_PROBABILITY.value}"
"""The list's order once clients have predictions: the likeliest buyers first."""


def list_query(args: MultiDict[str, str]) -> ClientListQuery:
    """The list's filters, sort and page from the query string; empty values mean "not given"."""
    return ClientListQuery.parse({name: args[name] for name in LIST_PARAMETERS if args.get(name, "").strip()})


@dataclass(frozen=True)
class ListLinks:
    """Links that change one thing about the list and keep the rest of the query string."""

    query: ClientListQuery

    def params(self, **changes: Any) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, value in (self.query.model_dump() | changes).items():
            # The sort is always named: the list's own default depends on whether predictions exist.
            if value is None or (value == _DEFAULTS.get(name) and name != "sort"):
                continue
            if isinstance(value, enum.Enum):
                value = value.value
            elif isinstance(value, ListPosition):
                value = position_token(value)
            elif isinstance(value, bool):
                value = str(value).lower()
            params[name] = value
        return params

    def url(self, endpoint: str = "web.clients", **changes: Any) -> str:
        return url_for(endpoint, **self.params(**changes))

    def url_from(self, **changes: Any) -> str:
        """The list read from another place: from its start (page 1) unless a position is given."""
        return self.url(**({"page": None, "after": None, "before": None} | changes))

    def page_url(self, number: int) -> str:
        return self.url_from(page=max(number, 1))

    def previous_url(self, page: Page[ClientListItem]) -> str | None:
        """The page before `page`, read before its first client; none on the first page."""
        if page.previous is None:
            return None
        return self.url_from(page=max(1, page.page - 1), before=page.previous)

    def next_url(self, page: Page[ClientListItem]) -> str | None:
        """The page after `page`, read after its last client: as quick deep in the list as at its start."""
        if page.next is None:
            return None
        return self.url_from(page=page.page + 1, after=page.next)

    def sort_url(self, column: str) -> str:
        sort = ClientSort(column)
        if self.query.sort_column is sort:
            new = sort.value if self.query.descending else f"-{sort.value}"
        else:
            new = f"-{sort.value}" if sort in DESCENDING_FIRST else sort.value
        return self.url_from(sort=new)

    def sorted_by(self, column: str) -> str | None:
        """ "ascending" or "descending" when the list is sorted by this column, else None."""
        if self.query.sort_column.value != column:
            return None
        return "descending" if self.query.descending else "ascending"

    @property
    def export_params(self) -> dict[str, Any]:
        """The list's filters and sort, as the export form's hidden fields."""
        return self.params(page=None, per_page=None, after=None, before=None)

    @property
    def is_filtered(self) -> bool:
        query = self.query
        return bool(query.q or query.segment or query.will_buy is not None or query.tier is not None)


def sort_choices() -> list[tuple[str, str]]:
    """Every order the list can be shown in, for the sort menu of small screens."""
    names = {
        ClientSort.LAST_NAME: (_("Name, A to Z"), _("Name, Z to A")),
        ClientSort.FIRST_NAME: (_("First name, A to Z"), _("First name, Z to A")),
        ClientSort.EMAIL: (_("Email, A to Z"), _("Email, Z to A")),
        ClientSort.REGISTERED_ON: (_("Registered, oldest first"), _("Registered, newest first")),
        ClientSort.PREDICTED_SALES: (_("Forecast, lowest first"), _("Forecast, highest first")),
        ClientSort.PURCHASE_PROBABILITY: (
            _("Purchase chance, lowest first"),
            _("Purchase chance, highest first"),
        ),
        ClientSort.EXPECTED_VALUE: (
            _("Worth of a contact, lowest first"),
            _("Worth of a contact, highest first"),
        ),
    }
    choices = []
    for column, (ascending, descending) in names.items():
        choices += [(column.value, ascending), (f"-{column.value}", descending)]
    return choices


@bp.get("/clients")
@requires(Permission.READ)
def clients() -> ResponseReturnValue:
    problems: list[tuple[str, str]] = []
    try:
        query = list_query(request.args)
    except InvalidInput as error:
        problems = _explained(error)
        query = ClientListQuery()
    return _list_page(query, problems=problems), 422 if problems else 200


def _list_page(
    query: ClientListQuery,
    *,
    problems: list[tuple[str, str]] | None = None,
    export_problems: list[tuple[str, str]] | None = None,
) -> str:
    if not request.args.get("sort", "").strip() and container().clients_scored()() > 0:
        query = query.model_copy(update={"sort": PREDICTED_FIRST})
    page = container().list_clients()(query)
    return render_template(
        "clients/list.html",
        query=query,
        page=page,
        links=ListLinks(query),
        problems=problems or [],
        export_problems=export_problems or [],
        export_scope=request.args.get("scope", "all"),
        export_dialect=request.args.get("dialect", ExportDialect.EXCEL.value),
        per_page_choices=PER_PAGE_CHOICES,
        sort_choices=sort_choices(),
    )


def _explained(error: InvalidInput) -> list[tuple[str, str]]:
    return [(field_label(e.field.split(".")[0]), explain_refusal(e)) for e in error.errors]


EXPORT_SCOPES = ("all", "top", "selected")
"""What the export form sends as `scope`: every client of the list, its first `limit`, or the ticked
rows (`ids`). Without `scope` (a link such as the dashboard's), `limit` and `ids` are read as given."""


def export_command(args: MultiDict[str, str]) -> ClientExport:
    """The export the list's form (or a link) asks for: the list's filters and sort (its page and page
    size are not the export's), the scope, and the format; validated by the application."""
    raw: dict[str, Any] = {
        name: args[name] for name in ClientFilter.model_fields if args.get(name, "").strip()
    }
    scope = args.get("scope", "")
    if scope == "top" or (not scope and "limit" in args):
        raw["limit"] = args.get("limit", "")
    if scope == "selected" or (not scope and "ids" in args):
        raw["ids"] = args.getlist("ids")
    for name in ("dialect", "lang"):
        if args.get(name, "").strip():
            raw[name] = args[name]
    return ClientExport.parse(raw)


@bp.get("/clients/export.csv", endpoint="export_clients")
@requires(Permission.READ)
def export_clients_csv() -> ResponseReturnValue:
    """The list on screen as a file: plain CSV or, with `dialect=excel`, for Excel in the panel's
    language (or `lang`)."""
    try:
        export = export_command(request.args)
    except InvalidInput as error:
        try:
            query = list_query(request.args)
        except InvalidInput:
            query = ClientListQuery()
        return _list_page(query, export_problems=_explained(error)), 422
    currency = company_currency()
    language = str(get_locale() or DEFAULT_LOCALE)
    sheet = spreadsheets.sheet_of(export, language, currency)
    lines = export_lines(container().export_clients()(export), sheet)
    stem = f"prognoza-clients-{container().clock().today().isoformat()}"
    filename = spreadsheets.export_filename(stem, export, language, currency)
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/clients/new", methods=["GET", "POST"])
@requires(Permission.EDIT_CLIENTS)
def new_client() -> ResponseReturnValue:
    form = ClientForm(prefix="client")
    if request.method == "POST":
        try:
            client = container().register_client()(form.values())
        except InvalidInput as error:
            show_invalid_input(form, error)
        except DuplicateEmail:
            add_field_error(form, "email", _("This email is already taken."))
        else:
            flash(_("%(name)s was added.", name=client.full_name), "success")
            return redirect(url_for("web.client_page", client_id=client.id))
        return render_template("clients/new.html", form=form), 422
    return render_template("clients/new.html", form=form)


@bp.get("/clients/<int:client_id>")
@requires(Permission.READ)
def client_page(client_id: int) -> ResponseReturnValue:
    return render_client_page(client_id)


@bp.post("/clients/<int:client_id>/edit")
@requires(Permission.EDIT_CLIENTS)
def edit_client(client_id: int) -> ResponseReturnValue:
    form = ClientForm(prefix="edit")
    try:
        client = container().update_client()(client_id, form.values())
    except InvalidInput as error:
        show_invalid_input(form, error)
    except DuplicateEmail:
        add_field_error(form, "email", _("This email is already taken."))
    else:
        flash(_("The details of %(name)s were saved.", name=client.full_name), "success")
        return redirect(url_for("web.client_page", client_id=client_id))
    return render_client_page(client_id, edit=form, status=422)


@bp.post("/clients/<int:client_id>/delete")
@requires(Permission.EDIT_CLIENTS)
def remove_client(client_id: int) -> ResponseReturnValue:
    deleted = container().delete_client()(client_id)
    flash(_("%(name)s and their activity were deleted.", name=deleted.full_name), "success")
    return redirect(url_for("web.clients"))


@bp.post("/clients/<int:client_id>/activity")
@requires(Permission.EDIT_CLIENTS)
def add_snapshot(client_id: int) -> ResponseReturnValue:
    form = SnapshotForm(prefix="snapshot")
    try:
        snapshot, prediction = container().record_activity()(client_id, form.values())
    except UnusualValues as error:
        show_invalid_input(form, error)
        return render_client_page(client_id, snapshot=form, unusual=True, status=422)
    except InvalidInput as error:
        show_invalid_input(form, error)
    except DuplicateSnapshot:
        add_field_error(form, "observed_on", _("This client already has a snapshot on that date."))
    else:
        flash(_("The snapshot of %(day)s was added.", day=day(snapshot.observed_on)), "success")
        if prediction is not None:
            flash(_new_prediction_message(prediction), "success")
        return redirect(url_for("web.client_page", client_id=client_id, _anchor="activity"))
    return render_client_page(client_id, snapshot=form, status=422)


@bp.post("/clients/<int:client_id>/activity/<observed_on>/outcomes")
@requires(Permission.EDIT_CLIENTS)
def fill_in_outcomes(client_id: int, observed_on: str) -> ResponseReturnValue:
    observed = _date_or_404(observed_on)
    form = OutcomesForm(prefix=f"outcomes-{observed.isoformat()}")
    try:
        container().record_outcomes()(client_id, observed, Outcomes.parse(form.values()))
    except UnusualValues as error:
        show_invalid_input(form, error)
        return render_client_page(client_id, outcomes=(observed, form), unusual=True, status=422)
    except InvalidInput as error:
        show_invalid_input(form, error)
    else:
        flash(_("The outcomes of %(day)s were saved.", day=day(observed)), "success")
        return redirect(url_for("web.client_page", client_id=client_id, _anchor="activity"))
    return render_client_page(client_id, outcomes=(observed, form), status=422)


@bp.post("/clients/<int:client_id>/predict")
@requires(Permission.RUN_PREDICTIONS)
def rerun_prediction(client_id: int) -> ResponseReturnValue:
    try:
        result = container().predict_client()(client_id)
    except ModelNotTrained:
        flash(_models_missing_message(), "warning")
    except NoActivityYet:
        flash(_("Add an activity snapshot first: predictions are made from the newest one."), "warning")
    except (ArtifactMissing, ArtifactTampered) as error:
        flash(_("The active model could not be loaded: %(reason)s", reason=error.message), "danger")
    else:
        flash(_new_prediction_message(result), "success")
    return redirect(url_for("web.client_page", client_id=client_id))


@bp.post("/clients/<int:client_id>/what-if")
@requires(Permission.READ)
def try_what_if(client_id: int) -> ResponseReturnValue:
    """The client's page with the predictions the values tried would give; nothing is stored."""
    form = WhatIfForm(prefix="whatif")
    result, problem, status = None, None, 200
    try:
        result = container().what_if()(client_id, form.values())
    except InvalidInput as error:
        show_invalid_input(form, error)
        status = 422
    except ModelNotTrained:
        problem, status = _models_missing_message(), 409
    except NoActivityYet:
        abort(404)  # the card is offered only beside a snapshot
    except (ArtifactMissing, ArtifactTampered) as error:
        problem = _("The active model could not be loaded: %(reason)s", reason=error.message)
        status = 409
    return render_client_page(client_id, what_if=(form, result, problem), status=status)


def _new_prediction_message(prediction: ClientPrediction) -> str:
    purchase = prediction.purchase
    return _(
        "New prediction: %(forecast)s next month, "
        "a %(chance)s chance of buying within 14 days (%(decision)s).",
        forecast=money(prediction.forecast.value),
        chance=percent(purchase.probability),
        decision=_("likely to buy") if purchase.will_buy else _("unlikely to buy"),
    )


def render_client_page(
    client_id: int,
    *,
    edit: ClientForm | None = None,
    snapshot: SnapshotForm | None = None,
    unusual: bool = False,
    outcomes: tuple[date, OutcomesForm] | None = None,
    what_if: tuple[WhatIfForm, WhatIf | None, str | None] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The client's page; `unusual` when the form given (a snapshot's, or outcomes') asks to confirm
    values far outside the usual; `what_if` with the values tried, what they give or why not."""
    detail = container().client_page()(client_id)
    # Reasons explain the predictions beside them: none for predictions that are out of date.
    explanation, model_problem = (None, None) if detail.overview.out_of_date else _explain(client_id)
    outcome_forms = {
        s.observed_on: OutcomesForm(formdata=None, prefix=f"outcomes-{s.observed_on.isoformat()}")
        for s in detail.activity
        if s.sales_next_month is None or s.purchased_next_14d is None
    }
    if outcomes is not None:
        outcome_forms[outcomes[0]] = outcomes[1]
    page = render_template(
        "clients/detail.html",
        detail=detail,
        overview=detail.overview,
        client=detail.client,
        threshold=detail.threshold,
        edit_form=edit or ClientForm(formdata=None, obj=detail.client, prefix="edit"),
        snapshot_form=snapshot
        or SnapshotForm(formdata=None, prefix="snapshot", data={"observed_on": container().clock().today()}),
        snapshot_open=snapshot is not None,
        unusual=unusual,
        edit_open=edit is not None,
        outcome_forms=outcome_forms,
        open_outcomes=None if outcomes is None else outcomes[0],
        factors=None if explanation is None else top_factors(*explanation),
        model_problem=model_problem,
        activity=activity_chart(detail.activity),
        what_if=_what_if_card(detail.activity, what_if),
        what_if_settings=script_settings(detail.overview),
        lifetime=_lifetime(client_id),
    )
    return page, status


def _lifetime(client_id: int) -> ClientLifetime | None:
    """The lifetime card's content; None, and no card, where no lifetime model was trained or its file
    cannot be read (the ML panel says so)."""
    try:
        lifetime = container().client_lifetime()(client_id)
    except (ArtifactMissing, ArtifactTampered):
        return None
    return None if lifetime.unavailable is LifetimeUnavailable.NO_MODEL else lifetime


def _what_if_card(
    activity: list[ActivitySnapshot], tried: tuple[WhatIfForm, WhatIf | None, str | None] | None
) -> WhatIfCard | None:
    """None until the client has a snapshot to change."""
    if not activity:
        return None
    return what_if_card(activity[0], *(tried or ()))


def _explain(client_id: int) -> tuple[Any, str | None]:
    try:
        return container().explain_client()(client_id), None
    except (ArtifactMissing, ArtifactTampered) as error:
        return None, error.message


def _models_missing_message() -> str:
    if current_user.can(Permission.TRAIN_MODELS):
        return _("The models are not trained yet: train both of them in the ML panel first.")
    return _("The models are not trained yet: ask an administrator to train them.")


def _date_or_404(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)
