"""Bulk import from CSV: clients or activity snapshots, all rows or none, with every bad line explained."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from application.commands import NewSnapshot
from application.imports import CLIENT_COLUMNS, ImportRejected, RowError
from application.ports import JobStatus
from application.snapshots import BuildReport
from application.validation import InvalidInput
from domain.users import Permission
from entrypoints.auth import requires
from entrypoints.container import current_container as container
from entrypoints.csv_files import open_upload, read_rows
from entrypoints.web.blueprint import bp
from entrypoints.web.formatting import number
from entrypoints.web.forms import ImportForm, SnapshotBuildForm, add_field_error, show_invalid_input
from entrypoints.web.labels import JOB_STATE_LABELS, explain_refusal, field_label
from entrypoints.web.ml import job_status_answer

BUILD_JOB_KEY = "snapshot_build_job"

CLIENT_EXAMPLE = (
    "first_name,last_name,email,registered_on\nAnna,Kowalska,anna.kowalska@example.com,2024-03-15"
)
ACTIVITY_EXAMPLE = (
    "client_email,observed_on,purchases_30d,avg_basket_value,site_visits_30d,days_since_last_purchase,"
    "visits_7d,newsletter_opened,ad_clicks_7d,time_on_site_7d,sales_next_month,purchased_next_14d\n"
    "anna.kowalska@example.com,2026-10-31,2,149.90,12,5,4,true,1,18.5,,"
)


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

    job: JobStatus

    @property
    def finished(self) -> bool:
        return self.job.state in ("succeeded", "failed")

    @property
    def report(self) -> BuildReport | None:
        return self.job.result if isinstance(self.job.result, BuildReport) else None


def expected_columns() -> dict[str, list[Column]]:
    activity = [Column("client_email", field_label("client_email"), True)]
    activity += [
        Column(name, field_label(name), info.is_required()) for name, info in NewSnapshot.model_fields.items()
    ]
    return {
        "clients": [Column(name, field_label(name), True) for name in CLIENT_COLUMNS],
        "activity": activity,
    }


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
    kind = form.kind.data if form.kind.data in ("clients", "activity") else None
    upload = form.file.data
    if kind is None:
        add_field_error(form, "kind", _("Choose what the file holds."))
    if upload is None or not getattr(upload, "filename", ""):
        add_field_error(form, "file", _("Choose a CSV file to upload."))
    if kind is None or upload is None or not upload.filename:
        return _render(form, status=422)
    try:
        columns, rows = read_rows(open_upload(upload.read()))
        use_case = container().import_clients() if kind == "clients" else container().import_activity()
        report = use_case(columns, rows)
    except InvalidInput as error:
        show_invalid_input(form, error, fallback="file")
        return _render(form, status=422)
    except ImportRejected as rejected:
        return _render(form, problems=problem_rows(rejected.errors), filename=upload.filename, status=422)
    count = number(report.imported)
    if kind == "clients":
        message = ngettext(
            "Imported %(count)s client.", "Imported %(count)s clients.", report.imported, count=count
        )
    else:
        message = ngettext(
            "Imported %(count)s activity snapshot.",
            "Imported %(count)s activity snapshots.",
            report.imported,
            count=count,
        )
    flash(message, "success")
    return redirect(url_for("web.import_page"))


@bp.post("/import/snapshots")
@requires(Permission.EDIT_CLIENTS)
def build_snapshots() -> ResponseReturnValue:
    form = SnapshotBuildForm(prefix="build")
    try:
        job = container().start_snapshot_build()(form.through.data or None)
    except InvalidInput as error:
        show_invalid_input(form, error, fallback="through")
        return _render(ImportForm(prefix="import"), build_form=form, status=422)
    session[BUILD_JOB_KEY] = job.id
    flash(_("Building the snapshots has started: the page shows when it is done."), "success")
    return redirect(url_for("web.import_page", _anchor="build"))


@bp.get("/import/jobs/<job_id>/status")
@requires(Permission.EDIT_CLIENTS)
def build_status(job_id: str) -> ResponseReturnValue:
    return job_status_answer(job_id)


def _build_job() -> BuildJob | None:
    job_id = session.get(BUILD_JOB_KEY)
    job = container().job_status()(job_id) if isinstance(job_id, str) else None
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
        job_state_labels=JOB_STATE_LABELS,
        columns=expected_columns(),
        examples={"clients": CLIENT_EXAMPLE, "activity": ACTIVITY_EXAMPLE},
        problems=problems,
        filename=filename,
    )
    return page, status
