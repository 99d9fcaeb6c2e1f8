"""How errors reach people: the one table from domain errors to HTTP statuses, as JSON or as a page."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http import HTTPStatus

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

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


def render_problem(problem: Problem) -> tuple[Response | str, int]:
    if wants_json():
        response = jsonify(problem.as_json())
        response.mimetype = "application/problem+json"
        return response, problem.status
    page = render_template(
        "error.html",
        status=problem.status,
        title=problem.title,
        message=problem.detail,
        errors=[{"field": field_label(e.field), "message": explain_refusal(e)} for e in problem.errors],
        request_id=g.get("request_id"),
    )
    return page, problem.status


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError) -> tuple[Response | str, int]:
        problem = problem_for(error)
        log.info("request refused: %s", error.message, extra={"context": {"status": problem.status}})
        return render_problem(problem)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_problem(problem_for(error))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error", extra={"context": {"error_type": type(error).__name__}})
        return render_problem(problem_for(error))
