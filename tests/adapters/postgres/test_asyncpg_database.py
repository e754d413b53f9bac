from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, calls_ended, open_pool
from domain.errors import ErrorCode, PgMcpError, SqlExecutionFailed
from domain.models import ColumnInfo
from tests.pg import create_database

pool_for = asynccontextmanager(open_pool)


@pytest.fixture
async def pool(shop_dsn: str) -> AsyncIterator[asyncpg.Pool[asyncpg.Record]]:
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn, pool_min=1, pool_max=2)) as pool:
        yield pool


@pytest.fixture
def shop(pool: asyncpg.Pool[asyncpg.Record]) -> AsyncpgDatabase:
    return AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock())


async def error_of(call: Awaitable[object]) -> PgMcpError:
    with pytest.raises(PgMcpError) as caught:
        async with asyncio.timeout(10):
            await call
    return caught.value


async def scalar(dsn: str, sql: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def backends_running(admin_dsn: str, text: str) -> int:
    sql = (
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
        f"AND pid <> pg_backend_pid() AND query LIKE '%{text}%'"
    )
    count = await scalar(admin_dsn, sql)
    assert isinstance(count, int)
    return count


async def until_running(admin_dsn: str, text: str) -> None:
    for _ in range(500):  # the caller's asyncio.timeout bounds the wait
        if await backends_running(admin_dsn, text):
            return
        await asyncio.sleep(0.01)


async def until_gone(admin_dsn: str, text: str) -> None:
    for _ in range(500):  # the caller's asyncio.timeout bounds the wait
        if not await backends_running(admin_dsn, text):
            return
        await asyncio.sleep(0.01)


@pytest.mark.anyio
async def test_fetch_returns_named_typed_columns_and_rendered_rows(shop: AsyncpgDatabase) -> None:
    result = await shop.fetch(
        "SELECT id, sku, price FROM public.products WHERE id <= 2 ORDER BY id",
        max_rows=10,
        timeout=5,
    )

    assert result.columns == (
        ColumnInfo(name="id", type="int4"),
        ColumnInfo(name="sku", type="text"),
        ColumnInfo(name="price", type="numeric"),
    )
    assert result.rows == ((1, "SKU-1", "42.00"), (2, "SKU-2", "79.00"))
    assert not result.truncated


@pytest.mark.anyio
async def test_ten_million_rows_are_cut_to_max_rows_and_marked_truncated_quickly(
    shop: AsyncpgDatabase,
) -> None:
    started = time.monotonic()

    result = await shop.fetch("SELECT generate_series(1, 10000000) AS n", max_rows=100, timeout=5)

    assert time.monotonic() - started < 1.0
    assert result.rows == tuple((n,) for n in range(1, 101))
    assert result.truncated


@pytest.mark.anyio
async def test_exactly_max_rows_rows_are_not_marked_truncated(shop: AsyncpgDatabase) -> None:
    result = await shop.fetch("SELECT generate_series(1, 100) AS n", max_rows=100, timeout=5)

    assert result.row_count == 100
    assert not result.truncated


@pytest.mark.anyio
async def test_slow_query_times_out_with_err_010_and_leaves_no_backend_running(
    shop: AsyncpgDatabase, pg_admin_dsn: str
) -> None:
    started = time.monotonic()

    error = await error_of(shop.fetch("SELECT pg_sleep(5) AS slow_a", max_rows=1, timeout=0.5))

    assert error.code is ErrorCode.QUERY_TIMEOUT
    assert time.monotonic() - started < 2.0
    assert await backends_running(pg_admin_dsn, "slow_a") == 0


@pytest.mark.anyio
async def test_a_silent_server_is_hung_up_on_with_err_010_and_its_backend_ends(
    shop: AsyncpgDatabase, pool: asyncpg.Pool[asyncpg.Record], pg_admin_dsn: str
) -> None:
    task = asyncio.create_task(shop.fetch("SELECT pg_sleep(30) AS slow_d", max_rows=1, timeout=0.5))
    async with asyncio.timeout(15):
        await until_running(pg_admin_dsn, "slow_d")
        pid = await scalar(
            pg_admin_dsn,
            "SELECT pid FROM pg_stat_activity "
            "WHERE query LIKE '%slow_d%' AND pid <> pg_backend_pid()",
        )
        assert isinstance(pid, int)
        try:
            os.kill(pid, signal.SIGSTOP)  # neither statement_timeout nor a cancel can run now
        except (ProcessLookupError, PermissionError):
            task.cancel()
            pytest.skip("the PostgreSQL backend is not a local process")
        try:
            error = await error_of(task)
        finally:
            os.kill(pid, signal.SIGCONT)
        await until_gone(pg_admin_dsn, "slow_d")
        after = await shop.fetch("SELECT 1 AS ok", max_rows=1, timeout=5)
        await calls_ended()

    assert error.code is ErrorCode.QUERY_TIMEOUT
    assert after.rows == ((1,),)
    assert pool.get_idle_size() == pool.get_size()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM public.canary RETURNING *",
        "WITH gone AS (DELETE FROM public.canary RETURNING *) SELECT * FROM gone",
        "UPDATE public.canary SET note = 'changed' RETURNING id",
        "SELECT id FROM public.canary FOR UPDATE",
        "SELECT nextval('public.customers_id_seq')",
    ],
)
async def test_a_write_that_reaches_the_server_is_refused_with_err_005_and_changes_nothing(
    fresh_shop_dsn: str, sql: str
) -> None:
    async with pool_for(PoolConfig(name="x", dsn=fresh_shop_dsn)) as pool:
        database = AsyncpgDatabase(name="x", pool=pool, clock=FakeClock())

        error = await error_of(database.fetch(sql, max_rows=10, timeout=5))

    assert error.code is ErrorCode.SQL_SECURITY
    assert error.details() == {"rule": "read_only_transaction"}
    assert (
        await scalar(fresh_shop_dsn, "SELECT note FROM public.canary WHERE id = 1") == "untouched"
    )
    assert await scalar(fresh_shop_dsn, "SELECT last_value FROM customers_id_seq") == 200


