"""Values bound to $n on a real PostgreSQL: converted by the types its prepare gives, or ERR_008."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from adapters.postgres.rendering import interval_tuple, render_interval
from domain.errors import ErrorCode, InvalidRequest, PgMcpError, UnsafeSql
from domain.models import JsonValue, Parameter, Row

pool_for = asynccontextmanager(open_pool)


@pytest.fixture
async def shop(shop_dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn, pool_min=1, pool_max=2)) as pool:
        yield AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock())


def named(**values: JsonValue) -> tuple[Parameter, ...]:
    return tuple(Parameter(name=name, value=value) for name, value in values.items())


async def rows(shop: AsyncpgDatabase, sql: str, **values: JsonValue) -> tuple[Row, ...]:
    result = await shop.fetch(sql, max_rows=100, timeout=5, parameters=named(**values))
    return result.rows


async def refusal(shop: AsyncpgDatabase, sql: str, **values: JsonValue) -> PgMcpError:
    with pytest.raises(PgMcpError) as caught:
        await shop.fetch(sql, max_rows=100, timeout=5, parameters=named(**values))
    return caught.value


CONVERTED = [
    ("an integer", "SELECT $1::int + 1", {"n": 41}, 42),
    ("a bigint", "SELECT $1::int8", {"n": 2**40}, 2**40),
    ("a float", "SELECT $1::float8 * 2", {"x": 1.25}, 2.5),
    ("an integer for a float", "SELECT $1::float8", {"x": 3}, 3.0),
    ("a number for numeric keeps its digits", "SELECT $1::numeric(10,2)", {"x": 2.5}, "2.50"),
    ("a boolean", "SELECT NOT $1::bool", {"b": False}, True),
    ("null", "SELECT $1::int IS NULL", {"n": None}, True),
    ("a string for a date", "SELECT $1::date + 1", {"d": "2024-02-28"}, "2024-02-29"),
    ("a string as PostgreSQL reads a date", "SELECT $1::date", {"d": "Jan 5 2024"}, "2024-01-05"),
    (
        "a string for a uuid",
        "SELECT $1::uuid",
        {"u": "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}"},
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    ),
    ("a string for numeric", "SELECT $1::numeric * 2", {"x": "1.10"}, "2.20"),
    (
        "a string for an interval",
        "SELECT $1::interval",
        {"i": "1 year -2 days 03:00:01.5"},
        "P1Y-2DT3H1.5S",
    ),
    ("a string for an integer", "SELECT $1::int + 1", {"n": "41"}, 42),
    ("a boolean for text", "SELECT $1::text", {"b": True}, "true"),
    ("a number for text", "SELECT $1::text", {"n": 7}, "7"),
    ("an object for jsonb", "SELECT $1::jsonb -> 'a'", {"j": {"a": [1, 2]}}, [1, 2]),
    ("a string for json stays a JSON string", "SELECT $1::json", {"j": "x"}, "x"),
    ("a list for an integer array", "SELECT $1::int[]", {"a": [1, None, 3]}, [1, None, 3]),
    ("a list of intervals", "SELECT $1::interval[]", {"a": ["1 day", "-2h"]}, ["P1D", "PT-2H"]),
    ("a list of strings for dates", "SELECT $1::date[]", {"a": ["2024-01-01"]}, ["2024-01-01"]),
    ("a nested list", "SELECT $1::int[]", {"a": [[1, 2], [3, 4]]}, [[1, 2], [3, 4]]),
    ("a string for an enum", "SELECT $1::public.order_status", {"s": "paid"}, "paid"),
    ("an untyped placeholder is text", "SELECT $1", {"t": "it's"}, "it's"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("title", "sql", "values", "expected"), CONVERTED, ids=[c[0] for c in CONVERTED]
)
async def test_a_json_value_converts_as_postgresql_reads_it(
    shop: AsyncpgDatabase, title: str, sql: str, values: dict[str, JsonValue], expected: JsonValue
) -> None:
    assert await rows(shop, sql, **values) == ((expected,),)


@pytest.mark.anyio
async def test_a_timestamp_without_offset_is_read_in_the_session_time_zone(
    shop: AsyncpgDatabase,
) -> None:
    found = await rows(
        shop, "SELECT $1::timestamptz = '2024-01-01 10:00'::timestamptz", t="2024-01-01 10:00"
    )

    assert found == ((True,),)


@pytest.mark.anyio
async def test_a_list_binds_to_any_and_matches_each_element(shop: AsyncpgDatabase) -> None:
    found = await rows(
        shop, "SELECT id FROM public.customers WHERE id = ANY($1) ORDER BY id", ids=[3, 1, 2]
    )

    assert found == ((1,), (2,), (3,))


NOT_CONVERTED = [
    ("a word for a date", "SELECT $1::date", {"since": "yesterday-ish"}),
    ("a word for an integer", "SELECT $1::int", {"since": "forty two"}),
    ("a float for an integer", "SELECT $1::int", {"since": 1.5}),
    ("past an integer's range", "SELECT $1::int", {"since": 2**40}),
    ("past a bigint's range", "SELECT $1::int8", {"since": 2**70}),
    ("a list for a scalar", "SELECT $1::int", {"since": [1]}),
    ("a scalar for a list", "SELECT $1::int[]", {"since": 1}),
    ("an object for an integer", "SELECT $1::int", {"since": {"a": 1}}),
    ("a word for an interval", "SELECT $1::interval", {"since": "a while"}),
    ("a word for a boolean", "SELECT $1::bool", {"since": "perhaps"}),
    ("no such enum label", "SELECT $1::public.order_status", {"since": "lost"}),
    ("a NUL character", "SELECT $1", {"since": "a\x00b"}),
    ("a NUL inside an object", "SELECT $1::jsonb", {"since": {"k": ["\x00"]}}),
    ("a bad element of a list", "SELECT $1::date[]", {"since": ["2024-01-01", "nope"]}),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("title", "sql", "values"), NOT_CONVERTED, ids=[c[0] for c in NOT_CONVERTED]
)
async def test_a_value_that_does_not_convert_is_err_008_naming_it_not_quoting_it(
    shop: AsyncpgDatabase, title: str, sql: str, values: dict[str, JsonValue]
) -> None:
    refused = await refusal(shop, sql, **values)

    assert isinstance(refused, InvalidRequest)
    assert refused.code is ErrorCode.INVALID_REQUEST
    assert "since" in refused.message
    assert str(values["since"]) not in refused.message


@pytest.mark.anyio
async def test_explain_binds_the_values_and_plans_for_them(shop: AsyncpgDatabase) -> None:
    sql = "SELECT id FROM public.customers WHERE id = $1"

    plan = await shop.explain(sql, timeout=5, parameters=named(id=7))

    assert plan.plan_rows == 1
    assert "customers" in plan.text


@pytest.mark.anyio
async def test_explain_refuses_a_value_that_does_not_convert(shop: AsyncpgDatabase) -> None:
    with pytest.raises(InvalidRequest):
        await shop.explain("SELECT $1::date", timeout=5, parameters=named(d="nope"))


@pytest.mark.anyio
async def test_the_cost_limit_plans_with_the_values_bound(shop_dsn: str) -> None:
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn, pool_min=1, pool_max=1)) as pool:
        capped = AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock(), max_query_cost=1e6)
        result = await capped.fetch(
            "SELECT name FROM public.customers WHERE id = $1",
            max_rows=5,
            timeout=5,
            parameters=named(id=1),
        )

    assert result.rows == (("Customer 1",),)


@pytest.mark.anyio
async def test_a_value_stays_a_value_even_holding_sql(shop: AsyncpgDatabase, shop_dsn: str) -> None:
    attack = "x'; DELETE FROM public.canary; --"

    found = await rows(shop, "SELECT count(*) FROM public.customers WHERE name = $1", n=attack)

    conn = await asyncpg.connect(shop_dsn)
    try:
        assert await conn.fetchval("SELECT note FROM canary WHERE id = 1") == "untouched"
    finally:
        await conn.close()
    assert found == ((0,),)


@given(
    st.integers(-(2**31), 2**31 - 1),
    st.integers(-(2**31), 2**31 - 1),
    st.integers(-(2**62), 2**62),
)
def test_an_interval_printed_as_iso_8601_is_read_back_exactly(
    months: int, days: int, microseconds: int
) -> None:
    assert interval_tuple(render_interval(months, days, microseconds)) == (
        months,
        days,
        microseconds,
    )


@pytest.mark.anyio
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")))
async def test_any_text_value_comes_back_unchanged_and_equal_to_its_literal(
    shop: AsyncpgDatabase, value: str
) -> None:
    literal = "'" + value.replace("'", "''") + "'"

    found = await rows(shop, f"SELECT $1, $1 = {literal}, length($1)", v=value)

    assert found == ((value, True, len(value)),)


def test_an_interval_parameter_that_is_no_duration_is_refused_by_the_encoder() -> None:
    with pytest.raises(TypeError):
        interval_tuple("3 days")


@pytest.mark.anyio
async def test_a_bound_limit_is_planned_with_its_value_however_often_it_ran_before(
    shop_dsn: str,
) -> None:
    # Kept prepared, a statement may switch to a generic plan after five runs, one that guesses
    # LIMIT $1 as a tenth of the rows: every plan is made with the values instead.
    sql = "SELECT generate_series(1, 100000000) AS g LIMIT $1"
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn, pool_min=1, pool_max=1)) as pool:
        capped = AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock(), max_query_cost=1000)
        for _ in range(8):
            small = await capped.fetch(sql, max_rows=5, timeout=5, parameters=named(n=3))
            assert small.rows == ((1,), (2,), (3,))
        with pytest.raises(UnsafeSql) as refused:
            await capped.fetch(sql, max_rows=5, timeout=5, parameters=named(n=90_000_000))
        mode = await capped.fetch(
            "SELECT current_setting('plan_cache_mode')", max_rows=1, timeout=5
        )

    assert refused.value.code is ErrorCode.SQL_SECURITY
    assert refused.value.rule == "max_query_cost"
    assert mode.rows == (("force_custom_plan",),)
