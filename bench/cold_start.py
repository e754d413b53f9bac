"""Cold start: from spawning `pg-mcp` to the first list_tools reply over stdio.

Prints the median and spread of several runs; no assertions (shared, noisy machines).
"""

import asyncio
import statistics
import sys
import time

from mcp import Client, StdioServerParameters

from tests.e2e.stdio import server_env
from tests.pg import FIXTURES, create_database, running_cluster

RUNS = 7


async def one_start(env: dict[str, str], args: list[str]) -> float:
    """Seconds from spawn to the first list_tools reply."""
    started = time.perf_counter()
    params = StdioServerParameters(command=sys.executable, args=args, env=env)
    async with Client(params) as client:
        await client.list_tools()
        elapsed = time.perf_counter() - started
    return elapsed


async def measure(env: dict[str, str], args: list[str]) -> list[float]:
    """RUNS cold starts, after one that warms the OS file cache as a second launch would."""
    await one_start(env, args)
    return [await one_start(env, args) for _ in range(RUNS)]


def _report(label: str, times: list[float]) -> None:
    print(f"  {label:<16} median {statistics.median(times) * 1000:.0f} ms", end="")
    print(f"  (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")


def main() -> None:
    """Measure cold starts against a real database."""
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        env = server_env(dsn, "http://127.0.0.1:9/v1")
        bare = asyncio.run(measure(env, ["-m", "bench.bare_server", dsn]))
        ours = asyncio.run(measure(env, ["-m", "bootstrap"]))
    print(f"cold start (spawn -> first list_tools), {RUNS} runs each")
    _report("bare MCPServer", bare)
    _report("pg-mcp", ours)


if __name__ == "__main__":
    main()
