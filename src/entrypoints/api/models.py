"""Models (admin): train a new version in the background, follow its run, choose the active version."""

from __future__ import annotations

from flask import Response

from application.commands import ThresholdAdviceRequest, TrainingRequest, VersionChoice
from domain.model_runs import RunNotFound
from domain.predictions import ModelKind
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, body, optional_body
from entrypoints.api.schemas.drift import DriftOut
from entrypoints.api.security import allowed, caller
from entrypoints.container import current_container as container

KIND = "<any(sales, purchase):kind>"
RUN_ID = "<int(min=1, max=2147483647):run_id>"


@bp.post(f"/models/{KIND}/training", endpoint="train_model")
@operation(
    "trainModel",
    tag="models",
    body=TrainingRequest,
    optional_body=True,
    ok={202: schemas.TrainingStartedOut},
    errors=(400, 404, 409, 415),
)
@allowed(Permission.TRAIN_MODELS)
def train(kind: str) -> Response:
    """Train a new version of the sales or purchase model, in the background

    The body (optional) names the candidate: `features` (`basic`, or `extended` with the order
    history) and `model` (`linear`, `boosted`, or `clv` for sales); without one, the linear model on
    the basic features. Answers at once with the queued run; poll its `url` until `status` is
    `succeeded` (the new version is active if it beat its baselines on the test month) or `failed`
    (with the reason; the active version stays). 409 while a training of this model is in progress.
    """
    request = optional_body(TrainingRequest)
    run = container().start_training()(ModelKind(kind), caller().email, candidate=request.candidate)
    started = schemas.TrainingStartedOut.of(run)
    return answer(started, 202, location=started.url)


@bp.post(f"/models/{KIND}/comparisons", endpoint="compare_models")
@operation("compareModels", tag="models", ok={202: schemas.ComparisonStartedOut}, errors=(404, 409))
@allowed(Permission.TRAIN_MODELS)
def compare(kind: str) -> Response:
    """Train every candidate of a model on the same backtest, and activate the best, in the background

    One run per candidate (feature set x model family), with consecutive versions; poll their
    `url`s. Once all have finished, the one with the best mean backtest score among those beating
    their baselines on the test month is made active; none is if none beats them.
    """
    runs = container().start_comparison()(ModelKind(kind), caller().email)
    return answer(schemas.ComparisonStartedOut.of(runs), 202)


@bp.get(f"/models/{KIND}/runs", endpoint="list_runs")
@operation("listRuns", tag="models", ok={200: schemas.ModelRunListOut}, errors=(404,))
@allowed(Permission.TRAIN_MODELS)
def runs(kind: str) -> Response:
    """List the training runs of a model, newest first"""
    found = container().list_runs()(ModelKind(kind))
    return answer(schemas.ModelRunListOut(items=[schemas.ModelRunOut.of(r) for r in found]))


@bp.get(f"/models/{KIND}/runs/{RUN_ID}", endpoint="get_run")
@operation("getRun", tag="models", ok={200: schemas.ModelRunOut}, errors=(404,))
@allowed(Permission.TRAIN_MODELS)
def run(kind: str, run_id: int) -> Response:
    """Read a training run: its status, and once it succeeded its hold-out metrics and artifact"""
    found = container().get_run()(run_id)
    if found.kind is not ModelKind(kind):
        raise RunNotFound(f"{kind} {run_id}")
    return answer(schemas.ModelRunOut.of(found))


@bp.get(f"/models/{KIND}/performance", endpoint="get_performance")
@operation("getPerformance", tag="models", ok={200: schemas.PerformanceOut}, errors=(404,))
@allowed(Permission.READ)
def performance(kind: str) -> Response:
    """How the model's predictions did once the truth arrived, by version and month

    Each stored prediction made from a snapshot whose outcome is now known (entered, imported or
    derived from orders) is scored once: the last one per client, snapshot and version. Sales: MAE,
    R², revenue bias and the forecast against the actual total; purchase: precision and recall at the
    threshold each prediction was made with, ROC AUC, Brier score and lift by decile. Beside them, the
    metrics the version claimed on its hold-out; a month whose key metric falls short of the claimed
    one by more than `margin` is flagged.
    """
    return answer(schemas.PerformanceOut.of(container().model_performance()(ModelKind(kind))))


