"""Requests in, responses out: input becomes commands (their validation is the only one), and
answers are the `schemas` models as JSON."""

from __future__ import annotations

import json
from typing import IO, Any, TypeVar

from flask import Response, current_app, g, request
from pydantic import BaseModel
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from application.validation import Command, InvalidInput
from entrypoints.csv_files import open_upload

C = TypeVar("C", bound=Command)

JSON_BODY_LIMIT = 1024 * 1024
"""The largest JSON body, in bytes: commands are small (uploads have their own limit)."""
JSON_DEPTH_LIMIT = 32
"""How deeply arrays and objects may nest in a JSON body: deeper is an attack, never a command."""


def json_object() -> dict[str, Any]:
    """The JSON body, for a use case that validates it: 415 for another content type, 413 beyond
    1 MB, 400 for malformed or too deeply nested JSON, 422 for JSON that is not an object."""
    data = json_body()
    if not isinstance(data, dict):
        raise InvalidInput.single("body", "json_object_expected", "must be a JSON object")
    return data


def json_body() -> object:
    """The JSON body, parsed once per request and checked for size and depth before anyone uses it."""
    if "json_body" not in g:
        g.json_body = _parsed_json()
    return g.json_body


def _parsed_json() -> object:
    if not request.is_json:
        request.on_json_loading_failed(None)  # raises 415, as Flask does
    if (request.content_length or 0) > JSON_BODY_LIMIT:
        raise _too_large()
    raw = request.get_data(cache=True)
    if len(raw) > JSON_BODY_LIMIT:
        raise _too_large()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        raise BadRequest("The body is not valid JSON.") from None
    if _nesting_exceeds(data, JSON_DEPTH_LIMIT):
        raise BadRequest(f"The JSON body nests arrays and objects more than {JSON_DEPTH_LIMIT} levels deep.")
    return data


def _too_large() -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"A JSON body may be at most {JSON_BODY_LIMIT // 1024} KB.")


def _nesting_exceeds(data: object, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (walked without recursion)."""
    pending: list[tuple[object, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def body(command: type[C]) -> C:
    """The JSON body as a command; 422 naming each bad field."""
    return command.parse(json_object())


def optional_body(command: type[C]) -> C:
    """`body`, or the command's defaults when the request has no body at all."""
    return body(command) if request.content_length or request.is_json else command.parse({})


def query(command: type[C]) -> C:
    """The query string as a command; a parameter given twice counts once, by its first value."""
    return command.parse(request.args.to_dict())


def uploaded_csv() -> IO[str]:
    """The CSV file of a multipart upload's `file` field (413 beyond the upload limit)."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the CSV file as multipart/form-data, in the field `file`.")
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput.single(
            "file", "missing", "is missing: send the CSV file in the multipart field `file`"
        )
    return open_upload(upload.stream)


def answer(model: BaseModel, status: int = 200, location: str | None = None) -> Response:
    response = current_app.response_class(model.model_dump_json(), status=status, mimetype="application/json")
    if location is not None:
        response.headers["Location"] = location
    return response


def no_content() -> Response:
    return current_app.response_class(status=204)
