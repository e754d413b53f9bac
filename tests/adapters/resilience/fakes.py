"""Small port implementations whose failures a test scripts, and a sleep that only records."""

import asyncio
from collections.abc import Iterable, Sequence

from domain.errors import AIServiceUnavailable, PgMcpError
from domain.models import (
    ChatMessage,
    ChatReply,
    ColumnInfo,
    Parameter,
    QueryPlan,
    QueryResult,
    Role,
    SchemaSnapshot,
)
from domain.ports import ChatModel, Database

ONE_ROW = QueryResult(columns=(ColumnInfo(name="n", type="int4"),), rows=((1,),), truncated=False)
PLAN = QueryPlan(total_cost=1.0, plan_rows=1, text="Result")
QUESTION = (ChatMessage(role=Role.USER, content="How many customers?"),)


class Overloaded(AIServiceUnavailable):
    """What the OpenAI adapter's 429 or 503 stands for: transient, maybe with Retry-After."""

    def __init__(self, *, retry_after: float | None = None) -> None:
        super().__init__("The AI service is overloaded")
        self.retry_after = retry_after


def is_overloaded(exc: BaseException) -> bool:
    return isinstance(exc, Overloaded)


def overload_retry_after(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, Overloaded) else None


class FlakyChatModel(ChatModel):
    """Raises the scripted errors in order, then answers "SELECT 1"."""

    def __init__(self, errors: Iterable[BaseException] = ()) -> None:
        self._errors = list(errors)
        self.calls = 0

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        self.calls += 1
        if self._errors:
            raise self._errors.pop(0)
        return ChatReply(text="SELECT 1")


class FlakyDatabase(Database):
    """Raises the scripted errors in order from any method, then answers."""

    def __init__(self, errors: Iterable[PgMcpError] = (), *, name: str = "shop") -> None:
        self._errors = list(errors)
        self._name = name
        self.calls = 0

    @property
    def name(self) -> str:
        return self._name

    async def fetch(
        self,
        sql: str,
        *,
        max_rows: int,
        timeout: float,
        parameters: Sequence[Parameter] = (),
    ) -> QueryResult:
        self._next()
        return ONE_ROW

    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        self._next()
        return PLAN

    async def introspect(self) -> SchemaSnapshot:
        self._next()
        return SchemaSnapshot(database=self._name, tables=(), enums=(), loaded_at=0.0)

    def fail_with(self, *errors: PgMcpError) -> None:
        self._errors.extend(errors)

    def _next(self) -> None:
        self.calls += 1
        if self._errors:
            raise self._errors.pop(0)


class RecordingSleep:
    """An async sleep that returns at once and remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(float(seconds))
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would