@bp.get(f"/models/{KIND}/drift", endpoint="get_drift")
@operation("getDrift", tag="models", ok={200: DriftOut}, errors=(404, 409))
@allowed(Permission.READ)
def drift(kind: str) -> Response:
    """Whether the newest snapshots have drifted from what the active model learnt from

    Per feature of the active model: the population stability index (PSI) between its training values
    and each client's newest snapshot (deciles of the training values, missing values as one more bin;
    below 0.1 stable, 0.1 to 0.2 moderate, from 0.2 significant), the share of values missing then and
    now, and the share now outside the training range. Beside it, the hold-out PSI: how far the hold-out
    month's values, on which the claimed metrics were measured, had already moved from the training
    values. Retraining is advised when a feature's PSI is at least `psi_margin` above its hold-out PSI and
    at least `psi_factor` times it (it has moved further than the model was tested on: features that grow
    with the calendar drift every month, and retraining cannot undo that), or when the realized key
    metric of the active version's newest scored month falls short of the claimed one by more than
    `margin` (see `GET /models/{kind}/performance`). 409 while no version is active.
    """
    return answer(DriftOut.of(container().model_drift()(ModelKind(kind))))


@bp.post("/models/purchase/threshold-advice", endpoint="threshold_advice")
@operation(
    "adviseThreshold",
    tag="models",
    body=ThresholdAdviceRequest,
    ok={200: schemas.ThresholdAdviceOut},
    errors=(400, 409, 415),
)
@allowed(Permission.READ)
def advise_threshold() -> Response:
    """The decision threshold priced in money: expected profit at each threshold

    Give what contacting a client costs and what a client who then buys brings (in the company's
    currency). On the active purchase model's test month, at each threshold: the share of clients
    contacted, the share contacted who then bought, and the profit per client
    (`value_per_conversion` x converted - `cost_per_contact` x contacted); the most profitable
    threshold, and the point nearest the threshold in force. `realized` applies the same arithmetic to
    the stored purchase predictions whose outcomes are known (null until one is).

    With `value_from_forecast: true` a conversion is worth what the sales model expects the client to
    spend, and `value_per_conversion` may be left out: on realized outcomes, each buyer is valued at the
    sales forecast made with their purchase prediction from the same snapshot (profit = the forecasts of
    the selected clients who bought, less the cost of the contacts, per client); on the test month,
    which has no per-client rows, at the mean current forecast of the company's clients, named in
    `value_per_conversion_used` and `value_source`. Without it, `value_per_conversion` is required
    (422, `value_required`). Changes nothing: an admin applies a threshold with
    `PUT /settings/threshold`. 409 while no purchase model is active.
    """
    advice = container().threshold_advice()(body(ThresholdAdviceRequest))
    return answer(schemas.ThresholdAdviceOut.of(advice))


@bp.get("/models/purchase/calibration", endpoint="get_calibration")
@operation("getCalibration", tag="models", ok={200: schemas.PurchaseCalibrationOut}, errors=(409,))
@allowed(Permission.READ)
def calibration() -> Response:
    """Whether the purchase model's probabilities mean what they say: its reliability curves

    Clients in ten equal probability bins (0-10% … 90-100%), each with its mean predicted probability
    and the share who bought, and the Brier score: for the active version on its test month when it
    was trained (`hold_out`), and for every version on realized outcomes, its stored predictions whose
    snapshot's outcome is known (`realized`, counted as in `GET /models/purchase/performance`). Also the
    calibration the active version carries, if its backtest kept one, and the Brier score and ROC AUC
    with and without each. 409 while no purchase model is active.
    """
    return answer(schemas.PurchaseCalibrationOut.of(container().purchase_calibration()()))


@bp.post(f"/models/{KIND}/active", endpoint="activate_version")
@operation(
    "activateVersion",
    tag="models",
    body=VersionChoice,
    ok={200: schemas.ModelRunOut},
    errors=(400, 404, 409, 415),
)
@allowed(Permission.TRAIN_MODELS)
def activate(kind: str) -> Response:
    """Make a trained version the active one (roll back, or forward)

    New predictions use it at once; stored predictions keep the version that made them. 409 for a
    version whose training did not succeed.
    """
    choice = body(VersionChoice)
    activated = container().activate_version()(ModelKind(kind), choice.version, caller().email)
    return answer(schemas.ModelRunOut.of(activated))
