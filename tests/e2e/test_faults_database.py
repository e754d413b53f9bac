"""Real database faults through the `query` tool: a restart, an outage, a runaway query."""

import asyncio
import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from adapters.memory.fake_clock import FakeClock
from tests.e2e.fault_harness import (
    error_code,
    fault_settings,
    served,
    wait_until_no_backend_runs,
)
from tests.e2e.own_cluster import PrivateCluster, private_cluster
from tests.pg import create_database

# Small but real: each retry waits about 50 ms, and a connection attempt gives up after 1 s.
POOL = {"pool_min": 2, "pool_max": 3, "pool_acquire_timeout": 1.0}
RETRY = {"max_attempts": 2, "base_delay": 0.05, "max_delay": 0.1}
OPEN_SECONDS = 30.0
FAILURE_THRESHOLD = 2
CIRCUIT = {"failure_threshold": FAILURE_THRESHOLD, "open_seconds": OPEN_SECONDS}
NO_LIMIT = {"enabled": False}
# A unique literal, so that pg_stat_activity shows which backend runs it.
SLOW_SQL = "SELECT count(*) FROM generate_series(1, 10000000007) AS g"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    with private_cluster() as cluster:
        yield cluster


@pytest.fixture
def running(cluster: PrivateCluster) -> Iterator[PrivateCluster]:
    """The private cluster, started again after the test whatever the test did to it."""
    yield cluster
    if not cluster.running:
        cluster.start()


@pytest.fixture(scope="module")
def slow_dsn(pg_admin_dsn: str) -> str:
    return create_database(pg_admin_dsn, (), prefix="slow")


@pytest.mark.anyio
@pytest.mark.parametrize("noticed", [True, False], ids=["loop-running", "loop-blocked"])
async def test_the_next_query_after_a_postgres_restart_succeeds(
    running: PrivateCluster, noticed: bool
) -> None:
    settings = fault_settings(
        running.dsn, pool=POOL, retry=RETRY, circuit=CIRCUIT, rate_limit=NO_LIMIT
    )
    async with served(settings) as s:
        before = await s.client.call_tool("query", {"query": "SELECT 1 AS one"})
        assert not before.is_error, before.content

        if noticed:
            # asyncpg sees the pooled connections close and replaces them on the next acquire.
            await asyncio.to_thread(running.restart)
        else:
            # The loop is blocked, so the next query meets a dead connection: a retry saves it.
            running.restart()
        async with asyncio.timeout(10):
            after = await s.client.call_tool("query", {"query": "SELECT 2 AS two"})

    assert not after.is_error, after.content
    assert after.structured_content is not None
    assert after.structured_content["rows"] == [[2]]


@pytest.mark.anyio
async def test_a_stopped_postgres_is_err_001_then_fails_fast_then_recovers(
    running: PrivateCluster,
) -> None:
    clock = FakeClock()
    settings = fault_settings(
        running.dsn, pool=POOL, retry=RETRY, circuit=CIRCUIT, rate_limit=NO_LIMIT
    )
    async with served(settings, clock=clock) as s:
        call = {"query": "SELECT 1 AS one"}
        assert not (await s.client.call_tool("query", call)).is_error

        await asyncio.to_thread(running.stop)
        for _ in range(FAILURE_THRESHOLD):
            started = time.monotonic()
            async with asyncio.timeout(10):
                down = await s.client.call_tool("query", call)
            assert error_code(down) == "ERR_001"
            assert time.monotonic() - started < 3.0

        # The circuit is open: no connection attempt, no retry, and a word on when to retry.
        for _ in range(5):
            started = time.monotonic()
            refused = await s.client.call_tool("query", call)
            assert time.monotonic() - started < 0.1
            assert error_code(refused) == "ERR_001"
            assert refused.structured_content is not None
            message = refused.structured_content["error"]["message"]
            assert re.search(rf"next attempt in {OPEN_SECONDS:g} s", message), message

        await asyncio.to_thread(running.start)
        still_open = await s.client.call_tool("query", call)
        assert error_code(still_open) == "ERR_001"

        clock.advance(OPEN_SECONDS)
        async with asyncio.timeout(10):
            trial = await s.client.call_tool("query", call)
            closed_again = await s.client.call_tool("query", {"query": "SELECT 3 AS three"})

    assert not trial.is_error, trial.content
    assert not closed_again.is_error, closed_again.content
    assert closed_again.structured_content is not None
    assert closed_again.structured_content["rows"] == [[3]]


@pytest.mark.anyio
async def test_a_slow_query_is_err_010_after_the_timeout_and_leaves_no_backend_running(
    pg_admin_dsn: str, slow_dsn: str
) -> None:
    settings = fault_settings(slow_dsn, query={"query_timeout": 1.0}, rate_limit=NO_LIMIT)
    async with served(settings) as s:
        assert not (await s.client.call_tool("query", {"query": "SELECT 1 AS one"})).is_error

        async with asyncio.timeout(10):
            result = await s.client.call_tool("query", {"query": SLOW_SQL})

        assert error_code(result) == "ERR_010"
        database = urlsplit(slow_dsn).path.lstrip("/")
        await wait_until_no_backend_runs(pg_admin_dsn, database, "10000000007")
