"""Errors: every refusal is an RFC 9457 problem, with one entry per offending field."""

from __future__ import annotations

from pydantic import Field

from entrypoints.api.schemas.base import Schema

Params = dict[str, str | int | float | bool | None]


class FieldProblem(Schema):
    field: str = Field(description="The offending field, dotted for nested ones (`row` for a whole CSV row).")
    code: str = Field(
        description="Which rule the value breaks, stable across versions and languages: pydantic's error "
        "type (`missing`, `greater_than_equal`, `int_parsing`, ...) or one of ours (`date_in_future`, "
        "`invalid_email`, `email_taken`, `before_registration`, ...).",
        examples=["greater_than_equal"],
    )
    message: str = Field(description="The rule, said in English for people.")
    params: Params = Field(
        default_factory=dict, description='The rule\'s values, e.g. `{"ge": 0}`.', examples=[{"ge": 0}]
    )
    line: int | None = Field(None, description="The line of an uploaded CSV file (the header is line 1).")


class Problem(Schema):
    """Every error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str = Field(description="The HTTP status phrase.", examples=["Unprocessable Entity"])
    status: int = Field(examples=[422])
    detail: str = Field(description="What went wrong, for people.")
    code: str | None = Field(
        None,
        description="What went wrong, stable across versions and languages (`client_not_found`, "
        "`invalid_input`, `import_rejected`, `training_running`, ...); absent for a plain HTTP error.",
        examples=["invalid_input"],
    )
    params: Params = Field(default_factory=dict, description="The values the detail is made of.")
    request_id: str | None = Field(None, description="Quote it when reporting a problem: the logs carry it.")
    errors: list[FieldProblem] = Field(
        default_factory=list,
        description="Each problem with a field (and line); only present when there are any.",
    )
