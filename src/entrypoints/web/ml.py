"""The ML panel: model versions, their quality, threshold and segments.

Everyone who reads the panel sees it all; training, activating, the settings and scoring every client
each need their own permission, and the page shows only the controls its reader may use.
"""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from application.commands import (
    CurrencyChange,
    SegmentBands,
    ThresholdAdviceRequest,
    ThresholdChange,
    TrainingRequest,
)
from application.decisions import ThresholdAdvice
from application.validation import InvalidInput
from domain.candidates import CandidateNotAvailable
from domain.jobs import Job, JobNotFound
from domain.model_runs import (
    ModelNotTrained,
    ModelRun,
    RunNotActivatable,
    RunNotFound,
    TrainingAlreadyRunning,
)
from domain.predictions import ModelKind
from domain.users import Permission
from entrypoints.auth import requires
from entrypoints.container import current_container as container
from entrypoints.web.blueprint import bp
from entrypoints.web.calibration import calibration_card
from entrypoints.web.drift import LEVEL_LABELS, drift_panel
from entrypoints.web.formatting import money, percent
from entrypoints.web.forms import (
    CurrencyForm,
    SegmentBandsForm,
    ThresholdAdviceForm,
    ThresholdForm,
    show_invalid_input,
)
from entrypoints.web.labels import (
    MODEL_LABELS,
    STATUS_LABELS,
    STATUS_TONES,
    candidate_label,
    explain_refusal,
    job_label,
)
from entrypoints.web.ml_panel import ScoringJob, key_metric_text, model_panel, threshold_effect
from entrypoints.web.monitoring import monitoring_tables
from entrypoints.web.numbers import written_number
from entrypoints.web.profit_chart import profit_chart

SCORING_JOB_KEY = "scoring_job"


@bp.get("/ml")
@requires(Permission.READ)
def ml() -> ResponseReturnValue:
    return render_ml_page(finished=request.args.get("finished", type=int))


