"""Personal API tokens: issued for an email and password, shown once; listed and revoked by their owner."""

from __future__ import annotations

from flask import Response

from application.commands import TokenRequest
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, body, no_content
from entrypoints.api.security import MissingCredentials, bearer_secret, caller
from entrypoints.container import current_container as container


@bp.post("/auth/tokens", endpoint="issue_token")
@operation(
    "issueToken",
    tag="auth",
    body=TokenRequest,
    ok={201: schemas.IssuedTokenOut},
    errors=(400, 401, 413, 415, 429),
    public=True,
)
def issue() -> Response:
    """Issue a personal API token

    The token is shown once and stored only as its hash; it expires after `expires_in_days` (30 by
    default) and stops working at once when it is revoked or its user is deactivated.
    """
    issued = container().issue_token()(body(TokenRequest))
    response = answer(schemas.IssuedTokenOut.of(issued), 201)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/auth/tokens/current", endpoint="revoke_current_token")
@operation("revokeCurrentToken", tag="auth", ok={204: None}, errors=())
def revoke_current() -> Response:
    """Revoke the token this request is made with"""
    secret = bearer_secret()
    if secret is None:
        raise MissingCredentials()
    container().revoke_token()(secret)
    return no_content()


@bp.get("/auth/tokens", endpoint="list_tokens")
@operation("listTokens", tag="auth", ok={200: schemas.TokenListOut})
def list_() -> Response:
    """List your API tokens"""
    tokens = container().list_tokens()(caller().id)
    return answer(schemas.TokenListOut(items=[schemas.TokenOut.reading(t) for t in tokens]))


@bp.delete("/auth/tokens/<int(min=1, max=2147483647):token_id>", endpoint="revoke_token")
@operation("revokeToken", tag="auth", ok={204: None}, errors=(404,))
def revoke(token_id: int) -> Response:
    """Revoke one of your API tokens

    404 for a token that is not yours. Revoking a revoked token again changes nothing.
    """
    container().revoke_own_token()(caller().id, token_id)
    return no_content()
