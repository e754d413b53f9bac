"""Load: N authenticated clients over streamable HTTP against R replicas, one Redis, one PostgreSQL.

Each client has its own static token (its own subject) and sends SQL back to back to the
replicas in turn (no model: this measures the server). Prints throughput, latency percentiles
and outcomes; then one more subject sends twice its limit spread over every replica, and the
count admitted shows the shared limit holding whichever replica a call reaches.
No assertions (shared, noisy machines). Run: python -m bench.http_load --clients 200 --seconds 60
"""

import argparse
import asyncio
import time
from collections import Counter
from contextlib import AsyncExitStack, ExitStack

from bench.soak import Tally, call_until, percentile
from tests.e2e.shop_workload import ANSWERS, outcome
from tests.e2e.stdio import server_env
from tests.http.serving import HttpServer, http_client, http_server
from tests.pg import FIXTURES, create_database, running_cluster
from tests.redis_server import running_redis

LIMIT = 300  # calls per subject per window; one load client stays under it at 5 calls/s
WINDOW = 60


def token(subject: str) -> str:
    """The static token of a subject (long enough for PG_MCP_AUTH_TOKENS)."""
    return f"bench-token-of-{subject}-0000000000"


async def load(replicas: list[HttpServer], clients: int, seconds: float) -> tuple[Tally, float]:
    """Open every client (spread over the replicas), then call until time is up."""
    tally = Tally()
    async with AsyncExitStack() as stack:
        opened = [
            await stack.enter_async_context(
                http_client(replicas[i % len(replicas)].url, token(f"user{i}"))
            )
            for i in range(clients)
        ]
        began = time.perf_counter()
        await asyncio.gather(*(call_until(c, began + seconds, tally, ANSWERS) for c in opened))
        elapsed = time.perf_counter() - began
    return tally, elapsed


async def shared_limit(replicas: list[HttpServer]) -> Counter[str]:
    """Twice the limit from one subject, round robin over the replicas: LIMIT should pass."""
    seen: Counter[str] = Counter()
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(http_client(r.url, token("limited"))) for r in replicas
        ]
        for i in range(2 * LIMIT):
            result = await clients[i % len(clients)].call_tool("query", {"query": "SELECT 1"})
            seen[outcome(result)] += 1
    return seen


def report(args: argparse.Namespace, tally: Tally, elapsed: float, limited: Counter[str]) -> None:
    """Print the figures."""
    ordered = sorted(tally.latencies)
    total = len(ordered)
    print(f"http load: {args.clients} clients, {args.replicas} replicas, {args.seconds:g} s")
    print(f"  calls       {total} in {elapsed:.1f} s  ({total / elapsed:.1f} calls/s)")
    print(f"  outcomes    {dict(sorted(tally.outcomes.items()))}")
    if ordered:
        figures = [(n, percentile(ordered, s)) for n, s in (("p50", 0.5), ("p99", 0.99))]
        shown = "  ".join(f"{n} {v * 1000:.0f} ms" for n, v in figures)
        print(f"  latency     {shown}  max {ordered[-1] * 1000:.0f} ms")
    print(
        f"  shared limit: {2 * LIMIT} calls of one subject over {args.replicas} replicas, "
        f"limit {LIMIT}/{WINDOW} s -> {dict(sorted(limited.items()))}"
    )


def main() -> None:
    """Start PostgreSQL, Redis and the replicas; load them; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    subjects = [f"user{i}" for i in range(args.clients)] + ["limited"]
    tokens = ", ".join(f'"{token(s)}": "{s}"' for s in subjects)
    with running_cluster() as admin, running_redis() as redis, ExitStack() as stack:
        dsn = create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bench")
        env = server_env(
            dsn,
            None,
            PG_MCP_AUTH_TOKENS="{" + tokens + "}",
            PG_MCP_REDIS_URL=redis.url,
            PG_MCP_RATE_LIMIT_REQUESTS=str(LIMIT),
            PG_MCP_RATE_LIMIT_WINDOW=str(WINDOW),
        )
        replicas = [stack.enter_context(http_server(env)) for _ in range(args.replicas)]
        tally, elapsed = asyncio.run(load(replicas, args.clients, args.seconds))
        limited = asyncio.run(shared_limit(replicas))
    report(args, tally, elapsed, limited)


if __name__ == "__main__":
    main()
