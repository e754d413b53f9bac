"""A database that tries again when the connection fails."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from adapters.resilience.backoff import OnRetry, Sleep, async_retrying, call_with_retries
from adapters.resilience.retry_policy import RetryPolicy
from domain.errors import DatabaseUnavailable
from domain.models import Parameter, QueryPlan, QueryResult, SchemaSnapshot
from domain.ports import Database

T = TypeVar("T")


def _unavailable(exc: BaseException) -> bool:
    # Only a lost or refused connection may heal; a rejected or cancelled statement will not,
    # nor a rejected login or a host name that does not resolve.
    return isinstance(exc, DatabaseUnavailable) and not exc.lasting


class RetryingDatabase(Database):
    """Retries fetch, explain and introspect when the database is unreachable."""

    def __init__(
        self,
        inner: Database,
        policy: RetryPolicy,
        *,
        on_retry: OnRetry | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._on_retry = on_retry
        self._sleep = sleep

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
        """Run the read-only query, again if the connection failed."""
        return await self._retry(
            lambda: self._inner.fetch(
                sql, max_rows=max_rows, timeout=timeout, parameters=parameters
            )
        )

    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        """Explain the statement, again if the connection failed."""
        return await self._retry(
            lambda: self._inner.explain(sql, timeout=timeout, parameters=parameters)
        )

    async def introspect(self) -> SchemaSnapshot:
        """Read the schema, again if the connection failed."""
        return await self._retry(self._inner.introspect)

    async def _retry(self, call: Callable[[], Awaitable[T]]) -> T:
        return await call_with_retries(
            call,
            transient=_unavailable,
            retrying=lambda: async_retrying(
                self._policy,
                what=f"Database {self._inner.name!r}",
                transient=_unavailable,
                on_retry=self._on_retry,
                sleep=self._sleep,
            ),
        )
