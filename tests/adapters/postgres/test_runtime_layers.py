"""The layers behind the safety policy, on the real server: role, size and cost caps, limits
that end with the transaction, and what a read-only transaction does not stop."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg
import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from domain.errors import ErrorCode, PgMcpError, SqlExecutionFailed, UnsafeSql
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy

pool_for = asynccontextmanager(open_pool)
Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


@pytest.fixture
async def shop_pool(shop_dsn: str) -> AsyncIterator[Pool]:
    """One connection only, so that a later call surely reuses the connection of an earlier one."""
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn, pool_min=1, pool_max=1)) as pool:
        yield pool


@pytest.fixture
async def fresh_pool(fresh_shop_dsn: str) -> AsyncIterator[Pool]:
    config = PoolConfig(name="shop", dsn=fresh_shop_dsn, pool_min=1, pool_max=1)
    async with pool_for(config) as pool:
        yield pool


def database(pool: Pool, **options: object) -> AsyncpgDatabase:
    return AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock(), **options)  # type: ignore[arg-type]


async def error_of(call: Awaitable[object]) -> PgMcpError:
    with pytest.raises(PgMcpError) as caught:
        async with asyncio.timeout(10):
            await call
    return caught.value


async def on_the_pooled_connection(pool: Pool, sql: str) -> asyncpg.Record:
    async with asyncio.timeout(10), pool.acquire() as conn:
        row = await conn.fetchrow(sql)
    assert row is not None
    return row


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture
async def reader(fresh_shop_dsn: str) -> str:
    """A role that may read customers only; its name needs quoting (case, space, quote)."""
    name = f'Reader "{uuid.uuid4().hex[:8]}"'
    conn = await asyncpg.connect(fresh_shop_dsn)
    try:
        async with asyncio.timeout(10):
            await conn.execute(f"CREATE ROLE {quoted(name)} NOLOGIN")
            await conn.execute(f"GRANT SELECT ON customers TO {quoted(name)}")
    finally:
        await conn.close()
    return name


@pytest.mark.anyio
async def test_with_a_role_a_table_it_may_not_read_fails_with_err_005_insufficient_privilege(
    fresh_pool: Pool, reader: str
) -> None:
    error = await error_of(
        database(fresh_pool, role=reader).fetch("SELECT * FROM public.users", max_rows=5, timeout=5)
    )

    assert error.code is ErrorCode.SQL_SECURITY
    assert isinstance(error, UnsafeSql)
    assert error.rule == "insufficient_privilege"


@pytest.mark.anyio
async def test_with_a_role_a_granted_table_is_read_as_that_role(
    fresh_pool: Pool, reader: str
) -> None:
    result = await database(fresh_pool, role=reader).fetch(
        "SELECT current_user::text, count(*) FROM public.customers", max_rows=5, timeout=5
    )

    assert result.rows == ((reader, 200),)


@pytest.mark.anyio
async def test_the_role_ends_with_the_transaction(fresh_pool: Pool, reader: str) -> None:
    await database(fresh_pool, role=reader).fetch("SELECT 1", max_rows=1, timeout=5)

    row = await on_the_pooled_connection(fresh_pool, "SELECT current_user = session_user")

    assert row[0] is True


@pytest.mark.parametrize("role", ["", "r" * 64, "bad\x00role"])
def test_a_name_that_cannot_be_a_role_is_refused_when_the_adapter_is_built(role: str) -> None:
    with pytest.raises(ValueError, match="role"):
        AsyncpgDatabase(name="shop", pool=None, clock=FakeClock(), role=role)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_byte_cap_cuts_1000_rows_of_1kb_to_what_fits_in_50kb_and_marks_truncated(
    shop_pool: Pool,
) -> None:
    shop = database(shop_pool, max_result_bytes=50_000)

    result = await shop.fetch(
        "SELECT repeat('x', 1000) FROM generate_series(1, 1000)", max_rows=1000, timeout=5
    )

    assert result.truncated
    assert 45 <= result.row_count <= 49
    assert len(json.dumps(result.rows, separators=(",", ":"))) <= 50_000


@pytest.mark.anyio
async def test_a_result_within_the_byte_cap_is_whole_and_the_row_cap_still_applies(
    shop_pool: Pool,
) -> None:
    shop = database(shop_pool, max_result_bytes=50_000)

    whole = await shop.fetch("SELECT id FROM public.customers", max_rows=1000, timeout=5)
    capped = await shop.fetch("SELECT id FROM public.customers", max_rows=20, timeout=5)

    assert (whole.row_count, whole.truncated) == (200, False)
    assert (capped.row_count, capped.truncated) == (20, True)


@pytest.mark.anyio
async def test_a_first_row_larger_than_the_byte_cap_fails_with_err_006_and_a_hint(
    shop_pool: Pool,
) -> None:
    shop = database(shop_pool, max_result_bytes=50_000)

    sql = "SELECT repeat('x', 30000), repeat('y', 30000)"  # each value fits, the row does not

    error = await error_of(shop.fetch(sql, max_rows=10, timeout=5))

    assert error.code is ErrorCode.SQL_EXECUTION
    assert isinstance(error, SqlExecutionFailed)
    assert error.hint


@pytest.mark.anyio
async def test_a_query_the_planner_prices_above_the_cost_cap_is_refused_before_it_runs(
    shop_pool: Pool,
) -> None:
    shop = database(shop_pool, max_query_cost=1_000_000)
    # Run, this would take hours and end in ERR_010; refused first, it returns at once.
    sql = "SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 100000000) b"

    error = await error_of(shop.fetch(sql, max_rows=10, timeout=5))

    assert error.code is ErrorCode.SQL_SECURITY
    assert isinstance(error, UnsafeSql)
    assert error.rule == "max_query_cost"


@pytest.mark.anyio
async def test_a_query_priced_under_the_cost_cap_runs(shop_pool: Pool) -> None:
    shop = database(shop_pool, max_query_cost=1_000_000)

    result = await shop.fetch("SELECT count(*) FROM public.customers", max_rows=10, timeout=5)

    assert result.rows == ((200,),)


SETTINGS = (
    "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), "
    "current_setting('idle_in_transaction_session_timeout'), current_setting('search_path')"
)


@pytest.mark.anyio
async def test_timeouts_and_search_path_hold_inside_the_transaction_and_end_with_it(
    shop_pool: Pool,
) -> None:
    inside = await database(shop_pool).fetch(SETTINGS, max_rows=1, timeout=2.5)
    after = await on_the_pooled_connection(shop_pool, SETTINGS)

    assert inside.rows == (("2500ms", "2500ms", "5s", "pg_catalog, pg_temp"),)
    assert tuple(after) == ("0", "0", "0", '"$user", public')


# Writes that reach the server (the safety policy is not in play here): READ ONLY stops them.
WRITES = [
    "INSERT INTO public.canary VALUES (2, 'x')",
    "CREATE TEMP TABLE scratch AS SELECT 1 AS one",
    "SELECT nextval('public.customers_id_seq')",
    "SELECT lo_create(0)",
    "WITH gone AS (DELETE FROM public.canary RETURNING *) SELECT count(*) FROM gone",
]


@pytest.mark.anyio
@pytest.mark.parametrize("sql", WRITES)
async def test_a_write_that_slips_past_the_policy_is_stopped_with_err_005_read_only(
    fresh_pool: Pool, sql: str
) -> None:
    error = await error_of(database(fresh_pool).fetch(sql, max_rows=5, timeout=5))

    assert error.code is ErrorCode.SQL_SECURITY
    assert isinstance(error, UnsafeSql)
    assert error.rule == "read_only_transaction"
    assert tuple(
        await on_the_pooled_connection(fresh_pool, "SELECT count(*) FROM public.canary")
    ) == (1,)


@pytest.mark.anyio
async def test_session_settings_changed_from_sql_are_reset_when_the_connection_returns(
    fresh_pool: Pool,
) -> None:
    sql = (
        "SELECT set_config('default_transaction_read_only', 'off', false), "
        "set_config('application_name', 'evil', false)"
    )
    await database(fresh_pool).fetch(sql, max_rows=1, timeout=5)

    row = await on_the_pooled_connection(
        fresh_pool,
        "SELECT current_setting('default_transaction_read_only'), "
        "current_setting('application_name')",
    )
    assert tuple(row) == ("on", "pg-mcp")
    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        async with asyncio.timeout(10), fresh_pool.acquire() as conn:
            await conn.execute("INSERT INTO public.canary VALUES (3, 'x')")


@pytest.mark.anyio
async def test_a_session_advisory_lock_is_released_when_the_connection_returns(
    shop_pool: Pool, shop_dsn: str
) -> None:
    await database(shop_pool).fetch("SELECT pg_advisory_lock(4242)", max_rows=1, timeout=5)

    other = await asyncpg.connect(shop_dsn)
    try:
        async with asyncio.timeout(10):
            assert await other.fetchval("SELECT pg_try_advisory_lock(4242)") is True
    finally:
        await other.close()


# What READ ONLY lets through, with what it would do: only the safety policy stops these.
SLIPS_THROUGH = [
    "SELECT pg_advisory_lock(7)",  # holds a session lock until the pool resets the connection
    "SELECT pg_notify('pgmcp', 'hello')",  # wakes every listener on the channel
    "SELECT txid_current()",  # burns a transaction id
    "SELECT set_config('role', 'none', true)",  # leaves the least-privilege role
]


@pytest.mark.anyio
@pytest.mark.parametrize("sql", SLIPS_THROUGH)
async def test_what_a_read_only_transaction_lets_through_the_safety_policy_refuses(
    shop_pool: Pool, sql: str
) -> None:
    result = await database(shop_pool).fetch(sql, max_rows=1, timeout=5)

    assert result.row_count == 1
    with pytest.raises(UnsafeSql):
        SafetyPolicy(SafetyConfig()).check(sql)


@pytest.mark.anyio
async def test_sql_can_leave_the_role_so_the_role_backs_the_policy_and_does_not_replace_it(
    fresh_pool: Pool, reader: str
) -> None:
    # The tables a plan names are checked before it runs, but SQL that a function runs later
    # (ts_stat runs its text argument) is checked as whatever role is current by then.
    sql = (
        "SELECT w.word FROM set_config('role', 'none', true) AS r, LATERAL "
        "ts_stat('SELECT to_tsvector(''simple'', password) FROM public.users' || left(r, 0)) AS w"
    )

    result = await database(fresh_pool, role=reader).fetch(sql, max_rows=1, timeout=5)

    assert "hunter" in str(result.rows)
    with pytest.raises(UnsafeSql):
        SafetyPolicy(SafetyConfig()).check(sql)
