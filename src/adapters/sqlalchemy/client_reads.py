"""`ports.ClientReads` on a pooled DBAPI connection (`direct.DirectRead`)."""

from __future__ import annotations

from sqlalchemy import Engine

from adapters.sqlalchemy.clients import SCORED_CLIENT, scored_of
from adapters.sqlalchemy.direct import DirectRead
from adapters.sqlalchemy.kept import CREDENTIALS_REVISION, REVISION
from adapters.sqlalchemy.settings import EVERY_SETTING, SEGMENT_RULE, THRESHOLD, setting_in, tier_cuts_in
from application.queries import ClientReading
from domain.predictions import DecisionThreshold
from domain.segments import SegmentRule


class SqlAlchemyClientReads:
    """The credentials' revision, the client and the settings in one transaction: on SQLite a deferred
    one, which never waits for the write lock; on PostgreSQL the driver's own, rolled back when the
    connection goes back to the pool."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        dialect = engine.dialect
        self._revision = DirectRead(REVISION, dialect)
        self._client = DirectRead(SCORED_CLIENT, dialect)
        self._settings = DirectRead(EVERY_SETTING, dialect)
        self._begin = "BEGIN" if dialect.name == "sqlite" else None

    def __call__(self, client_id: int) -> ClientReading:
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if self._begin is not None:  # SQLAlchemy's own BEGIN on SQLite (see `engine`), here by hand
                cursor.execute(self._begin)
            revision = self._revision.one_or_none(cursor, name=CREDENTIALS_REVISION)
            row = self._client.one_or_none(cursor, client_id=client_id)
            documents = dict(self._settings.rows(cursor))
        finally:
            connection.close()  # back to the pool, which rolls the transaction back
        return ClientReading(
            credentials_revision=0 if revision is None else revision.number,
            scored=None if row is None else scored_of(row),
            segments=setting_in(documents, SEGMENT_RULE, SegmentRule),
            threshold=setting_in(documents, THRESHOLD, DecisionThreshold),
            tier_cuts=tier_cuts_in(documents),
        )
