"""Rate limits: a sliding window per client key, and a token bucket for chat-model calls."""

import asyncio
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiolimiter import AsyncLimiter

from domain.errors import RateLimited
from domain.ports import Clock

T = TypeVar("T")


class SlidingWindowLimiter:
    """At most `requests` calls per key within any `window` seconds (an exact log of calls)."""

    def __init__(self, requests: int, window: float, clock: Clock) -> None:
        if requests < 1 or window <= 0:
            raise ValueError("requests must be >= 1 and window > 0")
        self._requests = requests
        self._window = window
        self._clock = clock
        self._calls: defaultdict[str, deque[float]] = defaultdict(deque)

    def acquire(self, key: str) -> None:
        """Count one call of `key`.

        Raises:
            RateLimited: `key` made `requests` calls in the last `window` seconds; retry_after
                is the time until the oldest of them leaves the window.
        """
        now = self._clock.now()
        calls = self._calls[key]
        # A call made exactly `window` seconds ago has left the window.
        while calls and now - calls[0] >= self._window:
            calls.popleft()
        if len(calls) >= self._requests:
            retry_after = calls[0] + self._window - now
            raise RateLimited(
                f"Rate limit of {self._requests} requests per {self._window:g} s reached; "
                f"retry in {retry_after:.1f} s",
                retry_after=retry_after,
            )
        calls.append(now)


class LlmRateLimiter:
    """A token bucket of `burst` calls refilled at `per_second`, in front of the chat model.

    A call waits at most `max_wait` seconds for room in the bucket and is then refused with
    ERR_009, so that a flood of questions fails visibly instead of queueing without bound.
    """

    def __init__(self, per_second: float, burst: int, *, max_wait: float = 1.0) -> None:
        if per_second <= 0 or burst < 1 or max_wait < 0:
            raise ValueError("per_second must be > 0, burst >= 1 and max_wait >= 0")
        # aiolimiter's leaky bucket holds max_rate and drains max_rate per time_period.
        self._bucket = AsyncLimiter(max_rate=burst, time_period=burst / per_second)
        self._per_second = per_second
        self._max_wait = max_wait

    async def acquire(self) -> None:
        """Take one call from the bucket, waiting at most max_wait seconds.

        Raises:
            RateLimited: the bucket stayed empty for max_wait seconds.
        """
        if self._bucket.has_capacity():
            await self._bucket.acquire()
            return
        try:
            async with asyncio.timeout(self._max_wait):
                await self._bucket.acquire()
        except TimeoutError:
            raise RateLimited(
                f"Too many AI calls: at most {self._per_second:g} per second are allowed",
                retry_after=1 / self._per_second,
            ) from None

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call, once the bucket has room for it (an `Around`).

        Raises:
            RateLimited: the bucket stayed empty for max_wait seconds.
        """
        await self.acquire()
        return await call()
