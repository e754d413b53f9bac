"""Per-call cost of `query` beside a bare MCPServer + asyncpg server, in one run.

Both servers are spoken to over stdio by the same lean client (bench.lean_client), on the same
PostgreSQL. pg-mcp answers a question through an OpenAI-compatible fake model over HTTP (keep-
alive, as real servers are), and SQL given directly. Prints median and p99 per call, round trips
to PostgreSQL per call (counted on the wire, tests.wire_counter), cold start, and the ratio of
each to the bare server's; then the fake model's round trip alone (bench.model_post), the part
of a question the bare server never pays. Usage: python -m bench.overhead [calls]
"""

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Any

from bench.cold_start import bare_and_ours, report
from tests.e2e.lean_client import LeanClient
from tests.e2e.stdio import server_env
from tests.fake_llm_server import FakeLLMServer
from tests.pg import FIXTURES, create_database, running_cluster
from tests.wire_counter import RoundTripCounter, counting_proxy

SQL = "SELECT id, name, country FROM customers WHERE id <= 5 ORDER BY id"
QUESTION = "the first five customers by id"
WARMUP = 50
BLOCK = 25  # calls to one server before the next one's turn
CALLS = 500
COUNTED = 20  # calls whose round trips are counted, through the proxy (not timed)
# pg-mcp builds its container and then imports the model SDK in the background after the
# handshake (holding the GIL for a few hundred ms); per-call figures are the steady state's.
SETTLE = 2.0

Call = tuple[str, dict[str, Any]]
BARE: Call = ("query", {"sql": SQL})
ASKED: Call = ("query", {"query": QUESTION})
GIVEN: Call = ("query", {"query": SQL})
GIVEN_SQL_MODE: Call = ("query", {"query": SQL, "return_mode": "sql"})


async def settled(client: LeanClient, args: Sequence[str]) -> None:
    """Wait out pg-mcp's background start: a question waits for its container and model client."""
    if "bootstrap" in args:
        await client.call_tool(*ASKED)
    await asyncio.sleep(SETTLE)


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


async def timed(
    servers: Sequence[Sequence[str]], env: Mapping[str, str], calls: Sequence[Call], n: int
) -> list[list[float]]:
    """Seconds per call of each of `calls` to the server of the same index, n times after
    WARMUP calls. The servers run side by side and are called in turn, a block of BLOCK calls
    each (never two at once): within a block a server runs warm, as for a client asking again
    and again, and a change in the machine's load reaches every figure alike."""
    samples: list[list[float]] = [[] for _ in calls]
    async with AsyncExitStack() as stack:
        clients = []
        for args in servers:
            client = await stack.enter_async_context(LeanClient(args, env))
            await client.initialize()
            await settled(client, args)
            clients.append(client)
        for client, call in zip(clients, calls, strict=True):
            for _ in range(WARMUP):
                await client.call_tool(*call)
        for _ in range(0, n, BLOCK):
            for client, (tool, arguments), times in zip(clients, calls, samples, strict=True):
                for _ in range(BLOCK):
                    started = time.perf_counter()
                    await client.call_tool(tool, arguments)
                    times.append(time.perf_counter() - started)
    return samples


async def round_trips(
    args: Sequence[str], env: Mapping[str, str], call: Call, counter: RoundTripCounter
) -> float:
    """Round trips to PostgreSQL per call, once the server is warm."""
    async with LeanClient(args, env) as client:
        await client.initialize()
        for _ in range(5):
            await client.call_tool(*call)
        before = counter.count
        for _ in range(COUNTED):
            await client.call_tool(*call)
        return (counter.count - before) / COUNTED


def _env(dsn: str, llm: FakeLLMServer) -> dict[str, str]:
    return server_env(dsn, llm.base_url, PG_MCP_RATE_LIMIT_ENABLED="false")


def main() -> None:
    """Measure the bare server and pg-mcp in the same run, on the same database."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else CALLS
    ours = ["-m", "bootstrap"]
    with (
        running_cluster() as admin,
        FakeLLMServer(responder=lambda _request: SQL, keep_alive=True) as llm,
    ):
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        bare = ["-m", "bench.bare_server", dsn]
        bare_s, asked_s, given_s = asyncio.run(
            timed([bare, ours, ours], _env(dsn, llm), [BARE, ASKED, GIVEN], n)
        )
        model = model_round_trip(llm)
        with counting_proxy(dsn) as (proxied, counter):
            proxied_bare = ["-m", "bench.bare_server", proxied]
            trips = {
                "bare": asyncio.run(round_trips(proxied_bare, _env(proxied, llm), BARE, counter)),
                "asked": asyncio.run(round_trips(ours, _env(proxied, llm), ASKED, counter)),
                "sql": asyncio.run(round_trips(ours, _env(proxied, llm), GIVEN, counter)),
                "sql mode": asyncio.run(
                    round_trips(ours, _env(proxied, llm), GIVEN_SQL_MODE, counter)
                ),
            }
        cold_bare, cold_ours = bare_and_ours(dsn)
    _print(n, bare_s, asked_s, given_s, trips, cold_bare, cold_ours)
    question = statistics.median(asked_s)
    print(f"model round trip alone (the request pg-mcp sent, posted again): {model * 1000:.2f} ms")
    print(
        f"  a question less it: {(question - model) * 1000:.2f} ms,"
        f" {(question - model) / statistics.median(bare_s):.2f}x the bare server's call"
    )


def model_round_trip(llm: FakeLLMServer) -> float:
    """Median seconds of the fake model's round trip alone, from a process of its own: the time
    a question spends in the model, which the bare server never pays."""
    with tempfile.NamedTemporaryFile(suffix=".json") as body:
        body.write(json.dumps(llm.requests[-1]).encode())
        body.flush()
        url = f"{llm.base_url.rstrip('/')}/chat/completions"
        done = subprocess.run(
            [sys.executable, "-m", "bench.model_post", url, body.name],
            capture_output=True,
            text=True,
            check=True,
        )
    return float(done.stdout)


def _print(
    n: int,
    bare: list[float],
    asked: list[float],
    given: list[float],
    trips: dict[str, float],
    cold_bare: list[float],
    cold_ours: list[float],
) -> None:
    base_median, base_p99 = statistics.median(bare), _p99(bare)
    print(f"{n} calls each after {WARMUP} warm-up calls, lean stdio client: {SQL}")
    print(f"  {'':<34} {'median':>9} {'p99':>9}   ratio median / p99")
    for label, samples in (
        ("bare MCPServer + asyncpg", bare),
        ("pg-mcp, question (fake model/HTTP)", asked),
        ("pg-mcp, SQL", given),
    ):
        median, p99 = statistics.median(samples), _p99(samples)
        print(
            f"  {label:<34} {median * 1000:6.2f} ms {p99 * 1000:6.2f} ms"
            f"   {median / base_median:.2f}x / {p99 / base_p99:.2f}x"
        )
    print(f"round trips to PostgreSQL per call (wire count, {COUNTED} warm calls)")
    for label, count in trips.items():
        print(f"  {label:<10} {count:.1f}")
    print("cold start (spawn -> first tools/list)")
    print("  " + report("bare MCPServer", cold_bare))
    print("  " + report("pg-mcp", cold_ours))
    ratio = statistics.median(cold_ours) / statistics.median(cold_bare)
    print(f"  ratio {ratio:.2f}x")


if __name__ == "__main__":
    main()
