"""Bulk import from CSV: clients, activity snapshots, orders or events, all rows or none, with every bad
line explained."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from application.commands import ImportMode, NewEvent, NewOrder, NewSnapshot
from application.imports import CLIENT_COLUMNS, ImportRejected, ImportReport, RowError
from application.snapshots import BuildReport
from application.validation import InvalidInput
from domain.jobs import Job, JobState
from domain.users import Permission
from entrypoints.auth import requires
from entrypoints.container import current_container as container
from entrypoints.csv_files import open_upload, read_rows
from entrypoints.web.blueprint import bp
from entrypoints.web.formatting import number
from entrypoints.web.forms import ImportForm, SnapshotBuildForm, add_field_error, show_invalid_input
from entrypoints.web.labels import explain_refusal, field_label, job_label
from entrypoints.web.ml import job_status_answer, known_job

BUILD_JOB_KEY = "snapshot_build_job"
LOGS = frozenset({"orders", "events"})
"""Kinds of file whose new rows change the derived snapshots."""

CLIENT_EXAMPLE = (
    "first_name,last_name,email,registered_on\nAnna,Kowalska,anna.kowalska@example.com,2024-03-15"
)
ACTIVITY_EXAMPLE = (
    "client_email,observed_on,purchases_30d,avg_basket_value,site_visits_30d,days_since_last_purchase,"
    "visits_7d,newsletter_opened,ad_clicks_7d,time_on_site_7d,sales_next_month,purchased_next_14d\n"
    "anna.kowalska@example.com,2026-10-31,2,149.90,12,5,4,true,1,18.5,,"
)
ORDER_EXAMPLE = (
    "client_email,ordered_at,amount,order_id\n"
    'anna.kowalska@example.com,2026-10-03T14:25:00+02:00,"149,90",A-1001'
)
EVENT_EXAMPLE = "client_email,occurred_at,kind,duration_s\nanna.kowalska@example.com,20261003,visit,320"
KINDS = ("clients", "activity", "orders", "events")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    required: bool


@dataclass(frozen=True)
class ProblemRow:
    line: int
    column: str
    label: str
    message: str


@dataclass(frozen=True)
class BuildJob:
    """The snapshot build this session started, as the Import page follows it."""

    job: Job

    @property
    def finished(self) -> bool:
        return self.job.state.is_finished

    @property
    def report(self) -> BuildReport | None:
        result = self.job.result
        if self.job.state is not JobState.SUCCEEDED or result is None:
            return None
        return BuildReport(result["clients"], result["snapshots"], date.fromisoformat(result["through"]))


def expected_columns() -> dict[str, list[Column]]:
    activity = [Column("client_email", field_label("client_email"), True)]
    activity += [
        Column(name, field_label(name), info.is_required()) for name, info in NewSnapshot.model_fields.items()
    ]
    return {
        "clients": [Column(name, field_label(name), True) for name in CLIENT_COLUMNS],
        "activity": activity,
        "orders": _columns_of(NewOrder),
        "events": _columns_of(NewEvent),
    }


def _columns_of(command: type[NewOrder] | type[NewEvent]) -> list[Column]:
    return [
        Column(name, field_label(name), info.is_required()) for name, info in command.model_fields.items()
    ]


def problem_rows(errors: tuple[RowError, ...]) -> list[ProblemRow]:
    return [ProblemRow(e.line, e.field, field_label(e.field), explain_refusal(e)) for e in errors]


@bp.route("/import", methods=["GET"])
@requires(Permission.EDIT_CLIENTS)
def import_page() -> ResponseReturnValue:
    return _render(ImportForm(prefix="import"))


@bp.post("/import")
@requires(Permission.EDIT_CLIENTS)
def import_file() -> ResponseReturnValue:
    form = ImportForm(prefix="import")
    kind = form.kind.data if form.kind.data in KINDS else None
    upload = form.file.data
    if kind is None:
        add_field_error(form, "kind", _("Choose what the file holds."))
    if upload is None or not getattr(upload, "filename", ""):
        add_field_error(form, "file", _("Choose a CSV file to upload."))
    if kind is None or upload is None or not upload.filename:
        return _render(form, status=422)
    try:
        columns, rows = read_rows(open_upload(upload.stream))
        report = _use_case(kind, form)(columns, rows)
    except InvalidInput as error:
        show_invalid_input(form, error, fallback="file")
        return _render(form, status=422)
    except ImportRejected as rejected:
        return _render(form, problems=problem_rows(rejected.errors), filename=upload.filename, status=422)
    flash(told(report), "success")
    if kind in LOGS and report.imported:
        return _start_build(None)
    return redirect(url_for("web.import_page"))


def _use_case(kind: str, form: ImportForm) -> Callable[..., ImportReport]:
    mode = ImportMode.UPSERT if form.update.data else ImportMode.INSERT
    if kind == "clients":
        return functools.partial(container().import_clients(), mode=mode)
    if kind == "activity":
        return functools.partial(container().import_activity(), mode=mode)
    if kind == "orders":
        return functools.partial(container().import_orders(), create_clients=bool(form.create_clients.data))
    return container().import_events()


def told(report: ImportReport) -> str:
    """What an import did, in words: the rows stored as new, then the other counts that are not zero."""
    count = report.imported
    parts = [
        ngettext("Imported %(count)s new row.", "Imported %(count)s new rows.", count, count=number(count))
    ]
    if count := report.updated:
        parts.append(
            ngettext("%(count)s row updated.", "%(count)s rows updated.", count, count=number(count))
        )
    if count := report.already_stored:
        parts.append(
            ngettext(
                "%(count)s row already stored.", "%(count)s rows already stored.", count, count=number(count)
            )
        )
    if count := report.clients_created:
        parts.append(
            ngettext("%(count)s client created.", "%(count)s clients created.", count, count=number(count))
        )
    if count := report.registrations_moved_back:
        parts.append(
            ngettext(
                "%(count)s registration moved back to an earlier order.",
                "%(count)s registrations moved back to an earlier order.",
                count,
                count=number(count),
            )
        )
    return " ".join(parts)


@bp.post("/import/snapshots")
@requires(Permission.EDIT_CLIENTS)
def build_snapshots() -> ResponseReturnValue:
    form = SnapshotBuildForm(prefix="build")
    try:
        return _start_build(form.through.data or None)
    except InvalidInput as error:
        show_invalid_input(form, error, fallback="through")
        return _render(ImportForm(prefix="import"), build_form=form, status=422)


def _start_build(through: object) -> ResponseReturnValue:
    """Build the snapshots in the background (after new orders or events, or when asked) and follow it."""
    request = {} if through is None else {"through": through}
    job = container().start_snapshot_build()(request, submitted_by=current_user.email)
    session[BUILD_JOB_KEY] = job.id
    flash(_("Building the snapshots has started: the page shows when it is done."), "success")
    return redirect(url_for("web.import_page", _anchor="build"))


@bp.get("/import/jobs/<job_id>/status")
@requires(Permission.EDIT_CLIENTS)
def build_status(job_id: str) -> ResponseReturnValue:
    return job_status_answer(job_id)


def _build_job() -> BuildJob | None:
    job = known_job(session.get(BUILD_JOB_KEY))
    return None if job is None else BuildJob(job)


def _render(
    form: ImportForm,
    problems: list[ProblemRow] | None = None,
    filename: str | None = None,
    status: int = 200,
    build_form: SnapshotBuildForm | None = None,
) -> ResponseReturnValue:
    page = render_template(
        "imports/upload.html",
        form=form,
        build_form=build_form or SnapshotBuildForm(formdata=None, prefix="build"),
        build=_build_job(),
        job_label=job_label,
        columns=expected_columns(),
        examples={
            "clients": CLIENT_EXAMPLE,
            "activity": ACTIVITY_EXAMPLE,
            "orders": ORDER_EXAMPLE,
            "events": EVENT_EXAMPLE,
        },
        problems=problems,
        filename=filename,
    )
    return page, status
