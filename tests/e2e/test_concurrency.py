"""Many calls at once, per-session rate limits, and clients that give up on a running query."""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TypeAlias
from urllib.parse import urlsplit

import anyio
import asyncpg
import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import REQUEST_TIMEOUT

from adapters.postgres.pool import calls_ended
from bootstrap.runtime import resolve
from tests.e2e.fault_harness import (
    error_code,
    fault_settings,
    outcome,
    running_backends,
    served,
    server_backends,
    wait_until_no_backend_runs,
)
from tests.e2e.stdio import server_env, stdio_client
from tests.pg import create_database

POOL_MAX = 5
CALLS = 200
# Enough work that calls overlap and queue for the five connections.
BUSY_SQL = "SELECT count(*) AS n FROM generate_series(1, 20000) AS g"
# A unique literal, so that pg_stat_activity shows which backend runs it.
ENDLESS_SQL = "SELECT count(*) FROM generate_series(1, 10000000011) AS g"
ENDLESS_MARKER = "10000000011"
NO_LIMIT = {"enabled": False}
Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


@pytest.fixture(scope="module")
def busy_dsn(pg_admin_dsn: str) -> str:
    return create_database(pg_admin_dsn, (), prefix="busy")


@pytest.fixture
def database(busy_dsn: str) -> str:
    return urlsplit(busy_dsn).path.lstrip("/")


async def _idle_afterwards(admin_dsn: str, database: str, pool: Pool) -> None:
    # A reply goes out before its read-only COMMIT: the last few may still be ending.
    await calls_ended()
    states = Counter(b["state"] for b in await server_backends(admin_dsn, database))
    assert states["active"] == 0, states
    assert states["idle in transaction"] == 0, states
    assert states["idle in transaction (aborted)"] == 0, states
    assert 1 <= pool.get_size() <= POOL_MAX
    assert pool.get_idle_size() == pool.get_size()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("rate_limit", "expected"),
    [
        (NO_LIMIT, {"ok": CALLS}),
        # The warm-up call is the first of the 50.
        ({"requests": 50, "window": 60}, {"ok": 49, "ERR_009": CALLS - 49}),
    ],
    ids=["unlimited", "50-per-window"],
)
async def test_two_hundred_concurrent_queries_on_five_connections_all_finish_and_return_them(
    pg_admin_dsn: str,
    busy_dsn: str,
    database: str,
    rate_limit: dict[str, object],
    expected: dict[str, int],
) -> None:
    pool = {"pool_min": 1, "pool_max": POOL_MAX, "pool_acquire_timeout": 30.0}
    settings = fault_settings(busy_dsn, pool=pool, rate_limit=rate_limit)
    async with served(settings) as s:
        assert not (await s.client.call_tool("query", {"query": "SELECT 1 AS one"})).is_error

        async with asyncio.timeout(60):
            results = await asyncio.gather(
                *(s.client.call_tool("query", {"query": BUSY_SQL}) for _ in range(CALLS))
            )

        assert Counter(outcome(r) for r in results) == expected
        assert all(r.structured_content["rows"] == [[20000]] for r in results if not r.is_error)
        pools = await resolve(s.container.pools)
        await _idle_afterwards(pg_admin_dsn, database, pools["default"])


@pytest.mark.anyio
async def test_the_fourth_call_within_the_window_is_err_009_with_retry_after(
    busy_dsn: str,
) -> None:
    settings = fault_settings(busy_dsn, rate_limit={"requests": 3, "window": 60})
    async with served(settings) as s:
        for _ in range(3):
            assert not (await s.client.call_tool("query", {"query": "SELECT 1 AS one"})).is_error
        limited = await s.client.call_tool("query", {"query": "SELECT 1 AS one"})

    assert error_code(limited) == "ERR_009"
    assert limited.structured_content is not None
    assert 0 < limited.structured_content["error"]["retry_after"] <= 60


@pytest.mark.anyio
async def test_with_rate_limiting_off_ten_calls_pass(busy_dsn: str) -> None:
    settings = fault_settings(busy_dsn, rate_limit=NO_LIMIT | {"requests": 3})
    async with served(settings) as s:
        results = [
            await s.client.call_tool("query", {"query": "SELECT 1 AS one"}) for _ in range(10)
        ]

    assert [outcome(r) for r in results] == ["ok"] * 10


async def _wait_until_running(admin_dsn: str, database: str) -> None:
    async with asyncio.timeout(10):
        # Polling another process: there is no event to await.
        while not await running_backends(admin_dsn, database, ENDLESS_MARKER):  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def _give_up_while_running(
    admin_dsn: str, database: str, give_up: Callable[[], Awaitable[None]]
) -> float:
    """Run `give_up` once the endless query is seen running; seconds until no backend runs it."""
    seen = anyio.Event()

    async def watch() -> None:
        await _wait_until_running(admin_dsn, database)
        seen.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(watch)
        await give_up()
    assert seen.is_set()
    return await wait_until_no_backend_runs(admin_dsn, database, ENDLESS_MARKER)


@pytest.mark.anyio
async def test_a_client_that_times_out_a_running_query_leaves_no_backend_running_it(
    pg_admin_dsn: str, busy_dsn: str, database: str
) -> None:
    settings = fault_settings(busy_dsn, query={"query_timeout": 60.0}, rate_limit=NO_LIMIT)
    async with served(settings) as s:
        assert not (await s.client.call_tool("query", {"query": "SELECT 1 AS one"})).is_error

        async def give_up() -> None:
            with pytest.raises(MCPError) as timed_out:
                await s.client.call_tool("query", {"query": ENDLESS_SQL}, read_timeout_seconds=1)
            assert timed_out.value.code == REQUEST_TIMEOUT

        await _give_up_while_running(pg_admin_dsn, database, give_up)


@pytest.mark.anyio
async def test_a_stdio_client_that_cancels_a_running_query_leaves_no_backend_running_it(
    pg_admin_dsn: str, busy_dsn: str, database: str
) -> None:
    env = server_env(busy_dsn, None, PG_MCP_QUERY_TIMEOUT="60", PG_MCP_RATE_LIMIT_ENABLED="false")
    async with stdio_client(env) as client:
        assert not (await client.call_tool("query", {"query": "SELECT 1 AS one"})).is_error

        async def give_up() -> None:
            # Leaving the scope cancels call_tool, which sends notifications/cancelled.
            with anyio.move_on_after(1.5) as scope:
                await client.call_tool("query", {"query": ENDLESS_SQL})
            assert scope.cancelled_caught

        await _give_up_while_running(pg_admin_dsn, database, give_up)


@pytest.mark.anyio
async def test_over_stdio_the_fourth_call_within_the_window_is_err_009(busy_dsn: str) -> None:
    env = server_env(busy_dsn, None, PG_MCP_RATE_LIMIT_REQUESTS="3", PG_MCP_RATE_LIMIT_WINDOW="60")
    async with stdio_client(env) as client:
        results = [await client.call_tool("query", {"query": "SELECT 1 AS one"}) for _ in range(4)]

    assert [outcome(r) for r in results] == ["ok", "ok", "ok", "ERR_009"]
    assert results[-1].structured_content is not None
    assert results[-1].structured_content["error"]["retry_after"] > 0
