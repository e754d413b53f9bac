"""Which database a question goes to: the named one, the only one, or the best-fitting one."""

import logging

from application.database_router import route_question
from application.databases import DatabaseDirectory
from application.schema_catalog import SchemaCatalog
from application.visible_schemas import VisibleSchemas
from domain.errors import DatabaseUnavailable, SchemaLoadFailed
from domain.models import SchemaSnapshot
from domain.ports import Database

logger = logging.getLogger(__name__)


class DatabaseChoice:
    """Resolves the database for a question, with its schema snapshot."""

    def __init__(
        self, *, databases: DatabaseDirectory, catalog: SchemaCatalog, visible: VisibleSchemas
    ) -> None:
        self._databases = databases
        self._catalog = catalog
        self._visible = visible

    async def reload(self, database: Database, stale: SchemaSnapshot) -> SchemaSnapshot | None:
        """A newer snapshot of the database, or None when `stale` is too recent to replace."""
        return await self._catalog.reload(database, stale)

    async def choose(self, name: str | None, question: str) -> tuple[Database, SchemaSnapshot]:
        """The database and its snapshot; routed by the question when several and none named.

        Raises:
            InvalidRequest: the name is unknown.
            DatabaseUnavailable, SchemaLoadFailed: the (only) candidate cannot be read.
        """
        if name is not None or len(self._databases.names) == 1:
            database = self._databases.pick(name)
            return database, await self._catalog.snapshot(database)
        candidates: dict[str, tuple[Database, SchemaSnapshot]] = {}
        failure: DatabaseUnavailable | SchemaLoadFailed | None = None
        for database_name in self._databases.names:
            database = self._databases.pick(database_name)
            try:
                candidates[database.name] = (database, await self._catalog.snapshot(database))
            except (DatabaseUnavailable, SchemaLoadFailed) as error:
                # One database being down must not stop questions meant for the others.
                logger.warning("database %s left out of routing: %s", database_name, error.code)
                failure = error
        if not candidates:
            raise failure or DatabaseUnavailable("No configured database is reachable")
        visible = [self._visible.of(snapshot) for _, snapshot in candidates.values()]
        chosen = route_question(question, visible)
        return candidates[chosen.database]
