"""Per-call overhead of `query` over stdio against raw asyncpg running the same SQL.

The chat model is an in-process scripted fake, so the figure is pg-mcp's own cost: the MCP round
trip, safety and access checks, the read-only transaction and rendering. Prints median and p99.
"""

import asyncio
import statistics
import sys
import time

import asyncpg
from mcp import Client, StdioServerParameters

from tests.e2e.stdio import server_env
from tests.pg import FIXTURES, create_database, running_cluster

SQL = "SELECT id, name, country FROM customers WHERE id <= 5 ORDER BY id"
WARMUP = 50
CALLS = 500


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"median {statistics.median(ordered) * 1000:.3f} ms  p99 {p99 * 1000:.3f} ms"


async def raw_asyncpg(dsn: str) -> list[float]:
    """The same SQL on an asyncpg pool, nothing else."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        for _ in range(WARMUP):
            await pool.fetch(SQL)
        samples = []
        for _ in range(CALLS):
            started = time.perf_counter()
            await pool.fetch(SQL)
            samples.append(time.perf_counter() - started)
        return samples
    finally:
        await pool.close()


async def through_pg_mcp(dsn: str) -> list[float]:
    """A question answered by the scripted model with SQL, over stdio."""
    env = server_env(dsn, None, PG_MCP_LOG_LEVEL="WARNING")
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bench.scripted_server", SQL], env=env
    )
    async with Client(params) as client:
        for _ in range(WARMUP):
            result = await client.call_tool("query", {"query": "five customers"})
            assert not result.is_error, result.content
        samples = []
        for _ in range(CALLS):
            started = time.perf_counter()
            await client.call_tool("query", {"query": "five customers"})
            samples.append(time.perf_counter() - started)
        return samples


async def through_bare_server(dsn: str) -> list[float]:
    """The same SQL through a bare MCPServer + asyncpg tool over stdio: the SDK's own floor."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "bench.bare_server", dsn])
    async with Client(params) as client:
        for _ in range(WARMUP):
            await client.call_tool("query", {"sql": SQL})
        samples = []
        for _ in range(CALLS):
            started = time.perf_counter()
            await client.call_tool("query", {"sql": SQL})
            samples.append(time.perf_counter() - started)
        return samples


def main() -> None:
    """Measure both in the same run, on the same database."""
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        raw = asyncio.run(raw_asyncpg(dsn))
        bare = asyncio.run(through_bare_server(dsn))
        served = asyncio.run(through_pg_mcp(dsn))
    print(f"{CALLS} calls after {WARMUP} warm-up calls: {SQL}")
    print(f"  raw asyncpg        {_percentiles(raw)}")
    print(f"  bare MCPServer     {_percentiles(bare)}")
    print(f"  pg-mcp over stdio  {_percentiles(served)}")
    overhead = [s - statistics.median(raw) for s in served]
    print(f"  pg-mcp - raw       {_percentiles(overhead)}")
    beyond_sdk = [s - statistics.median(bare) for s in served]
    print(f"  pg-mcp - bare      {_percentiles(beyond_sdk)}")


if __name__ == "__main__":
    main()
