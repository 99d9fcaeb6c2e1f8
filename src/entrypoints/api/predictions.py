"""Predictions: one client now (with the reasons), a client's history, every client in the background."""

from __future__ import annotations

from flask import Response, url_for

from application.commands import SnapshotChanges
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.clients import CLIENT_ID
from entrypoints.api.io import answer, json_object
from entrypoints.api.security import allowed, caller
from entrypoints.container import current_container as container


@bp.post(f"/clients/{CLIENT_ID}/predictions", endpoint="predict_client")
@operation("predictClient", tag="predictions", ok={201: schemas.PredictionOut}, errors=(404, 409))
@allowed(Permission.RUN_PREDICTIONS)
def predict(client_id: int) -> Response:
    """Predict for one client now, from its newest snapshot

    The result becomes the client's current prediction; `reasons` says which features pushed each
    prediction up or down. 409 while a model is not trained yet or the client has no snapshot.
    """
    result = container().predict_client()(client_id)
    prediction = schemas.PredictionOut.of(result)
    return answer(prediction, 201, location=url_for("api.list_predictions", client_id=client_id))


@bp.post(f"/clients/{CLIENT_ID}/what-if", endpoint="what_if")
@operation(
    "whatIf",
    tag="predictions",
    body=SnapshotChanges,
    ok={200: schemas.WhatIfOut},
    errors=(400, 404, 409, 415),
)
@allowed(Permission.READ)
def what_if(client_id: int) -> Response:
    """Predict for one client with some values of its newest snapshot changed, storing nothing

    The body names the values to change (`{"site_visits_30d": 20, "avg_basket_value": 180.5}`); the
    others keep the newest snapshot's. A behavioural feature given as null becomes unknown;
    `purchases_30d` and `avg_basket_value` cannot be unknown (422 `missing`), and `visits_7d` may not
    exceed `site_visits_30d`, the snapshot's when only one of them is given (422 `week_exceeds_month`).
    The answer is the one of `predictClient` and the values scored; the client's current prediction
    stays as it is. 409 while a model is not trained yet or the client has no snapshot.
    """
    result = container().what_if()(client_id, json_object())
    return answer(schemas.WhatIfOut.of(result.prediction, snapshot=schemas.SnapshotOut.of(result.snapshot)))


@bp.get(f"/clients/{CLIENT_ID}/predictions", endpoint="list_predictions")
@operation("listPredictions", tag="predictions", ok={200: schemas.PredictionHistoryOut}, errors=(404,))
@allowed(Permission.READ)
def history(client_id: int) -> Response:
    """List a client's predictions, newest first (the first is the current one)"""
    past = container().prediction_history()(client_id)
    return answer(schemas.PredictionHistoryOut.reading(items=past))


@bp.post("/predictions/batch", endpoint="predict_every_client")
@operation("predictEveryClient", tag="predictions", ok={202: schemas.JobOut}, errors=(409,))
@allowed(Permission.SCORE_ALL_CLIENTS)
def predict_everyone() -> Response:
    """Predict for every client with activity, in the background (admin)

    Answers at once with the job to poll; 409 while a model is not trained yet, 403 for an analyst.
    """
    job = schemas.JobOut.of(container().start_batch_prediction()(submitted_by=caller().email))
    return answer(job, 202, location=job.url)


@bp.get("/jobs", endpoint="list_jobs")
@operation("listJobs", tag="jobs", ok={200: schemas.JobListOut})
@allowed(Permission.READ)
def unfinished_jobs() -> Response:
    """List the background jobs queued or running

    Training, scoring every client (and each of its parts), snapshot builds: what any process of the app
    or any worker is doing or will do, with its progress. A job whose worker stopped is failed first,
    and so not listed; a finished job is read by its own URL.
    """
    items = [schemas.JobOut.of(job) for job in container().unfinished_jobs()()]
    return answer(schemas.JobListOut.reading(items=items))


@bp.get("/jobs/<job_id>", endpoint="get_job")
@operation("getJob", tag="jobs", ok={200: schemas.JobOut}, errors=(404,))
@allowed(Permission.READ)
def job_status(job_id: str) -> Response:
    """Read the state of a background job

    Any process of the app answers: jobs are kept in the database. A job whose worker stopped (no
    heartbeat within its lease) is failed, saying so, rather than running forever.
    """
    return answer(schemas.JobOut.of(container().get_job()(job_id)))