def render_ml_page(
    *,
    threshold_form: ThresholdForm | None = None,
    bands_form: SegmentBandsForm | None = None,
    currency_form: CurrencyForm | None = None,
    advice_form: ThresholdAdviceForm | None = None,
    advice: ThresholdAdvice | None = None,
    finished: int | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    panel = container().ml_panel()()
    runs, threshold, rule = panel.runs, panel.threshold, panel.segment_rule
    just_finished = next((run for run in runs if run.id == finished and run.status.is_finished), None)
    panels = [model_panel(kind, runs) for kind in ModelKind]
    purchase = next(panel for panel in panels if panel.kind is ModelKind.PURCHASE)
    scoring = _scoring_job()
    page = render_template(
        "ml/overview.html",
        panels=panels,
        threshold=threshold,
        segment_rule=rule,
        threshold_form=threshold_form
        or ThresholdForm(
            formdata=None,
            data={"threshold": written_number(threshold.value, get_locale(), 2)},
            prefix="threshold",
        ),
        bands_form=bands_form
        or SegmentBandsForm(
            formdata=None,
            data={
                "medium_from": written_number(rule.medium_from, get_locale()),
                "high_from": written_number(rule.high_from, get_locale()),
            },
            prefix="segments",
        ),
        currency_form=currency_form
        or CurrencyForm(formdata=None, data={"currency": panel.currency.code}, prefix="currency"),
        threshold_effect=threshold_effect(purchase.active, threshold.value),
        advice_form=advice_form or ThresholdAdviceForm(formdata=None, prefix="advice"),
        advice=advice,
        profit_chart=profit_chart(advice, panel.currency.code),
        all_trained=all(panel.active for panel in panels),
        out_of_date_clients=panel.out_of_date_clients,
        scoring=scoring,
        job_label=job_label,
        just_finished=just_finished,
        key_metric=key_metric_text,
        monitoring=monitoring_tables(),
        drift=drift_panel(),
        drift_levels=LEVEL_LABELS,
        calibration=calibration_card(),
    )
    return page, status


@bp.post("/ml/train/<kind>")
@requires(Permission.TRAIN_MODELS)
def train(kind: str) -> ResponseReturnValue:
    model = _kind_or_404(kind)
    try:
        if request.form.get("compare"):
            runs = container().start_comparison()(model, current_user.email)
        else:
            choice = TrainingRequest.parse(
                {name: request.form[name] for name in ("features", "model") if name in request.form}
            )
            runs = [container().start_training()(model, current_user.email, candidate=choice.candidate)]
    except InvalidInput as error:
        flash(" ".join(explain_refusal(problem) for problem in error.errors), "danger")
    except CandidateNotAvailable:
        flash(_("The customer-lifetime model forecasts sales only."), "danger")
    except TrainingAlreadyRunning:
        flash(
            _(
                "%(model)s: a training run is already in progress; wait until it finishes.",
                model=_model(model),
            ),
            "warning",
        )
    else:
        flash(_started(model, runs), "success")
    return redirect(url_for("web.ml", _anchor=f"model-{model.value}"))


def _started(model: ModelKind, runs: list[ModelRun]) -> str:
    if len(runs) == 1:
        return _(
            "%(model)s: training of version %(version)s (%(candidate)s) has started.",
            model=_model(model),
            version=runs[0].version,
            candidate=candidate_label(runs[0].candidate),
        )
    return _(
        "%(model)s: %(count)s candidates are being compared, versions %(first)s to %(last)s.",
        model=_model(model),
        count=len(runs),
        first=runs[0].version,
        last=runs[-1].version,
    )


@bp.get("/ml/runs/<int:run_id>/status")
@requires(Permission.READ)  # the page follows a run in progress for whoever reads it
def run_status(run_id: int) -> ResponseReturnValue:
    try:
        run = container().get_run()(run_id)
    except RunNotFound:
        abort(404)
    return jsonify(
        id=run.id,
        kind=run.kind.value,
        version=run.version,
        status=run.status.value,
        label=str(STATUS_LABELS[run.status]),
        tone=STATUS_TONES[run.status],
        finished=run.status.is_finished,
        error=run.error,
    )


@bp.post("/ml/models/<kind>/versions/<int:version>/activate")
@requires(Permission.TRAIN_MODELS)
def activate(kind: str, version: int) -> ResponseReturnValue:
    model = _kind_or_404(kind)
    try:
        container().activate_version()(model, version, current_user.email)
    except RunNotFound:
        abort(404)
    except RunNotActivatable:
        flash(
            _("Version %(version)s did not train successfully, so it cannot be activated.", version=version),
            "danger",
        )
    else:
        flash(
            _(
                "%(model)s: version %(version)s is now active. "
                "Score all clients to apply it to every prediction.",
                version=version,
                model=_model(model),
            ),
            "success",
        )
    return redirect(url_for("web.ml", _anchor=f"model-{model.value}"))


@bp.post("/ml/threshold")
@requires(Permission.CHANGE_THRESHOLD)
def set_threshold() -> ResponseReturnValue:
    form = ThresholdForm(prefix="threshold")
    try:
        command = ThresholdChange.parse(form.values())
        threshold = container().change_threshold()(command, current_user.email)
    except InvalidInput as error:
        show_invalid_input(form, error)
        return render_ml_page(threshold_form=form, status=422)
    flash(
        _(
            "The decision threshold is now %(threshold)s. Predictions made before keep the threshold "
            "they were made with: score all clients to apply it to every decision.",
            threshold=percent(threshold.value),
        ),
        "success",
    )
    return redirect(url_for("web.ml", _anchor="threshold"))


@bp.get("/ml/threshold-advice")
@requires(Permission.READ)
def advise_threshold() -> ResponseReturnValue:
    """The threshold priced in money, on the same page: reads only."""
    form = ThresholdAdviceForm(formdata=request.args, prefix="advice")
    try:
        advice = container().threshold_advice()(ThresholdAdviceRequest.parse(form.values()))
    except InvalidInput as error:
        show_invalid_input(form, error)
        return render_ml_page(advice_form=form, status=422)
    except ModelNotTrained:
        flash(_("Train the purchase model before pricing the threshold."), "warning")
        return redirect(url_for("web.ml", _anchor="threshold"))
    return render_ml_page(advice_form=form, advice=advice)


@bp.post("/ml/segments")
@requires(Permission.CHANGE_THRESHOLD)
def set_segments() -> ResponseReturnValue:
    form = SegmentBandsForm(prefix="segments")
    try:
        command = SegmentBands.parse(form.values())
        rule = container().change_segment_rule()(command, current_user.email)
    except InvalidInput as error:
        show_invalid_input(form, error, fallback="high_from")
        return render_ml_page(bands_form=form, status=422)
    flash(
        _(
            "Segments changed: high from %(high)s, medium from %(medium)s.",
            high=money(rule.high_from, decimals=0),
            medium=money(rule.medium_from, decimals=0),
        ),
        "success",
    )
    return redirect(url_for("web.ml", _anchor="segments"))


@bp.post("/ml/currency")
@requires(Permission.CHANGE_THRESHOLD)
def set_currency() -> ResponseReturnValue:
    form = CurrencyForm(prefix="currency")
    try:
        command = CurrencyChange.parse(form.values())
        currency = container().change_currency()(command, current_user.email)
    except InvalidInput as error:
        show_invalid_input(form, error)
        return render_ml_page(currency_form=form, status=422)
    g.currency = currency.code
    flash(
        _(
            "Amounts are now in %(currency)s. Amounts already on record are not converted.",
            currency=currency.code,
        ),
        "success",
    )
    return redirect(url_for("web.ml", _anchor="currency"))


@bp.post("/ml/score")
@requires(Permission.SCORE_ALL_CLIENTS)
def score_all() -> ResponseReturnValue:
    try:
        job = container().start_batch_prediction()(submitted_by=current_user.email)
    except ModelNotTrained:
        flash(_("Train both models before scoring the clients."), "warning")
    else:
        session[SCORING_JOB_KEY] = job.id
        flash(_("Scoring every client has started: the page shows when it is done."), "success")
    return redirect(url_for("web.ml", _anchor="scoring"))


@bp.get("/ml/jobs/<job_id>/status")
@requires(Permission.TRAIN_MODELS)
def job_status(job_id: str) -> ResponseReturnValue:
    return job_status_answer(job_id)


def job_status_answer(job_id: str) -> ResponseReturnValue:
    """A background job's state and progress, for the badge that follows it (404 for an unknown job)."""
    job = known_job(job_id)
    if job is None:
        abort(404)
    return jsonify(
        id=job.id,
        state=job.state.value,
        label=job_label(job),
        done=job.done,
        total=job.total,
        finished=job.state.is_finished,
        error=job.error,
    )


def known_job(job_id: object) -> Job | None:
    """The job of this id, read from the database (any process answers), or None."""
    if not isinstance(job_id, str):
        return None
    try:
        return container().get_job()(job_id)
    except JobNotFound:
        return None


def _scoring_job() -> ScoringJob | None:
    job = known_job(session.get(SCORING_JOB_KEY))
    return None if job is None else ScoringJob(job)


def _kind_or_404(kind: str) -> ModelKind:
    try:
        return ModelKind(kind)
    except ValueError:
        abort(404)


def _model(kind: ModelKind) -> str:
    return str(MODEL_LABELS[kind])
