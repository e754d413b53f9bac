"""A call costs few round trips to PostgreSQL, counted on the wire, and repeats stay safe.

The transaction's COMMIT and the session reset travel together after the reply: a call's rows
wait on fewer round trips than it makes. A repeated statement is not described again, and its
wrapping is kept prepared: the columns PostgreSQL described the first time are a hint, checked
against what it prepares and re-checked by PostgreSQL on every run, so a column changed in
between is still capped.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager
from typing import TypeVar

import asyncpg
import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.capped_select import omitted_marker
from adapters.postgres.pool import PoolConfig, calls_ended, open_pool
from domain.models import Parameter
from tests.wire_counter import RoundTripCounter, counting_proxy

pool_for = asynccontextmanager(open_pool)
SQL = "SELECT id, name FROM public.customers WHERE id <= 3 ORDER BY id"
CAP = 50_000


@pytest.fixture
def proxied(shop_dsn: str) -> Iterator[tuple[str, RoundTripCounter]]:
    with counting_proxy(shop_dsn) as found:
        yield found


@asynccontextmanager
async def database_at(dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    async with pool_for(PoolConfig(name="shop", dsn=dsn, pool_min=1, pool_max=1)) as pool:
        yield AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock(), max_result_bytes=CAP)


T = TypeVar("T")


async def trips_of(counter: RoundTripCounter, call: Awaitable[T]) -> tuple[T, tuple[int, int]]:
    """What `call` returned; its round trips before it returned, and in all once its connection
    is back in the pool."""
    before = counter.count
    async with asyncio.timeout(10):
        done = await call
        at_reply = counter.count - before
        await calls_ended()
    return done, (at_reply, counter.count - before)


async def trips_of_fetch(
    database: AsyncpgDatabase, counter: RoundTripCounter, sql: str
) -> tuple[int, int]:
    return (await trips_of(counter, database.fetch(sql, max_rows=100, timeout=5)))[1]


@pytest.mark.anyio
async def test_a_repeated_query_waits_on_two_round_trips_of_three_its_first_run_on_four(
    proxied: tuple[str, RoundTripCounter],
) -> None:
    dsn, counter = proxied
    async with database_at(dsn) as database:
        await database.explain("SELECT 1", timeout=5)  # the pool's one-off probe of its role
        await calls_ended()
        first = await trips_of_fetch(database, counter, SQL)
        again = [await trips_of_fetch(database, counter, SQL) for _ in range(3)]
        result = await database.fetch(SQL, max_rows=100, timeout=5)

    # BEGIN and limits; Bind + Execute of the kept wrapping; after the reply, COMMIT + reset.
    assert again == [(3, 4), (2, 3), (2, 3)]  # the second run still parses the wrapping
    assert first == (4, 5)  # the statement described, then its wrapping parsed
    assert [row[0] for row in result.rows] == [1, 2, 3]


@pytest.mark.anyio
async def test_values_bind_to_the_kept_wrapping_in_the_same_round_trips(
    proxied: tuple[str, RoundTripCounter],
) -> None:
    dsn, counter = proxied
    sql = "SELECT id FROM public.customers WHERE id <= $1 ORDER BY id"
    results = []
    async with database_at(dsn) as database:
        for n in (1, 2, 3):
            bound = (Parameter(name="n", value=n),)
            result, trips = await trips_of(
                counter, database.fetch(sql, max_rows=100, timeout=5, parameters=bound)
            )
            results.append(result)

    assert [[row[0] for row in r.rows] for r in results] == [[1], [1, 2], [1, 2, 3]]
    assert trips == (2, 3)


@pytest.mark.anyio
async def test_a_repeated_explain_waits_on_two_round_trips_of_three(
    proxied: tuple[str, RoundTripCounter],
) -> None:
    dsn, counter = proxied
    trips = []
    async with database_at(dsn) as database:
        await database.explain("SELECT 1", timeout=5)  # the pool's one-off probe of its role
        await calls_ended()
        for _ in range(4):
            plan, spent = await trips_of(counter, database.explain(SQL, timeout=5))
            trips.append(spent)

    # BEGIN; Bind + Execute of the kept EXPLAIN (once seen: Parse + Describe first); after the
    # reply, COMMIT + reset.
    assert trips == [(3, 4), (3, 4), (2, 3), (2, 3)]
    assert plan.total_cost > 0


@pytest.mark.anyio
async def test_a_column_retyped_after_its_statement_ran_is_still_capped(
    fresh_shop_dsn: str,
) -> None:
    sql = "SELECT id, note FROM public.notes ORDER BY id"
    admin = await asyncpg.connect(fresh_shop_dsn)
    try:
        await admin.execute("CREATE TABLE notes (id int, note int)")
        await admin.execute("INSERT INTO notes VALUES (1, 7)")
        async with database_at(fresh_shop_dsn) as database:
            before = [await database.fetch(sql, max_rows=10, timeout=5) for _ in range(3)]
            await admin.execute(
                "ALTER TABLE notes ALTER COLUMN note TYPE text USING repeat('x', 300000)"
            )
            after = await database.fetch(sql, max_rows=10, timeout=5)
            await admin.execute("ALTER TABLE notes DROP COLUMN note")
            dropped = await database.fetch("SELECT * FROM public.notes", max_rows=10, timeout=5)
    finally:
        await admin.close()

    assert [b.rows for b in before] == [((1, 7),)] * 3
    assert after.rows == ((1, omitted_marker(300_000, CAP)),)
    assert [c.type for c in after.columns] == ["int4", "text"]
    assert (dropped.rows, [c.name for c in dropped.columns]) == (((1,),), ["id"])
