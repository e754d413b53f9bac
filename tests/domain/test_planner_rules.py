"""Row counts the planner cannot estimate are refused; constant limits and calendars pass."""

import pytest

from domain.errors import ErrorCode, UnsafeSql
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy
from tests.domain.sql_fixtures import SqlCase, load_sql_cases

POLICY = SafetyPolicy(SafetyConfig())
ACCEPTS = load_sql_cases("accept.sql", "own_accept.sql")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name FROM customers LIMIT (SELECT 5)",
        "SELECT name FROM customers LIMIT 5 OFFSET (SELECT count(*) FROM orders)",
        "SELECT name FROM customers ORDER BY id FETCH FIRST (SELECT 3) ROWS ONLY",
        "SELECT name FROM customers LIMIT id",
        "SELECT name FROM customers LIMIT abs(-5)",
        "SELECT name FROM customers LIMIT abs($1)",
        "SELECT name FROM customers LIMIT $1 + (SELECT 5)",
        "SELECT (SELECT name FROM customers LIMIT (SELECT 1)) AS n",
        "SELECT count(*) FROM generate_series(1, (SELECT max(id) FROM orders) * 1000000) AS g",
        "SELECT generate_series(1, (SELECT 1000000000000))",
        "SELECT count(*) FROM pg_catalog.generate_series(1, 10, (SELECT 1)) AS g",
        "SELECT count(*) FROM generate_series(1, 10 + (SELECT max(id) FROM orders)) AS g",
        'SELECT count(*) FROM "generate_series"(1, (SELECT 10)) AS g',
    ],
)
def test_an_unestimable_row_count_is_refused_with_err_005(sql: str) -> None:
    with pytest.raises(UnsafeSql) as refused:
        POLICY.check(sql)

    assert refused.value.code is ErrorCode.SQL_SECURITY
    assert refused.value.rule == "unestimable_row_count"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name FROM customers LIMIT 5 OFFSET 10",
        "SELECT name FROM customers LIMIT ALL",
        "SELECT name FROM customers LIMIT NULL",
        "SELECT name FROM customers LIMIT 2 * 5 OFFSET (3)",
        "SELECT name FROM customers LIMIT '5'::bigint",
        "SELECT name FROM customers LIMIT $1 OFFSET $2",
        "SELECT name FROM customers LIMIT $1::bigint * 2",
        "SELECT name FROM customers ORDER BY id OFFSET 5 ROWS FETCH NEXT 3 ROWS ONLY",
        "SELECT name FROM customers ORDER BY id FETCH FIRST ROW ONLY",
        "SELECT d::date FROM (SELECT min(placed_at) AS lo, max(placed_at) AS hi FROM orders) AS b,"
        " generate_series(b.lo, b.hi, interval '1 day') AS d",
        "SELECT generate_series(min(placed_at), max(placed_at), interval '1 day') FROM orders",
        "SELECT g FROM generate_series(1, 12) AS g",
        "SELECT o.id FROM orders o WHERE o.id IN (SELECT id FROM orders LIMIT 3)",
    ],
)
def test_constant_limits_and_calendar_series_pass(sql: str) -> None:
    assert POLICY.check(sql).sql == sql


@pytest.mark.parametrize("case", ACCEPTS, ids=lambda case: case.id)
def test_every_legitimate_corpus_query_still_passes(case: SqlCase) -> None:
    policy = SafetyPolicy(SafetyConfig(allowed_statements=case.allowed_statements))

    assert policy.check(case.sql, extra_types=case.extra_types).sql
