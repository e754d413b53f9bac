"""The per-client sliding window kept in Redis, so every replica counts the same calls."""

import logging
import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

from domain.errors import RateLimited

logger = logging.getLogger(__name__)

# Redis down must not hang a call: it is refused (or admitted) within about a second.
REDIS_TIMEOUT_SECONDS = 1.0
_SCHEMES = {"redis://": "async+redis://", "rediss://": "async+rediss://"}


def limits_uri(url: str) -> str:
    """The `limits` storage URI of a redis://, rediss:// or unix:// URL."""
    for scheme, storage in _SCHEMES.items():
        if url.startswith(scheme):
            return storage + url.removeprefix(scheme)
    return "async+redis+unix://" + url.removeprefix("unix://")


class RedisSlidingWindowLimiter:
    """At most `requests` calls per key within any `window` seconds, across all replicas.

    - The moving window runs as one Lua script in Redis (the `limits` library): atomic.
    - fail_open: when Redis cannot be reached, admit calls (True) or refuse them with ERR_009.
    """

    def __init__(self, url: str, *, requests: int, window: float, fail_open: bool) -> None:
        if requests < 1 or window <= 0:
            raise ValueError("requests must be >= 1 and window > 0")
        # Our own pool, so that aclose() can hang up: `limits` offers no way to.
        self._pool = ConnectionPool.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        storage = RedisStorage(
            limits_uri(url),
            wrap_exceptions=True,
            implementation="redispy",
            key_prefix="pg-mcp",
            # limits types its options as scalars, yet documents and honours connection_pool.
            connection_pool=self._pool,  # type: ignore[arg-type]
        )
        self._limiter = MovingWindowRateLimiter(storage)
        # Redis keeps whole seconds; a fractional window is rounded up, never shortened.
        self._item = RateLimitItemPerSecond(requests, max(1, math.ceil(window)))
        self._fail_open = fail_open

    async def acquire(self, key: str) -> None:
        """Count one call of `key`.

        Raises:
            RateLimited: `key` used up its window (retry_after: until its oldest call leaves
                it), or Redis is unreachable and the limiter fails closed.
        """
        try:
            if await self._limiter.hit(self._item, key):
                return
            stats = await self._limiter.get_window_stats(self._item, key)
        except StorageError:
            logger.warning("rate-limit store unreachable; calls are %s", self._failing)
            if self._fail_open:
                return
            raise RateLimited(
                "Rate limits cannot be checked: the shared store is unreachable; retry shortly",
                retry_after=1.0,
            ) from None
        retry_after = max(stats.reset_time - time.time(), 0.1)
        raise RateLimited(
            f"Rate limit of {self._item.amount} requests per {self._item.multiples} s reached; "
            f"retry in {retry_after:.1f} s",
            retry_after=retry_after,
        )

    async def aclose(self) -> None:
        """Close the connections to Redis."""
        await self._pool.aclose()

    @property
    def _failing(self) -> str:
        return "admitted (fail open)" if self._fail_open else "refused (fail closed)"
