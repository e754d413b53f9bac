"""A concern wrapped around every call of a port, and the two ports that run their calls in one.

Retries, a circuit breaker, a rate limit or a metric is each one `Around`; `GuardedDatabase` and
`GuardedChatModel` spell their port once and hand each call to the concerns stacked around it.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from domain.models import (
    ChatMessage,
    ChatReply,
    Parameter,
    QueryPlan,
    QueryResult,
    SchemaSnapshot,
)
from domain.ports import ChatModel, Database

T = TypeVar("T")


class Around(Protocol):
    """Runs one call of a port inside a concern: may retry it, refuse it, time it."""

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call's result, as the concern lets it through."""
        ...


class Stacked:
    """Several concerns as one; the first is the outermost."""

    def __init__(self, *layers: Around) -> None:
        self._layers = layers

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call run inside every layer."""
        for layer in reversed(self._layers):
            call = _inside(layer, call)
        return await call()


def _inside(layer: Around, call: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
    return lambda: layer(call)


class GuardedDatabase(Database):
    """A database whose every call runs inside `around`."""

    def __init__(self, inner: Database, around: Around) -> None:
        self._inner = inner
        self._around = around

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
        """The inner database's rows, as the concerns let them through."""
        return await self._around(
            lambda: self._inner.fetch(
                sql, max_rows=max_rows, timeout=timeout, parameters=parameters
            )
        )

    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        """The inner database's plan, as the concerns let it through."""
        return await self._around(
            lambda: self._inner.explain(sql, timeout=timeout, parameters=parameters)
        )

    async def introspect(self) -> SchemaSnapshot:
        """The inner database's schema, as the concerns let it through."""
        return await self._around(self._inner.introspect)


class GuardedChatModel(ChatModel):
    """A chat model whose every call runs inside `around`."""

    def __init__(self, inner: ChatModel, around: Around) -> None:
        self._inner = inner
        self._around = around

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """The inner model's reply, as the concerns let it through."""
        return await self._around(lambda: self._inner.complete(messages, json_schema=json_schema))
