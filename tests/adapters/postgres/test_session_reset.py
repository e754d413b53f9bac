"""Whatever one call leaves in its session, the next call on the same pooled connection sees none.

The statements run through the adapter's own connection path (its read-only transaction),
bypassing the SQL gate, as a gap in the gate would let them.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg
import pytest
from asyncpg.pool import PoolConnectionProxy

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool

Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
pool_for = asynccontextmanager(open_pool)

LEAVE_STATE = """
SELECT pg_catalog.setseed(0.5);
SELECT pg_catalog.pg_advisory_lock(42);
SELECT pg_catalog.set_config('extra_float_digits', '-7', false);
SELECT pg_catalog.set_config('application_name', 'leaked', false);
SELECT pg_catalog.set_config('pg_mcp.secret', 'leaked', false);
PREPARE leaked AS SELECT 1;
LISTEN leaked;
DECLARE leaked CURSOR WITH HOLD FOR SELECT 1;
"""

SESSION = """
SELECT pg_catalog.pg_backend_pid() AS pid,
       pg_catalog.random() AS random,
       (SELECT count(*) FROM pg_catalog.pg_locks
        WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid()) AS advisory_locks,
       pg_catalog.current_setting('extra_float_digits') AS extra_float_digits,
       pg_catalog.current_setting('application_name') AS application_name,
       coalesce(pg_catalog.current_setting('pg_mcp.secret', true), '') AS secret,
       (SELECT count(*) FROM pg_catalog.pg_prepared_statements
        WHERE name = 'leaked') AS prepared,
       (SELECT count(*) FROM pg_catalog.pg_listening_channels()) AS listening,
       (SELECT count(*) FROM pg_catalog.pg_cursors) AS cursors
"""


@pytest.fixture
async def database(shop_dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    config = PoolConfig(name="shop", dsn=shop_dsn, pool_min=1, pool_max=1)
    async with pool_for(config) as pool:
        yield AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock())


async def execute(database: AsyncpgDatabase, sql: str) -> None:
    async def work(conn: Connection) -> None:
        await conn.execute(sql)

    await database._run(work, timeout=5)


async def session(database: AsyncpgDatabase) -> dict[str, object]:
    async def work(conn: Connection) -> dict[str, object]:
        return dict(await conn.fetchrow(SESSION) or {})

    return await database._run(work, timeout=5)


async def random_after_setseed(database: AsyncpgDatabase) -> object:
    async def work(conn: Connection) -> object:
        await conn.execute("SELECT pg_catalog.setseed(0.5)")
        return await conn.fetchval("SELECT pg_catalog.random()")

    return await database._run(work, timeout=5)


@pytest.mark.anyio
async def test_the_next_call_on_the_same_connection_sees_a_clean_session(
    database: AsyncpgDatabase,
) -> None:
    clean = await session(database)
    predictable = await random_after_setseed(database)

    await execute(database, LEAVE_STATE)
    after = await session(database)

    assert after["random"] != predictable
    assert {k: v for k, v in after.items() if k != "random"} == {
        **{k: v for k, v in clean.items() if k != "random"},
        "pid": after["pid"],
    }
    assert after["application_name"] == "pg-mcp"
    assert (after["advisory_locks"], after["prepared"], after["listening"]) == (0, 0, 0)


@pytest.mark.anyio
async def test_the_pool_keeps_its_connection_and_statement_cache_across_resets(
    database: AsyncpgDatabase,
) -> None:
    first = await session(database)
    second = await session(database)

    assert first["pid"] == second["pid"]
    result = await database.fetch("SELECT count(*) FROM public.customers", max_rows=1, timeout=5)
    assert result.rows == ((200,),)
