"""The token bucket in front of the chat model, kept in Redis so replicas share one budget."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.errors import RateLimited

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Refill, then take one token or say how long until one is there; one script, so atomic.
# Redis's own clock: replicas' clocks never have to agree.
_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(held[1]) or burst
local at = tonumber(held[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisTokenBucket:
    """`burst` model calls refilled at `per_second`, shared by every replica (an `Around`).

    A call waits at most max_wait seconds for a token, then is refused with ERR_009; while
    Redis is unreachable calls pass (fail_open) or are refused.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        per_second: float,
        burst: int,
        max_wait: float = 1.0,
        fail_open: bool = False,
        key: str = "pg-mcp:llm-bucket",
    ) -> None:
        if per_second <= 0 or burst < 1 or max_wait < 0:
            raise ValueError("per_second must be > 0, burst >= 1 and max_wait >= 0")
        self._take = redis.register_script(_TAKE)
        self._per_second = per_second
        self._burst = burst
        self._max_wait = max_wait
        self._fail_open = fail_open
        self._key = key

    async def acquire(self) -> None:
        """Take one token, waiting for one at most max_wait seconds in all.

        Raises:
            RateLimited: no token within max_wait, or Redis unreachable and failing closed.
        """
        waited = 0.0
        while (wait := await self._wait_for_token()) > 0:
            if waited + wait > self._max_wait:
                raise RateLimited(
                    f"Too many AI calls: at most {self._per_second:g} per second are allowed",
                    retry_after=wait,
                )
            await asyncio.sleep(wait)
            waited += wait

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call, once a token is taken (an `Around`).

        Raises:
            RateLimited: as acquire().
        """
        await self.acquire()
        return await call()

    async def _wait_for_token(self) -> float:
        try:
            reply = await self._take(keys=[self._key], args=[self._per_second, self._burst])
        except RedisError as exc:
            logger.warning("AI call budget unreachable (%s)", type(exc).__name__)
            if self._fail_open:
                return 0.0
            raise RateLimited(
                "AI call budget cannot be checked: the shared store is unreachable",
                retry_after=1.0,
            ) from None
        return float(reply)
