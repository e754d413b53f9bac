"""The observer of calls when none is wired (the port is domain.ports.CallObserver)."""

from collections.abc import Awaitable, Callable

from domain.ports import CallRecord

# The metrics in Prometheus's text format; awaited when the server is still starting.
MetricsText = Callable[[], str] | Callable[[], Awaitable[str]]


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
