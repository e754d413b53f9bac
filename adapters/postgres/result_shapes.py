"""The columns a statement returns, kept so that a repeated statement is not described again."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import asyncpg

Shape = tuple[asyncpg.Attribute, ...]


class ResultShapes:
    """A bounded map of SQL text to its result columns as PostgreSQL last described them.

    An entry is a hint: its user checks it against the statement PostgreSQL prepares each time
    (capped_select.CappedSelect.fits), and clear() drops them all when the schema is read again.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._shapes: OrderedDict[str, Shape] = OrderedDict()

    def get(self, sql: str) -> Shape | None:
        """The columns last seen for sql, or None."""
        shape = self._shapes.get(sql)
        if shape is not None:
            self._shapes.move_to_end(sql)
        return shape

    def put(self, sql: str, attributes: Sequence[asyncpg.Attribute]) -> None:
        """Remember the columns of sql, forgetting the least recently used past the size."""
        self._shapes[sql] = tuple(attributes)
        self._shapes.move_to_end(sql)
        while len(self._shapes) > self._size:
            self._shapes.popitem(last=False)

    def drop(self, sql: str) -> None:
        """Forget sql: its columns changed."""
        self._shapes.pop(sql, None)

    def clear(self) -> None:
        """Forget every statement: the schema was read again."""
        self._shapes.clear()
