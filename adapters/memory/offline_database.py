"""A database that is down, or stalled: for tests of what the other databases still do."""

import asyncio
from collections.abc import Sequence
from typing import NoReturn

from domain.errors import DatabaseUnavailable
from domain.models import Parameter, QueryPlan, QueryResult, SchemaSnapshot
from domain.ports import Database


class OfflineDatabase(Database):
    """Fails every call with DatabaseUnavailable; when stalled, waits until released first."""

    def __init__(self, *, name: str, stalled: bool = False) -> None:
        self._name = name
        self._released = asyncio.Event()
        if not stalled:
            self._released.set()
        self.calls = 0

    @property
    def name(self) -> str:
        """The database's name."""
        return self._name

    def release(self) -> None:
        """Let stalled calls go on (to fail)."""
        self._released.set()

    async def fetch(
        self, sql: str, *, max_rows: int, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryResult:
        """Fail as an unreachable database does."""
        return await self._fail()

    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        """Fail as an unreachable database does."""
        return await self._fail()

    async def introspect(self) -> SchemaSnapshot:
        """Fail as an unreachable database does."""
        return await self._fail()

    async def _fail(self) -> NoReturn:
        self.calls += 1
        await self._released.wait()
        raise DatabaseUnavailable(f"database {self._name!r} is not reachable")