@pytest.mark.anyio
async def test_several_statements_are_refused_by_the_extended_protocol_and_change_nothing(
    fresh_shop_dsn: str,
) -> None:
    async with pool_for(PoolConfig(name="x", dsn=fresh_shop_dsn)) as pool:
        database = AsyncpgDatabase(name="x", pool=pool, clock=FakeClock())

        error = await error_of(
            database.fetch("SELECT 1; DELETE FROM public.canary", max_rows=10, timeout=5)
        )

    assert error.code is ErrorCode.SQL_EXECUTION
    assert isinstance(error, SqlExecutionFailed)
    assert error.sqlstate == "42601"
    assert await scalar(fresh_shop_dsn, "SELECT count(*) FROM public.canary") == 1


@pytest.mark.anyio
async def test_unknown_column_fails_with_42703_and_postgresql_own_message_and_hint(
    shop: AsyncpgDatabase, shop_dsn: str
) -> None:
    sql = "SELECT nme FROM public.customers"
    with pytest.raises(asyncpg.exceptions.UndefinedColumnError) as direct:
        await scalar(shop_dsn, sql)

    error = await error_of(shop.fetch(sql, max_rows=10, timeout=5))

    assert isinstance(error, SqlExecutionFailed)
    assert error.code is ErrorCode.SQL_EXECUTION
    assert error.sqlstate == "42703"
    assert error.message == direct.value.message
    assert error.hint is not None
    assert error.hint == direct.value.hint


@pytest.mark.anyio
async def test_a_huge_value_quoted_in_an_error_comes_back_shortened(shop: AsyncpgDatabase) -> None:
    sql = "SELECT ('x' || repeat('y', 150000))::int AS n"

    error = await error_of(shop.fetch(sql, max_rows=1, timeout=5))

    assert isinstance(error, SqlExecutionFailed)
    assert error.message.startswith('invalid input syntax for type integer: "xyyy')
    assert error.message.endswith("more characters)")
    assert len(error.message) < 600


