"""Each database's value index, built once per snapshot from what it knows and what it reads."""

import asyncio
import logging
from collections.abc import Mapping

from application.values.known_values import snapshot_values
from application.values.value_index import ValueIndex
from domain.errors import DatabaseUnavailable, QueryTimedOut, SqlExecutionFailed, UnsafeSql
from domain.models import SchemaSnapshot
from domain.ports import ValueReader

logger = logging.getLogger(__name__)

# More distinct values than this and a column holds names (customers), not categories.
PER_COLUMN = 100
_KEPT = 16


class ValueCatalog:
    """Serves a value index per visible snapshot: enum labels, example values, read values.

    Only the visible snapshot's tables and columns are read, so a blocked column's values are
    never read, indexed or shown. A failed read leaves that snapshot with what it knows itself.
    """

    def __init__(self, readers: Mapping[str, ValueReader]) -> None:
        self._readers = dict(readers)
        self._indexes: dict[int, tuple[SchemaSnapshot, asyncio.Task[ValueIndex]]] = {}

    async def index(self, visible: SchemaSnapshot) -> ValueIndex:
        """The value index of a visible snapshot, read on first use and kept with it."""
        cached = self._indexes.get(id(visible))
        if cached is not None and cached[0] is visible:
            return await asyncio.shield(cached[1])
        # One read per snapshot, however many questions wait for it at once.
        task = asyncio.ensure_future(self._build(visible))
        if len(self._indexes) >= _KEPT:
            self._indexes.pop(next(iter(self._indexes)))
        self._indexes[id(visible)] = (visible, task)
        return await asyncio.shield(task)

    def known(self, visible: SchemaSnapshot) -> ValueIndex | None:
        """The index of `visible` if it is already built, without reading anything."""
        cached = self._indexes.get(id(visible))
        if cached is None or cached[0] is not visible or not cached[1].done():
            return None
        return cached[1].result()

    async def _build(self, visible: SchemaSnapshot) -> ValueIndex:
        values = list(snapshot_values(visible))
        reader = self._readers.get(visible.database)
        if reader is not None:
            try:
                values += await reader.few_values(visible.tables, per_column=PER_COLUMN)
            except (DatabaseUnavailable, SqlExecutionFailed, QueryTimedOut, UnsafeSql) as error:
                logger.warning("values of %s not read: %s", visible.database, error.code)
        return ValueIndex.build(values)
