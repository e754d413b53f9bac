"""The ports: what the application needs from the outside world, in its own words."""

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from domain.models import (
    ChatMessage,
    ChatReply,
    Parameter,
    QueryPlan,
    QueryResult,
    SchemaSnapshot,
)


class ChatModel(Protocol):
    """A language model that answers a conversation with text."""

    @abstractmethod
    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """Answer the conversation; ask for JSON matching json_schema where supported.

        Raises:
            AIServiceUnavailable: the model is not configured, failed or timed out.
        """
        ...


class Database(Protocol):
    """One PostgreSQL database, reached read-only."""

    @property
    @abstractmethod
    def name(self) -> str:
        """The name clients use to pick this database."""
        ...

    @abstractmethod
    async def fetch(
        self,
        sql: str,
        *,
        max_rows: int,
        timeout: float,
        parameters: Sequence[Parameter] = (),
    ) -> QueryResult:
        """Run one checked SELECT read-only, parameters bound to $1..$n; at most max_rows rows.

        Raises:
            SqlExecutionFailed, QueryTimedOut, DatabaseUnavailable.
            InvalidRequest: a parameter's value does not convert to its placeholder's type.
        """
        ...

    @abstractmethod
    async def explain(
        self, sql: str, *, timeout: float, parameters: Sequence[Parameter] = ()
    ) -> QueryPlan:
        """Return the planner's estimate for one checked statement, without running it."""
        ...

    @abstractmethod
    async def introspect(self) -> SchemaSnapshot:
        """Read the whole schema from the catalog.

        Raises:
            SchemaLoadFailed, DatabaseUnavailable.
        """
        ...


class SchemaStore(Protocol):
    """Keeps the latest schema snapshot of each database."""

    @abstractmethod
    async def get(self, database: str) -> SchemaSnapshot | None:
        """The stored snapshot of `database`, or None."""
        ...

    @abstractmethod
    async def put(self, snapshot: SchemaSnapshot) -> None:
        """Store a snapshot, replacing the previous one of the same database."""
        ...


class Clock(Protocol):
    """Monotonic time in seconds, so that tests can move it by hand."""

    @abstractmethod
    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...
