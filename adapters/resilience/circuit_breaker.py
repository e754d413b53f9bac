"""A circuit breaker timed by the Clock port, so that tests move time by hand.

closed ──(failure_threshold counted failures in a row)──► open
open ──(open_seconds pass)──► half_open: one trial call at a time
half_open ──(success_threshold successes)──► closed
half_open ──(a counted failure)──► open again
"""

import logging
import math
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from domain.errors import PgMcpError
from domain.ports import Clock

logger = logging.getLogger(__name__)

T = TypeVar("T")
Counts = Callable[[BaseException], bool]


class CircuitState(StrEnum):
    """Where the breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """A call was refused without trying, because the circuit is open."""

    def __init__(self, name: str, *, retry_in: float) -> None:
        self.name = name
        self.retry_in = retry_in
        if retry_in > 0:
            text = f"circuit open for {name}; next attempt in {math.ceil(retry_in)} s"
        else:
            text = f"circuit half-open for {name}; a trial call is under way, retry in a moment"
        super().__init__(text)


def _every_error(exc: BaseException) -> bool:
    return True


class CircuitBreaker:
    """Fails fast after repeated failures instead of waiting on a service that is down."""

    def __init__(
        self,
        name: str,
        *,
        clock: Clock,
        failure_threshold: int = 5,
        open_seconds: float = 30.0,
        success_threshold: int = 1,
    ) -> None:
        if failure_threshold < 1 or success_threshold < 1 or open_seconds < 0:
            raise ValueError("thresholds must be >= 1 and open_seconds >= 0")
        self.name = name
        self._clock = clock
        self._failure_threshold = failure_threshold
        self._open_seconds = open_seconds
        self._success_threshold = success_threshold
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._successes = 0
        self._retry_at = 0.0
        self._probing = False
        self.last_failure: BaseException | None = None

    @property
    def state(self) -> CircuitState:
        """The current state; an open circuit turns half-open once open_seconds have passed."""
        if self._state is CircuitState.OPEN and self._clock.now() >= self._retry_at:
            self._state = CircuitState.HALF_OPEN
            self._successes = 0
            logger.info("Circuit for %s is half-open: the next call is a trial", self.name)
        return self._state

    @property
    def retry_at(self) -> float | None:
        """Clock time at which an open circuit lets a trial call through; None unless open."""
        return self._retry_at if self.state is CircuitState.OPEN else None

    async def call(self, fn: Callable[[], Awaitable[T]], *, counts: Counts = _every_error) -> T:
        """Await fn() unless the circuit is open; errors for which counts() is true are failures.

        An error that does not count (say, a rejected SQL statement) shows that the service
        answered, so it counts as a success.

        Raises:
            CircuitOpen: the circuit is open, or half-open with a trial call under way.
        """
        probe = self._admit()
        try:
            result = await fn()
        except Exception as exc:
            self._record(probe=probe, failure=exc if counts(exc) else None)
            raise
        finally:
            if probe:
                self._probing = False
        self._record(probe=probe, failure=None)
        return result

    def _admit(self) -> bool:
        """Let the call through or raise CircuitOpen; True when it is the half-open trial."""
        state = self.state
        if state is CircuitState.OPEN:
            raise CircuitOpen(self.name, retry_in=self._retry_at - self._clock.now())
        if state is CircuitState.HALF_OPEN:
            if self._probing:
                raise CircuitOpen(self.name, retry_in=0.0)
            self._probing = True
            return True
        return False

    def _record(self, *, probe: bool, failure: BaseException | None) -> None:
        if failure is not None:
            self.last_failure = failure
        if probe:
            self._record_trial(failure)
        elif self._state is CircuitState.CLOSED:
            self._failures = self._failures + 1 if failure is not None else 0
            if self._failures >= self._failure_threshold:
                self._open()
        # Calls let in before the circuit opened may end later; they change nothing.

    def _record_trial(self, failure: BaseException | None) -> None:
        if failure is not None:
            self._open()
            return
        self._successes += 1
        if self._successes >= self._success_threshold:
            self._state = CircuitState.CLOSED
            self._failures = 0
            logger.info("Circuit for %s closed: the service answers again", self.name)

    def _open(self) -> None:
        self._state = CircuitState.OPEN
        self._retry_at = self._clock.now() + self._open_seconds
        logger.warning(
            "Circuit for %s opened for %g s: %s", self.name, self._open_seconds, self.last_failure
        )


class CircuitGuard:
    """Refuses calls while the breaker's circuit is open (an `Around`).

    The refusal is the port's own "unavailable" error, saying when the next try will be.
    """

    def __init__(
        self,
        breaker: CircuitBreaker,
        *,
        unavailable: type[PgMcpError],
        counts: Counts,
    ) -> None:
        self.breaker = breaker
        self._unavailable = unavailable
        self._counts = counts

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call's result unless the circuit is open."""
        try:
            return await self.breaker.call(call, counts=self._counts)
        except CircuitOpen as exc:
            last = self.breaker.last_failure
            suffix = f" (last error: {last})" if isinstance(last, self._unavailable) else ""
            raise self._unavailable(f"{exc}{suffix}") from exc
