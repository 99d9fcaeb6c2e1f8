"""Probes for whoever runs the service: `/healthz` (the process answers) and `/readyz` (it can serve).

Neither needs a session or a token; neither echoes anything the caller sent.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Blueprint, Flask, Response, jsonify

from adapters.sqlalchemy import head_revision, revision_of
from domain.errors import DomainError
from domain.predictions import ModelKind
from entrypoints.container import current_container

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

OK = "ok"


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up: no database, no files, so a slow database never gets it restarted."""
    return jsonify(status=OK)


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database answers, its schema is at the code's head revision, and each active model loads
    and matches its recorded SHA-256. 200 when every check passes, 503 otherwise."""
    checks: dict[str, object] = {"database": _database()}
    checks["migrations"] = _migrations() if checks["database"] == OK else "not checked: no database"
    checks["models"] = _models() if checks["migrations"] == OK else "not checked: schema not ready"
    ready = all(_passed(check) for check in checks.values())
    status = HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE
    return jsonify(status=OK if ready else "unavailable", checks=checks), status


def _passed(check: object) -> bool:
    if isinstance(check, dict):
        return all(_passed(value) for value in check.values())
    return check in (OK, "not trained")


def _database() -> str:
    try:
        with current_container().engine().connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as error:  # any failure to connect means not ready; the log says which
        log.warning("readiness: database unreachable", exc_info=True)
        return f"unreachable ({type(error).__name__})"
    return OK


def _migrations() -> str:
    try:
        current, head = revision_of(current_container().engine()), head_revision()
    except Exception as error:  # reported as the check's result
        return f"unknown ({type(error).__name__})"
    return OK if current == head else f"at {current or 'no revision'}, the code needs {head}"


def _models() -> dict[str, str]:
    return {kind.value: _model(kind) for kind in ModelKind}


def _model(kind: ModelKind) -> str:
    container = current_container()
    try:
        run = container.active_run()(kind)
        if run is None:
            return "not trained"
        container.active_models().model_for(run)
    except DomainError as error:
        return error.message
    except Exception as error:  # an unreadable file is a failed check, not a 500
        log.warning("readiness: the active %s model does not load", kind.value, exc_info=True)
        return f"does not load ({type(error).__name__})"
    return OK


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
