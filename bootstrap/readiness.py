"""What /readyz asks of a replica: every breaker closed, every database and Redis answering."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import asyncpg
from redis.asyncio import Redis

from adapters.http.health import Readiness
from adapters.postgres.reachability import unreachable
from adapters.redis.redis_reachability import redis_unreachable
from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitState

_READY_TIMEOUT_SECONDS = 2.0


class ReadinessProbe:
    """Each database's problem and Redis's, or None where all is well."""

    def __init__(
        self,
        pools: Mapping[str, asyncpg.Pool[asyncpg.Record]],
        breakers: Mapping[str, CircuitBreaker],
        *,
        redis: Redis | None = None,
        redis_fail_open: bool = False,
    ) -> None:
        self._pools = pools
        self._breakers = breakers
        self._redis = redis
        self._redis_fail_open = redis_fail_open

    async def __call__(self) -> Readiness:
        """Ask every database and Redis at once."""
        names = list(self._pools)
        found, redis = await asyncio.gather(
            asyncio.gather(*(self._problem(name) for name in names)), self._redis_problem()
        )
        return Readiness(
            databases=dict(zip(names, found, strict=True)),
            redis=redis,
            has_redis=self._redis is not None,
            needs_redis=self._redis is not None and not self._redis_fail_open,
        )

    async def _problem(self, name: str) -> str | None:
        breaker = self._breakers.get(name)
        if breaker is not None and breaker.state is not CircuitState.CLOSED:
            return f"circuit {breaker.state}"
        return await unreachable(self._pools[name], timeout=_READY_TIMEOUT_SECONDS)

    async def _redis_problem(self) -> str | None:
        return None if self._redis is None else await redis_unreachable(self._redis)
