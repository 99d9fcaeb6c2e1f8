"""Structured logs to stderr, each line carrying the request id so one request's story can be followed."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry |= {
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": request.path,
                "user_id": g.get("user_id"),
            }
        entry |= getattr(record, "context", {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in ("werkzeug", "alembic"):  # their INFO lines repeat what our own messages say
        logging.getLogger(chatty).setLevel(max(logging.getLevelName(level), logging.WARNING))


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER, ""))

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        return response


def request_id(incoming: str) -> str:
    """The id of a request: the caller's own (a proxy's, another service's) when it looks like one, else a
    new one."""
    return incoming if _looks_like_id(incoming) else uuid.uuid4().hex


def _looks_like_id(value: str) -> bool:
    return 0 < len(value) <= 64 and value.replace("-", "").isalnum()
