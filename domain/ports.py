"""The ports: what the application needs from the outside world, in its own words."""

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from domain.models import (
    ChatMessage,
    ChatReply,
    ColumnValue,
    Parameter,
    QueryPlan,
    QueryResult,
    SchemaSnapshot,
    Table,
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


class ValueReader(Protocol):
    """Reads the values of a database's text columns that hold few distinct ones."""

    @abstractmethod
    async def few_values(self, tables: Sequence[Table], *, per_column: int) -> list[ColumnValue]:
        """Values of the given tables' text columns having at most per_column distinct values.

        Raises:
            DatabaseUnavailable, SqlExecutionFailed, QueryTimedOut.
        """
        ...

    @abstractmethod
    async def similar_values(
        self, columns: Sequence[tuple[Table, str]], phrases: Sequence[str], *, per_phrase: int
    ) -> list[ColumnValue]:
        """Values of the columns closest to each phrase; none when similarity is unavailable.

        Raises:
            DatabaseUnavailable, SqlExecutionFailed, QueryTimedOut.
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


class CallRecord(Protocol):
    """One tool call in flight, as an observer (metrics, traces, logs, audit) follows it."""

    async def stage(self, name: str) -> None:
        """The call began `name`, one of application.progress.STAGES."""
        ...

    def finish(
        self,
        *,
        code: str | None,
        rows: int | None = None,
        attempts: int | None = None,
        sql: str | None = None,
        database: str | None = None,
    ) -> None:
        """The call ended; `code` is its error code, None on success; `database` answered it."""
        ...


class CallObserver(Protocol):
    """Starts a record per tool call."""

    def start(
        self,
        tool: str,
        database: str | None,
        *,
        question: str | None = None,
        request_id: str | None = None,
    ) -> CallRecord:
        """Begin the record of one call of `tool`."""
        ...
