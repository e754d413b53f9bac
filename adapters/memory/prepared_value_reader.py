"""A value reader that answers from a prepared list: for tests and embedders."""

import asyncio
from collections.abc import Iterable, Sequence

from domain.models import ColumnValue, Table
from domain.ports import ValueReader


class PreparedValueReader(ValueReader):
    """Returns the prepared values of the tables asked about; when stalled, once released."""

    def __init__(self, values: Iterable[ColumnValue], *, stalled: bool = False) -> None:
        self._values = list(values)
        self._released = asyncio.Event()
        if not stalled:
            self._released.set()
        self.reads = 0

    def release(self) -> None:
        """Let stalled reads finish."""
        self._released.set()

    async def few_values(self, tables: Sequence[Table], *, per_column: int) -> list[ColumnValue]:
        """The prepared values of `tables`, once released."""
        self.reads += 1
        await self._released.wait()
        asked = {table.relation_name for table in tables}
        return [value for value in self._values if value.table in asked]

    async def similar_values(
        self, columns: Sequence[tuple[Table, str]], phrases: Sequence[str], *, per_phrase: int
    ) -> list[ColumnValue]:
        """The prepared values of those columns that contain a phrase, ignoring case."""
        await self._released.wait()
        asked = {(table.relation_name, column) for table, column in columns}
        return [
            value
            for phrase in phrases
            for value in [v for v in self._values if phrase.lower() in v.value.lower()][:per_phrase]
            if (value.table, value.column) in asked
        ]
