"""SIGTERM while a call is in flight: the call still gets its rows, new connections are
refused, and the process exits 0.

The call is held inside PostgreSQL by a table lock the test owns, so every step is an event:
the call is seen waiting in pg_stat_activity, the server logs that it stopped listening, the
test releases the lock.
"""

import json
import signal
from collections.abc import AsyncIterator, Iterator

import anyio
import asyncpg
import httpx2
import pytest

from tests.e2e.stdio import server_env
from tests.http.serving import HttpServer, http_server, post_mcp, tool_call, wait_for_message
from tests.pg import FIXTURES, admin_execute, create_database

HELD = "SELECT answer FROM held_open"
STOPPED_LISTENING = "no longer accepting connections"
DRAINING = "Waiting for connections to close"


@pytest.fixture(scope="module")
def own_dsn(pg_admin_dsn: str) -> str:
    dsn = create_database(pg_admin_dsn, (FIXTURES / "shop_schema.sql",), prefix="shutdown")
    anyio.run(admin_execute, dsn, "CREATE TABLE held_open AS SELECT 42 AS answer")
    return dsn


@pytest.fixture
def server(own_dsn: str) -> Iterator[HttpServer]:
    # Generous limits, so that only the test's own steps decide when the call ends.
    env = server_env(own_dsn, None, PG_MCP_HTTP_SHUTDOWN_GRACE="600", PG_MCP_QUERY_TIMEOUT="600")
    with http_server(env) as running:
        yield running


@pytest.fixture
async def table_lock(own_dsn: str) -> AsyncIterator["asyncpg.Connection[asyncpg.Record]"]:
    """A transaction holding ACCESS EXCLUSIVE on held_open: readers wait until it ends."""
    holder = await asyncpg.connect(own_dsn)
    try:
        await holder.execute("BEGIN; LOCK TABLE held_open IN ACCESS EXCLUSIVE MODE")
        yield holder
    finally:
        await holder.close()


async def _waiting_on_the_lock(holder: "asyncpg.Connection[asyncpg.Record]") -> None:
    """Return once a pg-mcp backend is blocked by the test's lock (polled, bounded)."""
    # Blocked while it parses (extended protocol), its pg_stat_activity.query is still empty:
    # who blocks whom is the reliable sign.
    blocked = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = 'pg-mcp' AND $1 = ANY(pg_blocking_pids(pid))"
    )
    # PostgreSQL signals no event for "now blocked": the catalog is polled. Inside the holder's
    # transaction pg_stat_activity is read once, so each poll clears that snapshot first: the
    # call may run on a backend the pool opened after the first poll.
    with anyio.fail_after(120):
        while True:
            await holder.execute("SELECT pg_catalog.pg_stat_clear_snapshot()")
            if await holder.fetchval(blocked, holder.get_server_pid()):
                return
            await anyio.sleep(0.05)


@pytest.mark.anyio
async def test_a_call_in_flight_at_sigterm_is_answered_new_connections_refused_exit_0(
    server: HttpServer, table_lock: "asyncpg.Connection[asyncpg.Record]"
) -> None:
    replies: list[httpx2.Response] = []

    async def ask() -> None:
        # A raw POST: its connection is open before SIGTERM, as a call in flight's would be.
        body = tool_call("query", query=HELD)
        replies.append(await post_mcp(server.url, body, **{"MCP-Protocol-Version": "2025-06-18"}))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(ask)
        await _waiting_on_the_lock(table_lock)
        server.process.send_signal(signal.SIGTERM)
        await anyio.to_thread.run_sync(
            wait_for_message, server.lines, server.stderr, STOPPED_LISTENING
        )
        with pytest.raises(httpx2.ConnectError):
            await post_mcp(server.url, tool_call("query", query="SELECT 1"))
        # uvicorn's drain has begun: from here only the grace period keeps the call alive.
        await anyio.to_thread.run_sync(wait_for_message, server.lines, server.stderr, DRAINING)
        await table_lock.execute("COMMIT")

    (reply,) = replies
    assert reply.status_code == 200
    data = next(line for line in reply.text.splitlines() if line.startswith("data:"))
    result = json.loads(data.removeprefix("data:"))["result"]
    assert result["isError"] is False, result["content"]
    assert result["structuredContent"]["rows"] == [[42]]
    assert await anyio.to_thread.run_sync(server.process.wait, 60) == 0
