"""Clients: the list (filtered, sorted, paged), one client with its current predictions, changes."""

from __future__ import annotations

from flask import Response, url_for

from application.commands import ClientChanges, ClientListQuery, ListPosition, NewClient, position_token
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, json_object, no_content, query
from entrypoints.api.security import allowed
from entrypoints.container import current_container as container

CLIENT_ID = "<int(min=1, max=2147483647):client_id>"


@bp.get("/clients", endpoint="list_clients")
@operation(
    "listClients", tag="clients", query=ClientListQuery, ok={200: schemas.ClientPageOut}, errors=(414,)
)
@allowed(Permission.READ)
def list_() -> Response:
    """List clients, with their current predictions

    `q` searches names and emails; `segment`, `will_buy` and `tier` (the contact tier, 1 to 4) filter
    by the current predictions; `sort`
    names a column, `-column` for descending (ties in id order in the same direction; clients not scored
    yet come last, in id order); pages hold at most 100 clients.

    The `prev` and `next` links read the page `before` its first client or `after` its last one,
    which takes as long on the last page as on the first; a `page` number alone skips the clients
    before it (past the middle of the list, the clients after it), which takes longer the nearer the
    page is to the middle. A client added or removed meanwhile moves the numbered pages, not the ones
    read from a position.
    """
    selection = query(ClientListQuery)
    page = container().list_clients()(selection)
    kept = selection.model_dump(mode="json", exclude_defaults=True, exclude={"page", "after", "before"})

    def link(number: int, **position: ListPosition | None) -> str:
        tokens = {name: position_token(at) for name, at in position.items() if at is not None}
        return url_for("api.list_clients", **(kept | {"page": number} | tokens))

    here = link(selection.page, after=selection.after, before=selection.before)
    return answer(schemas.ClientPageOut.of(page, link, here))


@bp.post("/clients", endpoint="create_client")
@operation("createClient", tag="clients", body=NewClient, ok={201: schemas.ClientOut}, errors=(400, 409, 415))
@allowed(Permission.EDIT_CLIENTS)
def create() -> Response:
    """Register a client

    Emails are unique regardless of case; `registered_on` may not be in the future.
    """
    client = container().register_client()(json_object())
    created = schemas.ClientOut.of(client)
    return answer(created, 201, location=created.url)


@bp.get(f"/clients/{CLIENT_ID}", endpoint="get_client")
@operation("getClient", tag="clients", ok={200: schemas.ClientDetailOut}, errors=(404,))
@allowed(Permission.READ)
def get(client_id: int) -> Response:
    """Read a client, with its current predictions and segment"""
    return answer(schemas.ClientDetailOut.of_overview(container().client_overview()(client_id)))


@bp.patch(f"/clients/{CLIENT_ID}", endpoint="update_client")
@operation(
    "updateClient",
    tag="clients",
    body=ClientChanges,
    ok={200: schemas.ClientOut},
    errors=(400, 404, 409, 415),
)
@allowed(Permission.EDIT_CLIENTS)
def update(client_id: int) -> Response:
    """Change some of a client's fields

    Only the fields given change; an empty object changes nothing.
    """
    return answer(schemas.ClientOut.of(container().update_client()(client_id, json_object())))


@bp.delete(f"/clients/{CLIENT_ID}", endpoint="delete_client")
@operation("deleteClient", tag="clients", ok={204: None}, errors=(404,))
@allowed(Permission.EDIT_CLIENTS)
def delete(client_id: int) -> Response:
    """Delete a client, with its activity and predictions"""
    container().delete_client()(client_id)
    return no_content()
