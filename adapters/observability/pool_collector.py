"""Reads the size of each connection pool when Prometheus scrapes, never in between."""

from collections.abc import Iterator, Mapping
from typing import Protocol

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class SizedPool(Protocol):
    """What the collector reads from a pool (asyncpg.Pool has these methods)."""

    def get_size(self) -> int:
        """Connections open now, idle or in use."""
        ...

    def get_idle_size(self) -> int:
        """Open connections nobody is using."""
        ...

    def get_max_size(self) -> int:
        """The most connections the pool may open."""
        ...


class PoolCollector(Collector):
    """Pool size, connections in use and the size limit, per database."""

    def __init__(self, pools: Mapping[str, SizedPool]) -> None:
        self._pools = pools

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One sample per database of each gauge."""
        size = GaugeMetricFamily(
            "pg_mcp_pool_connections", "Open connections per database", labels=["database"]
        )
        in_use = GaugeMetricFamily(
            "pg_mcp_pool_connections_in_use",
            "Connections lent out to a query per database",
            labels=["database"],
        )
        limit = GaugeMetricFamily(
            "pg_mcp_pool_connections_max", "Pool size limit per database", labels=["database"]
        )
        for name, pool in self._pools.items():
            open_now = pool.get_size()
            size.add_metric([name], open_now)
            in_use.add_metric([name], open_now - pool.get_idle_size())
            limit.add_metric([name], pool.get_max_size())
        yield from (size, in_use, limit)
