import asyncio

import asyncpg
import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.observability.breaker_collector import BreakerCollector
from adapters.observability.pool_collector import PoolCollector
from adapters.observability.server_metrics import ServerMetrics
from adapters.resilience.circuit_breaker import CircuitBreaker
from domain.errors import DatabaseUnavailable
from tests.adapters.observability.metrics_text import sample


@pytest.mark.anyio
async def test_pool_gauges_show_open_and_in_use_connections_at_scrape_time(shop_dsn: str) -> None:
    metrics = ServerMetrics()
    async with asyncio.timeout(10), asyncpg.create_pool(shop_dsn, min_size=1, max_size=3) as pool:
        metrics.registry.register(PoolCollector({"shop": pool}))
        async with pool.acquire(), pool.acquire():
            in_use = sample(metrics.registry, "pg_mcp_pool_connections_in_use", database="shop")
            size = sample(metrics.registry, "pg_mcp_pool_connections", database="shop")
        idle_in_use = sample(metrics.registry, "pg_mcp_pool_connections_in_use", database="shop")
        limit = sample(metrics.registry, "pg_mcp_pool_connections_max", database="shop")

    assert (in_use, size, idle_in_use, limit) == (2, 2, 0, 3)


@pytest.mark.anyio
async def test_breaker_gauge_follows_the_breaker_from_closed_to_open_to_half_open() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("database 'shop'", clock=clock, failure_threshold=1, open_seconds=30)
    metrics = ServerMetrics()
    metrics.registry.register(BreakerCollector([breaker]))

    def state() -> str:
        states = ("closed", "open", "half_open")
        on = [
            s
            for s in states
            if sample(metrics.registry, "pg_mcp_circuit_state", breaker="database 'shop'", state=s)
            == 1
        ]
        assert len(on) == 1
        return on[0]

    before = state()

    async def fail() -> None:
        raise DatabaseUnavailable("down")

    with pytest.raises(DatabaseUnavailable):
        await breaker.call(fail)
    opened = state()
    clock.advance(30)
    assert (before, opened, state()) == ("closed", "open", "half_open")
