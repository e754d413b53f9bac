"""A database that fails fast while its circuit is open."""

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitOpen
from domain.errors import DatabaseUnavailable
from domain.models import Parameter, QueryPlan, QueryResult, SchemaSnapshot
from domain.ports import Database

T = TypeVar("T")


def _unavailable(exc: BaseException) -> bool:
    # A SQL error or a timeout is an answer from a working server; only no answer counts.
    return isinstance(exc, DatabaseUnavailable)


class CircuitBreakingDatabase(Database):
    """Refuses calls with DatabaseUnavailable while the database's circuit is open."""

    def __init__(self, inner: Database, breaker: CircuitBreaker) -> None:
        self._inner = inner
        self.breaker = breaker

    @property
    def name(self) -> str:
        """The inner database's name."""
        return self._inner.name

    async def fetch(
        self,
        sql: str,
        *,
        max_rows: int,
        timeout: float,
        parameters: Sequence[Parameter] = (),
    ) -> QueryResult:
        """Run the query unless the circuit is open.

        Raises:
            DatabaseUnavailable: the circuit is open; the message says when it will try again.
        """
        return await self._guard(
            lambda: self._inner.fetch(
                sql, max_rows=max_rows, timeout=timeout, parameters=parameters
            )
        )

    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        """Explain the statement unless the circuit is open."""
        return await self._guard(
            lambda: self._inner.explain(sql, timeout=timeout, parameters=parameters)
        )

    async def introspect(self) -> SchemaSnapshot:
        """Read the schema unless the circuit is open."""
        return await self._guard(self._inner.introspect)

    async def _guard(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await self.breaker.call(call, counts=_unavailable)
        except CircuitOpen as exc:
            last = self.breaker.last_failure
            suffix = f" (last error: {last})" if isinstance(last, DatabaseUnavailable) else ""
            raise DatabaseUnavailable(f"{exc}{suffix}") from exc
