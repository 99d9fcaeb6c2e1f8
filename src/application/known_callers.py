"""A client read for a caller already known: the request made most often, answered from one short read."""

from __future__ import annotations

from application.ports import ClientReads, Clock
from application.queries import ClientOverview, overview_of
from application.tokens import TokenCache, hash_token
from domain.users import Permission


def remembered_callers_overview(
    secret: str, client_id: int, reads: ClientReads, clock: Clock, cache: TokenCache
) -> ClientOverview | None:
    """The overview of `client_id` for the owner of the token `secret`, when the owner is remembered
    (`TokenCache`), may read clients, and the client is on record. None otherwise: the request is then
    answered in full (`user_for_token`, then `client_overview`), a refusal included, and the owner of a
    valid token is remembered for the next one."""
    reading = reads(client_id)
    owner = cache.owner(hash_token(secret), reading.credentials_revision, clock.now())
    if owner is None or not owner.can(Permission.READ) or reading.scored is None:
        return None
    return overview_of(reading.scored, reading.segments, reading.threshold, reading.tier_cuts)