@pytest.mark.anyio
async def test_explain_returns_cost_rows_and_a_readable_plan_without_running_the_query(
    fresh_shop_dsn: str,
) -> None:
    async with pool_for(PoolConfig(name="x", dsn=fresh_shop_dsn)) as pool:
        database = AsyncpgDatabase(name="x", pool=pool, clock=FakeClock())
        plan = await database.explain(
            "SELECT c.name, count(*) FROM public.customers c "
            "JOIN public.orders o ON o.customer_id = c.id GROUP BY c.name",
            timeout=5,
        )
        delete_plan = await database.explain("DELETE FROM public.canary", timeout=5)

    assert plan.total_cost > 0
    assert plan.plan_rows > 0
    assert plan.plan["Total Cost"] == plan.total_cost
    lines = plan.text.splitlines()
    assert "(cost=" in lines[0]
    assert any("on orders o" in line for line in lines[1:])
    assert any(line.lstrip().startswith("-> ") for line in lines)
    assert delete_plan.text.startswith("Delete on canary")
    assert await scalar(fresh_shop_dsn, "SELECT count(*) FROM public.canary") == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://pgmcp:s3cret-pw@127.0.0.1:1/shop",
        "postgresql://pgmcp:s3cret-pw@/shop?host=/nonexistent/socket/dir",
    ],
)
async def test_unreachable_database_starts_then_reports_err_001_without_the_password(
    dsn: str,
) -> None:
    config = PoolConfig(name="shop", dsn=dsn, acquire_timeout=2)
    async with pool_for(config) as pool:
        database = AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock())

        errors = [
            await error_of(database.fetch("SELECT 1", max_rows=1, timeout=1)),
            await error_of(database.explain("SELECT 1", timeout=1)),
            await error_of(database.introspect()),
        ]

    for error in errors:
        assert error.code is ErrorCode.DATABASE_CONNECTION
        assert "s3cret-pw" not in f"{error} {error.details()}"


@pytest.mark.anyio
async def test_connections_return_to_the_pool_after_errors_timeouts_and_cancellation(
    shop: AsyncpgDatabase, pool: asyncpg.Pool[asyncpg.Record], pg_admin_dsn: str
) -> None:
    failing = [
        shop.fetch("SELECT nope", max_rows=1, timeout=5),
        shop.fetch("DELETE FROM public.canary", max_rows=1, timeout=5),
        shop.fetch("SELECT pg_sleep(5) AS slow_b", max_rows=1, timeout=0.3),
        shop.fetch("SELECT 1; SELECT 2", max_rows=1, timeout=5),
    ]
    async with asyncio.timeout(10):
        outcomes = await asyncio.gather(*failing, return_exceptions=True)
        assert all(isinstance(outcome, PgMcpError) for outcome in outcomes)
        task = asyncio.create_task(
            shop.fetch("SELECT pg_sleep(5) AS slow_c", max_rows=1, timeout=9)
        )
        await until_running(pg_admin_dsn, "slow_c")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert await backends_running(pg_admin_dsn, "slow_c") == 0
        assert pool.get_idle_size() == pool.get_size()
        both = await asyncio.gather(*(shop.fetch("SELECT 1", max_rows=1, timeout=5) for _ in "ab"))
    assert [result.rows for result in both] == [((1,),), ((1,),)]


@pytest.fixture
def planted_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    """A database whose default search_path puts a look-alike upper() before the built-in."""
    planted = tmp_path / "planted.sql"
    planted.write_text(
        "CREATE FUNCTION public.upper(text) RETURNS text LANGUAGE sql AS $$ SELECT 'planted' $$;"
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = public, pg_catalog',"
        " current_database()); END $$;"
    )
    return create_database(pg_admin_dsn, (planted,), prefix="planted")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("search_path", "expected"), [(("pg_catalog", "public"), "A"), (None, "planted")]
)
async def test_default_search_path_resolves_builtins_before_a_planted_look_alike(
    planted_dsn: str, search_path: tuple[str, ...] | None, expected: str
) -> None:
    async with pool_for(PoolConfig(name="p", dsn=planted_dsn)) as pool:
        database = AsyncpgDatabase(name="p", pool=pool, clock=FakeClock(), search_path=search_path)

        result = await database.fetch("SELECT upper('a'::text) AS up", max_rows=1, timeout=5)

    assert result.rows == ((expected,),)
