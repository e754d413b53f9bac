"""Loads what routing needs from every candidate database at once, never waiting on a down one."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from domain.errors import DatabaseUnavailable, SchemaLoadFailed
from domain.ports import Clock, Database

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Loads run side by side, a few at a time: a 10,000-table catalog read is heavy work.
CONCURRENT_LOADS = 4
# Once one database is ready, the others get this long; a slow one goes on in the background.
GRACE_SECONDS = 1.0
# A database that failed is left out this long, then tried again in the background.
DOWN_SECONDS = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Loaded(Generic[T]):
    """What was loaded, by database name, and why the others were left out."""

    ready: dict[str, T]
    skipped: dict[str, str] = field(default_factory=dict)


class RoutingLoads(Generic[T]):
    """Runs `prepare` for the candidate databases concurrently and remembers which are down."""

    def __init__(
        self,
        prepare: Callable[[Database], Awaitable[T]],
        *,
        clock: Clock,
        grace: float = GRACE_SECONDS,
        down_for: float = DOWN_SECONDS,
    ) -> None:
        self._prepare = prepare
        self._clock = clock
        self._grace = grace
        self._down_for = down_for
        self._slots = asyncio.Semaphore(CONCURRENT_LOADS)
        self._running: dict[str, asyncio.Task[T]] = {}
        self._down: dict[str, tuple[float, str]] = {}

    async def load(self, databases: Sequence[Database]) -> Loaded[T]:
        """Every candidate ready in time; a down one is skipped and probed in the background."""
        skipped: dict[str, str] = {}
        tasks: dict[str, asyncio.Task[T]] = {}
        for database in databases:
            down = self._down.get(database.name)
            if down is not None and down[0] > self._clock.now():
                skipped[database.name] = down[1]
                _ = self._start(database)  # a probe: its success clears the mark
                continue
            tasks[database.name] = self._start(database)
        await self._wait(set(tasks.values()))
        ready: dict[str, T] = {}
        for name, task in tasks.items():
            if not task.done():
                skipped[name] = "still loading"
            elif task.exception() is not None:
                skipped[name] = self._down.get(name, (0.0, "failed"))[1]
            else:
                ready[name] = task.result()
        return Loaded(ready=ready, skipped=skipped)

    async def _wait(self, pending: set[asyncio.Task[T]]) -> None:
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        while pending:
            timeout = None if deadline is None else max(deadline - loop.time(), 0.0)
            done, pending = await asyncio.wait(
                pending, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                return
            if deadline is None and any(task.exception() is None for task in done):
                deadline = loop.time() + self._grace

    def _start(self, database: Database) -> asyncio.Task[T]:
        running = self._running.get(database.name)
        if running is not None and not running.done():
            return running
        task = asyncio.ensure_future(self._load(database))
        # Retrieved here, so that a failed background probe is not reported as lost.
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._running[database.name] = task
        return task

    async def _load(self, database: Database) -> T:
        async with self._slots:
            try:
                prepared = await self._prepare(database)
            except (DatabaseUnavailable, SchemaLoadFailed) as error:
                logger.warning("database %s left out of routing: %s", database.name, error.code)
                reason = f"{error.code}: {error.message}"
                self._down[database.name] = (self._clock.now() + self._down_for, reason)
                raise
        self._down.pop(database.name, None)
        return prepared
