"""Each database's value index, built once per prepared schema from what it knows and reads."""

import asyncio
import logging
from collections.abc import Mapping

from application.schema.prepared import PreparedSchema
from application.values.known_values import snapshot_values
from application.values.phrases import name_phrases
from application.values.tables_about import about
from application.values.value_index import ValueIndex
from application.values.value_lines import schema_with_values
from domain.errors import DatabaseUnavailable, QueryTimedOut, SqlExecutionFailed, UnsafeSql
from domain.models import ColumnValue
from domain.ports import ValueReader

logger = logging.getLogger(__name__)

# More distinct values than this and a column holds names (customers), not categories.
PER_COLUMN = 100
_KEPT = 16
SIMILAR_PER_PHRASE = 3


class ValueCatalog:
    """Serves a value index per prepared schema: enum labels, example values, read values.

    Only the visible tables and columns are read, so a blocked column's values are never read,
    indexed or shown. A failed read leaves that schema with what its snapshot knows itself.
    """

    def __init__(self, readers: Mapping[str, ValueReader]) -> None:
        self._readers = dict(readers)
        # Per prepared schema: what its snapshot knows (ready at once), the task reading the rest.
        self._indexes: dict[PreparedSchema, tuple[ValueIndex, asyncio.Task[ValueIndex]]] = {}

    async def index(self, schema: PreparedSchema) -> ValueIndex:
        """The value index of a prepared schema, read on first use and kept with it."""
        return await asyncio.shield(self._entry(schema)[1])

    def current(self, schema: PreparedSchema) -> ValueIndex:
        """The whole index if read; else what the snapshot knows, while the rest is read."""
        known, task = self._entry(schema)
        if not task.done() or task.cancelled() or task.exception() is not None:
            return known
        return task.result()

    def _entry(self, schema: PreparedSchema) -> tuple[ValueIndex, "asyncio.Task[ValueIndex]"]:
        cached = self._indexes.get(schema)
        if cached is not None:
            return cached
        known = list(snapshot_values(schema.visible))
        # One read per schema, however many questions wait for it at once.
        entry = (ValueIndex.build(known), asyncio.ensure_future(self._read(schema, known)))
        if len(self._indexes) >= _KEPT:
            self._indexes.pop(next(iter(self._indexes)))
        self._indexes[schema] = entry
        return entry

    async def prompt_schema(self, schema: PreparedSchema, question: str, max_tokens: int) -> str:
        """The schema for the prompt with the values the question names, exact or alike."""
        index = await self.index(schema)
        similar = await self.lookup(schema, question, index)
        return schema_with_values(
            schema.index, question, index, max_tokens=max_tokens, similar=similar
        )

    async def lookup(
        self, schema: PreparedSchema, question: str, index: ValueIndex
    ) -> list[ColumnValue]:
        """Values like the names the question gives that the index does not hold ('Apollo'),
        searched with pg_trgm in the text columns of the tables the question is about."""
        reader = self._readers.get(schema.database)
        found = {match.value.lower() for match in index.match(question)}
        phrases = [p for p in name_phrases(question) if p.lower() not in found]
        if reader is None or not phrases:
            return []
        columns = [
            (table, column.name)
            for table in about(schema.index, question)
            for column in table.columns
            if not index.values_of(table.relation_name, column.name)  # held whole already
        ]
        try:
            return await reader.similar_values(columns, phrases, per_phrase=SIMILAR_PER_PHRASE)
        except (DatabaseUnavailable, SqlExecutionFailed, QueryTimedOut, UnsafeSql) as error:
            logger.warning("values like %d phrase(s) not looked up: %s", len(phrases), error.code)
            return []

    async def _read(self, schema: PreparedSchema, known: list[ColumnValue]) -> ValueIndex:
        values = list(known)
        reader = self._readers.get(schema.database)
        if reader is not None:
            try:
                values += await reader.few_values(schema.visible.tables, per_column=PER_COLUMN)
            except (DatabaseUnavailable, SqlExecutionFailed, QueryTimedOut, UnsafeSql) as error:
                logger.warning("values of %s not read: %s", schema.database, error.code)
        return ValueIndex.build(values)
