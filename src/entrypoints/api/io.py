"""Requests in, responses out: input becomes commands (their validation is the only one), and
answers are the `schemas` models as JSON."""

from __future__ import annotations

from typing import IO, Any, TypeVar

from flask import Response, current_app, request
from pydantic import BaseModel
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from application.validation import Command, InvalidInput
from entrypoints.csv_files import open_upload

C = TypeVar("C", bound=Command)


def json_object() -> dict[str, Any]:
    """The JSON body, for a use case that validates it: 415 for another content type, 400 for
    malformed JSON (Flask raises both), 422 for JSON that is not an object."""
    try:
        data = request.get_json()
    except BadRequest:
        raise BadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise InvalidInput.single("body", "json_object_expected", "must be a JSON object")
    return data


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
