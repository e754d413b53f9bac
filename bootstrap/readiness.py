"""What /readyz asks of a replica: every breaker closed and every database answering."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import asyncpg

from adapters.postgres.reachability import unreachable
from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitState

_READY_TIMEOUT_SECONDS = 2.0


class ReadinessProbe:
    """Each database's problem, or None when it is ready."""

    def __init__(
        self,
        pools: Mapping[str, asyncpg.Pool[asyncpg.Record]],
        breakers: Mapping[str, CircuitBreaker],
    ) -> None:
        self._pools = pools
        self._breakers = breakers

    async def __call__(self) -> dict[str, str | None]:
        """Ask every database at once."""
        names = list(self._pools)
        found = await asyncio.gather(*(self._problem(name) for name in names))
        return dict(zip(names, found, strict=True))

    async def _problem(self, name: str) -> str | None:
        breaker = self._breakers.get(name)
        if breaker is not None and breaker.state is not CircuitState.CLOSED:
            return f"circuit {breaker.state}"
        return await unreachable(self._pools[name], timeout=_READY_TIMEOUT_SECONDS)
