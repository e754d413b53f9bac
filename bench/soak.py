"""Soak: N concurrent MCP clients over stdio, each with its own `pg-mcp`, for a bounded time.

One shared shop database and one fake OpenAI-compatible server that answers after a realistic
delay. Prints throughput, latency percentiles, each server's RSS after warm-up and at the end,
and the connections left on the database once every client has closed (should be 0).
No assertions (shared, noisy machines). Run: python -m bench.soak --clients 10 --seconds 60
"""

import argparse
import asyncio
import itertools
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mcp import Client

from bench.memory import child_pids, rss_mib
from tests.e2e.shop_workload import QUESTIONS, backends, delayed_responder, outcome
from tests.e2e.stdio import server_env, stdio_client
from tests.fake_llm_server import FakeLLMServer
from tests.pg import FIXTURES, create_database, running_cluster

WARMUP_CALLS = 2
LEAK_WAIT = 5.0


@dataclass(slots=True, kw_only=True)
class Tally:
    """What every client saw: latencies of all calls and the outcome counts."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


async def warm_up(client: Client) -> None:
    """A few calls, so that schema, pools and imports are loaded before measuring."""
    for question in QUESTIONS[:WARMUP_CALLS]:
        await client.call_tool("query", {"query": question})


async def call_until(
    client: Client, deadline: float, tally: Tally, queries: tuple[str, ...] = QUESTIONS
) -> None:
    """Ask `queries` (questions or SQL) back to back, in turn, until the deadline."""
    questions = itertools.cycle(queries)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            result = await client.call_tool("query", {"query": next(questions)})
            tally.outcomes[outcome(result)] += 1
        except Exception as exc:  # a bench counts protocol faults, it does not stop on them
            tally.outcomes[type(exc).__name__] += 1
        tally.latencies.append(time.perf_counter() - started)


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


@dataclass(frozen=True, slots=True, kw_only=True)
class Memory:
    """RSS in MiB of each server pid, after warm-up and at the end."""

    start: dict[int, float]
    end: dict[int, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class Connections:
    """Backends on the database while the clients were open, and after they closed."""

    held: int
    leaked: int


def report(
    args: argparse.Namespace, tally: Tally, memory: Memory, connections: Connections, elapsed: float
) -> None:
    """Print the figures."""
    ordered = sorted(tally.latencies)
    total = len(ordered)
    print(f"soak: {args.clients} clients, {args.seconds:g} s, fake LLM delay {args.llm_delay:g} s")
    print(f"  calls       {total} in {elapsed:.1f} s  ({total / elapsed:.1f} calls/s)")
    print(f"  outcomes    {dict(sorted(tally.outcomes.items()))}")
    if ordered:
        figures = [
            (n, percentile(ordered, s)) for n, s in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
        ]
        shown = "  ".join(f"{n} {v * 1000:.0f} ms" for n, v in figures)
        print(f"  latency     {shown}  max {ordered[-1] * 1000:.0f} ms")
    print("  server RSS  (MiB, after warm-up -> end)")
    for pid, before in memory.start.items():
        after = memory.end.get(pid, float("nan"))
        print(f"    pid {pid:>7}  {before:7.1f} -> {after:7.1f}  ({after - before:+.1f})")
    print(f"  connections held while open: {connections.held}")
    print(f"  leaked connections after close: {connections.leaked}")


async def soak(args: argparse.Namespace, admin_dsn: str, dsn: str) -> None:
    """Start the clients, warm up, run until time is up, close, and count leftovers."""
    tally = Tally()
    database = urlsplit(dsn).path.lstrip("/")
    with FakeLLMServer(responder=delayed_responder(args.llm_delay)) as llm:
        env = server_env(
            dsn, llm.base_url, PG_MCP_RATE_LIMIT_ENABLED="false", PG_MCP_LOG_LEVEL="WARNING"
        )
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(stdio_client(env)) for _ in range(args.clients)
            ]
            await asyncio.gather(*(warm_up(c) for c in clients))
            pids = child_pids("bootstrap")
            start = {pid: rss_mib(pid) for pid in sorted(pids)}
            began = time.perf_counter()
            deadline = began + args.seconds
            await asyncio.gather(*(call_until(c, deadline, tally) for c in clients))
            elapsed = time.perf_counter() - began
            end = {pid: rss_mib(pid) for pid in sorted(pids)}
            held = await backends(admin_dsn, database)
        leaked = await backends(admin_dsn, database, wait=LEAK_WAIT)
    report(
        args, tally, Memory(start=start, end=end), Connections(held=held, leaked=leaked), elapsed
    )


def main() -> None:
    """Parse the arguments and soak a fresh shop database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--llm-delay", type=float, default=0.3)
    args = parser.parse_args()
    with running_cluster() as admin:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        asyncio.run(soak(args, admin, dsn))


if __name__ == "__main__":
    main()
