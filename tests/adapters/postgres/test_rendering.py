from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from adapters.postgres.rendering import column_converter, render_interval, render_rows

pool_for = asynccontextmanager(open_pool)


@pytest.fixture
async def pool(shop_dsn: str) -> AsyncIterator[asyncpg.Pool[asyncpg.Record]]:
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn)) as pool:
        yield pool


@pytest.fixture
def shop(pool: asyncpg.Pool[asyncpg.Record]) -> AsyncpgDatabase:
    return AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock())


# (SQL expression, what the client sees); every value must survive json.dumps unchanged.
RENDERED = [
    ("197.00::numeric(10,2)", "197.00"),
    ("'1e-10'::numeric", "0.0000000001"),
    ("'NaN'::numeric", "NaN"),
    ("'Infinity'::numeric", "Infinity"),
    ("1.5::float8", 1.5),
    ("'-Infinity'::float8", "-Infinity"),
    ("'NaN'::float4", "NaN"),
    ("timestamptz '2024-03-01 12:30:00.25+02'", "2024-03-01T10:30:00.250000+00:00"),
    ("timestamp '2024-03-01 12:30:00'", "2024-03-01T12:30:00"),
    ("'infinity'::timestamptz", "infinity"),
    ("'-infinity'::timestamp", "-infinity"),
    ("date '2024-02-29'", "2024-02-29"),
    ("time '13:45:01'", "13:45:01"),
    ("timetz '13:45:01+02'", "13:45:01+02:00"),
    ("interval '1 year 2 mons 3 days 04:05:06.5'", "P1Y2M3DT4H5M6.5S"),
    ("interval '1 day 02:00:00'", "P1DT2H"),
    ("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ("'\\xdeadbeef'::bytea", "\\xdeadbeef"),
    ("ARRAY[1, 2, NULL]::int[]", [1, 2, None]),
    ("ARRAY[['a', 'b'], ['c', 'd']]::text[][]", [["a", "b"], ["c", "d"]]),
    ("ARRAY[1.50, 2]::numeric[]", ["1.50", "2"]),
    (
        "int4range(1, 5)",
        {"lower": 1, "upper": 5, "lower_inc": True, "upper_inc": False, "empty": False},
    ),
    (
        "'empty'::int4range",
        {"lower": None, "upper": None, "lower_inc": False, "upper_inc": False, "empty": True},
    ),
    (
        "tstzrange('2024-01-01 00:00+00', NULL)",
        {
            "lower": "2024-01-01T00:00:00+00:00",
            "upper": None,
            "lower_inc": True,
            "upper_inc": False,
            "empty": False,
        },
    ),
    (
        """'{"a": [1, 2.5, null], "b": {"c": true}}'::jsonb""",
        {"a": [1, 2.5, None], "b": {"c": True}},
    ),
    ("""'[1, "x"]'::json""", [1, "x"]),
    ("'192.168.1.5/24'::inet", "192.168.1.5/24"),
    ("'10.0.0.0/8'::cidr", "10.0.0.0/8"),
    ("'::1'::inet", "::1"),
    ("'shipped'::public.order_status", "shipped"),
    ("ARRAY['paid', 'pending']::public.order_status[]", ["paid", "pending"]),
    ("(SELECT c FROM public.canary c)", {"id": 1, "note": "untouched"}),
    ("ROW(1, 'x', 2.50::numeric)", [1, "x", "2.50"]),
    ("B'1011'::bit(4)", "1011"),
    ("B'10'::varbit", "10"),
    ("12.3::money", "$12.30"),
    ("point(1, 2)", [1.0, 2.0]),
    ("true", True),
    ("NULL::text", None),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("expression", "expected"), RENDERED, ids=[e for e, _ in RENDERED])
async def test_values_json_cannot_carry_are_rendered_faithfully(
    shop: AsyncpgDatabase, expression: str, expected: object
) -> None:
    result = await shop.fetch(f"SELECT {expression} AS v", max_rows=1, timeout=5)

    value = result.rows[0][0]
    assert value == expected
    assert json.loads(json.dumps(value, allow_nan=False)) == expected


INTERVALS = [
    "0",
    "1 year 2 mons 3 days 04:05:06.5",
    "-1 year -2 mons",
    "-3 days -04:05:06",
    "1 mon -1 day",
    "-00:00:00.000001",
    "100 hours",
    "13 mons",
    "-13 mons 1 day -00:00:01.25",
]


@pytest.mark.anyio
async def test_intervals_are_rendered_as_postgresql_prints_them_in_iso_8601(
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    async with pool.acquire() as conn:
        await conn.execute("SET intervalstyle = iso_8601")
        for text in INTERVALS:
            ours = await conn.fetchval("SELECT $1::text::interval", text)
            theirs = await conn.fetchval("SELECT $1::text::interval::text", text)
            assert (text, ours) == (text, theirs)


def test_an_interval_of_zero_is_pt0s() -> None:
    assert render_interval(0, 0, 0) == "PT0S"


@pytest.mark.anyio
async def test_a_thousand_rows_of_ten_typed_columns_render_to_json(
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    sql = (
        "SELECT g, g::text, g * 1.5::numeric, now(), g::float8, "
        "gen_random_uuid(), g % 2 = 0, date '2024-01-01' + g, ARRAY[g], 'x' "
        "FROM generate_series(1, 1000) g"
    )
    async with pool.acquire() as conn:
        statement = await conn.prepare(sql)
        records = await statement.fetch()
        types = [a.type for a in statement.get_attributes()]
    converters = [column_converter(t.name, t.schema, t.kind) for t in types]

    rows = render_rows(records, converters)

    assert len(rows) == 1000
    assert json.loads(json.dumps(rows, allow_nan=False))[0][2] == "1.5"
