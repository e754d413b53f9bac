"""What the tools tell an observer about each call (metrics, traces, logs live elsewhere)."""

from collections.abc import Callable
from typing import Protocol

MetricsText = Callable[[], str]


class CallRecord(Protocol):
    """One tool call in flight."""

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


class _Unrecorded:
    """A call nobody observes."""

    async def stage(self, name: str) -> None:
        """Nothing to note."""

    def finish(
        self,
        *,
        code: str | None,
        rows: int | None = None,
        attempts: int | None = None,
        sql: str | None = None,
        database: str | None = None,
    ) -> None:
        """Nothing to report."""


class Unobserved:
    """The default observer: records nothing."""

    def start(
        self,
        tool: str,
        database: str | None,
        *,
        question: str | None = None,
        request_id: str | None = None,
    ) -> CallRecord:
        """A record that ignores everything."""
        return _Unrecorded()
