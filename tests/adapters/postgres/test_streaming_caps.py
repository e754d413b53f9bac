"""The byte cap holds in PostgreSQL: large values are omitted, and rows stop at the cap."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg
import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.capped_select import omitted_marker
from adapters.postgres.defaults import DEFAULT_MAX_RESULT_BYTES
from adapters.postgres.pool import PoolConfig, open_pool
from tests.pg import create_database

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"
pool_for = asynccontextmanager(open_pool)
CAP = 50_000


@pytest.fixture(scope="module")
def stored_dsn(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A table whose values compress a thousandfold: small on disk, huge once sent."""
    schema = tmp_path_factory.mktemp("sql") / "docs.sql"
    schema.write_text(
        "CREATE TABLE docs (id int PRIMARY KEY, body text, meta jsonb, tags text[]);\n"
        "INSERT INTO docs SELECT g, repeat('a', 2000000), "
        "jsonb_build_object('k', repeat('b', 2000000)), ARRAY[repeat('c', 2000000)] "
        "FROM generate_series(1, 3) AS g;\n"
        "INSERT INTO docs VALUES (4, 'short', '{\"k\": 1}', ARRAY['t']);\n"
    )
    return create_database(pg_admin_dsn, (schema,), prefix="caps")


@pytest.fixture
async def pool(shop_dsn: str) -> AsyncIterator[Pool]:
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn, pool_max=1)) as pool:
        yield pool


def database(pool: Pool, max_result_bytes: int = CAP) -> AsyncpgDatabase:
    return AsyncpgDatabase(
        name="shop", pool=pool, clock=FakeClock(), max_result_bytes=max_result_bytes
    )


def test_the_default_byte_cap_is_four_mebibytes() -> None:
    assert DEFAULT_MAX_RESULT_BYTES == 4 * 2**20


@pytest.mark.anyio
async def test_a_value_larger_than_the_cap_is_shown_as_omitted_with_its_size(pool: Pool) -> None:
    sql = "SELECT 1 AS id, repeat('x', 300000) AS big, 'kept' AS small"

    result = await database(pool).fetch(sql, max_rows=10, timeout=5)

    assert result.rows == ((1, omitted_marker(300_000, CAP), "kept"),)
    assert "omitted" in str(result.rows[0][1])
    assert [c.name for c in result.columns] == ["id", "big", "small"]


@pytest.mark.anyio
async def test_rows_stop_at_the_cap_and_the_result_says_truncated(pool: Pool) -> None:
    sql = "SELECT g, repeat('x', 10000) FROM generate_series(1, 100000) AS g ORDER BY g"

    result = await database(pool).fetch(sql, max_rows=1000, timeout=10)

    assert result.truncated
    assert [row[0] for row in result.rows] == list(range(1, result.row_count + 1))
    assert 3 <= result.row_count <= 5


@pytest.mark.anyio
async def test_small_rows_after_the_big_ones_do_not_slip_past_the_cap(pool: Pool) -> None:
    sql = (
        "SELECT g, CASE WHEN g > 10 THEN repeat('x', 40000) ELSE 'a' END "
        "FROM generate_series(1, 1000) AS g"
    )

    result = await database(pool).fetch(sql, max_rows=1000, timeout=10)

    assert result.truncated
    assert result.row_count == 11


@pytest.mark.anyio
async def test_null_and_empty_values_are_not_mistaken_for_omitted_ones(pool: Pool) -> None:
    sql = "SELECT NULL::text AS a, '' AS b, NULL::jsonb AS c, '{}'::int[] AS d"

    result = await database(pool).fetch(sql, max_rows=10, timeout=5)

    assert result.rows == ((None, "", None, []),)
    assert not result.truncated


@pytest.mark.anyio
async def test_compressed_values_are_measured_by_their_real_size(stored_dsn: str) -> None:
    async with pool_for(PoolConfig(name="caps", dsn=stored_dsn, pool_max=1)) as pool:
        result = await database(pool).fetch(
            "SELECT id, body, meta, tags, ROW(id, body) FROM public.docs ORDER BY id",
            max_rows=10,
            timeout=10,
        )

    first = result.rows[0]
    assert first[0] == 1
    assert all(str(value).startswith("[value omitted") for value in first[1:])
    assert result.rows[-1] == (4, "short", {"k": 1}, ["t"], [4, "short"])
    assert not result.truncated


@pytest.mark.anyio
async def test_show_and_explain_still_run_uncapped(pool: Pool) -> None:
    shown = await database(pool).fetch("SHOW work_mem", max_rows=10, timeout=5)
    explained = await database(pool).fetch("EXPLAIN SELECT 1", max_rows=10, timeout=5)

    assert shown.rows == (("16MB",),)
    assert explained.row_count == 1
