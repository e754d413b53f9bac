"""Cold start: from spawning a server to its first tools/list reply over stdio, lean client.

Prints the median and spread of several runs beside the bare MCPServer; no assertions (shared,
noisy machines). bench.overhead prints the same figure beside its per-call ones. pg-mcp's
modules are byte-compiled first, as an installed package's are (pip compiles them; an editable
install writes them on first import unless PYTHONDONTWRITEBYTECODE is set, as it is here).
"""

import asyncio
import statistics
import time
from collections.abc import Mapping, Sequence

from tests.e2e.lean_client import LeanClient
from tests.e2e.stdio import byte_compile_pg_mcp, server_env
from tests.pg import FIXTURES, create_database, running_cluster

RUNS = 7


async def one_start(args: Sequence[str], env: Mapping[str, str]) -> float:
    """Seconds from spawn to the first tools/list reply."""
    started = time.perf_counter()
    async with LeanClient(args, env) as client:
        await client.initialize()
        await client.request("tools/list", {})
        return time.perf_counter() - started


async def measure(args: Sequence[str], env: Mapping[str, str], runs: int = RUNS) -> list[float]:
    """`runs` cold starts, after one that warms the OS file cache as a second launch would."""
    await one_start(args, env)
    return [await one_start(args, env) for _ in range(runs)]


def bare_and_ours(dsn: str, runs: int = RUNS) -> tuple[list[float], list[float]]:
    """Cold starts of the bare server and of pg-mcp, interleaved so load hits both alike."""
    byte_compile_pg_mcp()
    env = server_env(dsn, "http://127.0.0.1:9/v1")
    bare: list[float] = []
    ours: list[float] = []
    for _ in range(runs):
        bare += asyncio.run(measure(["-m", "bench.bare_server", dsn], env, runs=1))
        ours += asyncio.run(measure(["-m", "bootstrap"], env, runs=1))
    return bare, ours


def report(label: str, times: list[float]) -> str:
    """One line: median, min and max in milliseconds."""
    return (
        f"{label:<16} median {statistics.median(times) * 1000:5.0f} ms"
        f"  (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
    )


def main() -> None:
    """Measure cold starts against a real database."""
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        bare, ours = bare_and_ours(dsn)
    print(f"cold start (spawn -> first tools/list), {RUNS} runs each")
    print("  " + report("bare MCPServer", bare))
    print("  " + report("pg-mcp", ours))
    print(f"  ratio {statistics.median(ours) / statistics.median(bare):.2f}x")


if __name__ == "__main__":
    main()
