"""How errors reach people: the one table from domain errors to HTTP statuses, as JSON or as a page."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http import HTTPStatus

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from adapters.sqlalchemy.availability import Unavailability, unavailability_of
from application.imports import ImportRejected, RowError
from application.predicting import NoActivityYet
from application.validation import InvalidInput
from domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    FieldError,
    InvalidValue,
    NotFound,
    PermissionDenied,
)
from domain.model_runs import ArtifactMissing, ArtifactTampered, InsufficientTrainingData, ModelNotTrained
from entrypoints.web.labels import explain_refusal, field_label

log = logging.getLogger(__name__)

STATUS_OF: tuple[tuple[type[DomainError], HTTPStatus], ...] = (
    (InvalidInput, HTTPStatus.UNPROCESSABLE_ENTITY),
    (InvalidValue, HTTPStatus.UNPROCESSABLE_ENTITY),
    (ImportRejected, HTTPStatus.UNPROCESSABLE_ENTITY),
    (InsufficientTrainingData, HTTPStatus.UNPROCESSABLE_ENTITY),
    (ModelNotTrained, HTTPStatus.CONFLICT),
    (NoActivityYet, HTTPStatus.CONFLICT),
    (ArtifactTampered, HTTPStatus.INTERNAL_SERVER_ERROR),
    (ArtifactMissing, HTTPStatus.INTERNAL_SERVER_ERROR),
    (NotFound, HTTPStatus.NOT_FOUND),
    (Conflict, HTTPStatus.CONFLICT),
    (AuthenticationFailed, HTTPStatus.UNAUTHORIZED),
    (PermissionDenied, HTTPStatus.FORBIDDEN),
)


RETRY_AFTER_SECONDS = {Unavailability.BUSY: 2, Unavailability.UNAVAILABLE: 30}
UNAVAILABLE_DETAILS = {
    Unavailability.BUSY: "The database is busy with other changes; try again in a moment.",
    Unavailability.UNAVAILABLE: "The database cannot be reached; try again later.",
}


@dataclass(frozen=True)
class Problem:
    """An error as people and programs are shown it (RFC 9457 problem details)."""

    status: int
    title: str
    detail: str
    code: str | None = None
    """The domain error's stable code; None for an HTTP error."""
    params: dict[str, object] = field(default_factory=dict)
    errors: tuple[FieldError | RowError, ...] = field(default_factory=tuple)
    """Each problem with a field: `field`, `code`, `message` and `params`, and `line` for a row of a file."""
    retry_after: int | None = None
    """Seconds after which the same request may succeed (a 503, a 429)."""

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "request_id": g.get("request_id"),
        }
        if self.code is not None:
            body["code"] = self.code
            body["params"] = self.params
        if self.errors:
            body["errors"] = [_as_json(error) for error in self.errors]
        return body


def problem_for(error: Exception) -> Problem:
    if isinstance(error, DomainError):
        status = status_of(error)
        return Problem(
            status,
            HTTPStatus(status).phrase,
            error.message,
            code=error.code,
            params=dict(error.params),
            errors=_field_errors(error),
        )
    if isinstance(error, DBAPIError) and (unavailability := unavailability_of(error)) is not None:
        status = HTTPStatus.SERVICE_UNAVAILABLE
        return Problem(
            status,
            status.phrase,
            UNAVAILABLE_DETAILS[unavailability],
            code=unavailability.value,
            retry_after=RETRY_AFTER_SECONDS[unavailability],
        )
    if isinstance(error, HTTPException):
        code = error.code or 500
        return Problem(code, HTTPStatus(code).phrase, error.description or HTTPStatus(code).description)
    return Problem(500, "Internal Server Error", "Something went wrong on our side; it has been logged.")


def status_of(error: DomainError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), HTTPStatus.BAD_REQUEST)


def _field_errors(error: DomainError) -> tuple[FieldError | RowError, ...]:
    if isinstance(error, InvalidInput | ImportRejected):
        return error.errors
    if isinstance(error, InvalidValue):
        return (error.error,)
    field_name = getattr(error, "field", None)
    return (FieldError(field_name, error.code, error.message, error.params),) if field_name else ()


def _as_json(error: FieldError | RowError) -> dict[str, object]:
    fields: dict[str, object] = {
        "field": error.field,
        "code": error.code,
        "message": error.message,
        "params": dict(error.params),
    }
    return {"line": error.line, **fields} if isinstance(error, RowError) else fields


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def render_problem(problem: Problem) -> tuple[Response | str, int, dict[str, str]]:
    headers = {} if problem.retry_after is None else {"Retry-After": str(problem.retry_after)}
    if wants_json():
        response = jsonify(problem.as_json())
        response.mimetype = "application/problem+json"
        return response, problem.status, headers
    page = render_template(
        "error.html",
        status=problem.status,
        code=problem.code,
        title=problem.title,
        message=problem.detail,
        errors=[{"field": field_label(e.field), "message": explain_refusal(e)} for e in problem.errors],
        request_id=g.get("request_id"),
    )
    return page, problem.status, headers


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> tuple[Response | str, int, dict[str, str]]:
        problem = problem_for(error)
        log.info("request refused: %s", error.message, extra={"context": {"status": problem.status}})
        return render_problem(problem)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int, dict[str, str]] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_problem(problem_for(error))

    @app.errorhandler(DBAPIError)
    def handle_database_error(error: DBAPIError) -> tuple[Response | str, int, dict[str, str]]:
        problem = problem_for(error)
        if problem.status != HTTPStatus.SERVICE_UNAVAILABLE:
            return handle_unexpected(error)
        log.warning("database unavailable: %s", problem.code, extra={"context": {"error": str(error.orig)}})
        # The page is shown as to someone signed out: telling who is signed in needs the database.
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        return render_problem(problem)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[Response | str, int, dict[str, str]]:
        log.exception("unhandled error", extra={"context": {"error_type": type(error).__name__}})
        return render_problem(problem_for(error))
