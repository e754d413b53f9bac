"""Latency of a small `query` call made beside large statements, over stdio.

A second task keeps sending a large statement while small calls are timed: a 1 MB expression
(refused by the input bounds) and the largest statement admitted by default (9,990 values
in an IN list under SELECT * with access control on, about 0.4 s of safety and access checks).
The last run checks every statement on the event loop, to show what the worker thread buys.
Prints median, p99 and max per run; no assertions. Run: python -m bench.fairness
"""

import asyncio
import statistics
import sys
import time

from mcp import Client, StdioServerParameters

from tests.e2e.stdio import server_env
from tests.pg import FIXTURES, create_database, running_cluster

SMALL = "SELECT id, name, country FROM customers WHERE id <= 5 ORDER BY id"
MEGABYTE = "SELECT " + "1+" * 500_000 + "1"
LARGEST_ADMITTED = "SELECT * FROM customers WHERE id IN (" + ",".join(map(str, range(9_990))) + ")"
SMALL_CALLS = 100
PAUSE = 0.01


def _figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return (
        f"median {statistics.median(ordered) * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
        f"max {ordered[-1] * 1000:7.1f} ms"
    )


async def _flood(client: Client, sql: str, stop: asyncio.Event) -> int:
    sent = 0
    while not stop.is_set():
        await client.call_tool("query", {"query": sql})
        sent += 1
    return sent


async def _small_calls(client: Client) -> list[float]:
    samples = []
    for _ in range(SMALL_CALLS):
        started = time.perf_counter()
        result = await client.call_tool("query", {"query": SMALL})
        samples.append(time.perf_counter() - started)
        assert not result.is_error, result.content
        await asyncio.sleep(PAUSE)
    return samples


async def beside(dsn: str, large: str | None, *flags: str) -> tuple[list[float], int]:
    """Small-call latencies while `large` is sent in a loop on the same server."""
    env = server_env(
        dsn,
        None,
        PG_MCP_LOG_LEVEL="WARNING",
        PG_MCP_RATE_LIMIT_ENABLED="false",
        PG_MCP_ENABLE_ACCESS_CONTROL="true",
        PG_MCP_BLOCKED_COLUMNS="customers.email",
    )
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bench.scripted_server", SMALL, *flags], env=env
    )
    async with Client(params) as client:
        for _ in range(20):
            await client.call_tool("query", {"query": SMALL})
        if large is None:
            return await _small_calls(client), 0
        stop = asyncio.Event()
        flood = asyncio.create_task(_flood(client, large, stop))
        await asyncio.sleep(0.5)
        samples = await _small_calls(client)
        stop.set()
        return samples, await flood


def main() -> None:
    """Measure every run on one database."""
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        runs = {
            "alone": asyncio.run(beside(dsn, None)),
            "beside a 1 MB expression": asyncio.run(beside(dsn, MEGABYTE)),
            "beside the largest admitted": asyncio.run(beside(dsn, LARGEST_ADMITTED)),
            "same, GIL switch every 1 ms": asyncio.run(
                beside(dsn, LARGEST_ADMITTED, "--switch-interval", "0.001")
            ),
            "same, checked on the loop": asyncio.run(
                beside(dsn, LARGEST_ADMITTED, "--inline-checks")
            ),
        }
    print(f"{SMALL_CALLS} small calls ({SMALL}), {PAUSE * 1000:.0f} ms apart:")
    for name, (samples, large_calls) in runs.items():
        print(f"  {name:30} {_figures(samples)}  ({large_calls} large calls meanwhile)")


if __name__ == "__main__":
    main()
