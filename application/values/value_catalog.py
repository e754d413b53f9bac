"""Each database's value index, built once per snapshot from what it knows and what it reads."""

import asyncio
import logging
from collections.abc import Mapping

from application.values.known_values import snapshot_values
from application.values.phrases import name_phrases
from application.values.tables_about import about
from application.values.value_index import ValueIndex
from application.values.value_lines import schema_with_values
from domain.errors import DatabaseUnavailable, QueryTimedOut, SqlExecutionFailed, UnsafeSql
from domain.models import ColumnValue, SchemaSnapshot
from domain.ports import ValueReader

logger = logging.getLogger(__name__)

# More distinct values than this and a column holds names (customers), not categories.
PER_COLUMN = 100
_KEPT = 16
SIMILAR_PER_PHRASE = 3


class ValueCatalog:
    """Serves a value index per visible snapshot: enum labels, example values, read values.

    Only the visible snapshot's tables and columns are read, so a blocked column's values are
    never read, indexed or shown. A failed read leaves that snapshot with what it knows itself.
    """

    def __init__(self, readers: Mapping[str, ValueReader]) -> None:
        self._readers = dict(readers)
        # By id(); the snapshot is held too, so that its id is not reused while cached. With it,
        # what it knows itself (ready at once) and the task reading the rest.
        self._indexes: dict[int, tuple[SchemaSnapshot, ValueIndex, asyncio.Task[ValueIndex]]] = {}

    async def index(self, visible: SchemaSnapshot) -> ValueIndex:
        """The value index of a visible snapshot, read on first use and kept with it."""
        return await asyncio.shield(self._entry(visible)[2])

    def current(self, visible: SchemaSnapshot) -> ValueIndex:
        """The whole index if read; else what the snapshot knows, while the rest is read."""
        _, known, task = self._entry(visible)
        if not task.done() or task.cancelled() or task.exception() is not None:
            return known
        return task.result()

    def _entry(
        self, visible: SchemaSnapshot
    ) -> tuple[SchemaSnapshot, ValueIndex, "asyncio.Task[ValueIndex]"]:
        cached = self._indexes.get(id(visible))
        if cached is not None and cached[0] is visible:
            return cached
        known = list(snapshot_values(visible))
        # One read per snapshot, however many questions wait for it at once.
        entry = (
            visible,
            ValueIndex.build(known),
            asyncio.ensure_future(self._read(visible, known)),
        )
        if len(self._indexes) >= _KEPT:
            self._indexes.pop(next(iter(self._indexes)))
        self._indexes[id(visible)] = entry
        return entry

    async def prompt_schema(self, visible: SchemaSnapshot, question: str, max_tokens: int) -> str:
        """The schema for the prompt with the values the question names, exact or alike."""
        index = await self.index(visible)
        similar = await self.lookup(visible, question, index)
        return schema_with_values(visible, question, index, max_tokens=max_tokens, similar=similar)

    async def lookup(
        self, visible: SchemaSnapshot, question: str, index: ValueIndex
    ) -> list[ColumnValue]:
        """Values like the names the question gives that the index does not hold ('Apollo'),
        searched with pg_trgm in the text columns of the tables the question is about."""
        reader = self._readers.get(visible.database)
        found = {match.value.lower() for match in index.match(question)}
        phrases = [p for p in name_phrases(question) if p.lower() not in found]
        if reader is None or not phrases:
            return []
        columns = [
            (table, column.name)
            for table in about(visible, question)
            for column in table.columns
            if not index.values_of(table.qualified_name, column.name)  # held whole already
        ]
        try:
            return await reader.similar_values(columns, phrases, per_phrase=SIMILAR_PER_PHRASE)
        except (DatabaseUnavailable, SqlExecutionFailed, QueryTimedOut, UnsafeSql) as error:
            logger.warning("values like %d phrase(s) not looked up: %s", len(phrases), error.code)
            return []

    async def _read(self, visible: SchemaSnapshot, known: list[ColumnValue]) -> ValueIndex:
        values = list(known)
        reader = self._readers.get(visible.database)
        if reader is not None:
            try:
                values += await reader.few_values(visible.tables, per_column=PER_COLUMN)
            except (DatabaseUnavailable, SqlExecutionFailed, QueryTimedOut, UnsafeSql) as error:
                logger.warning("values of %s not read: %s", visible.database, error.code)
        return ValueIndex.build(values)
