"""The access policy against the real shop database: what it lets through runs and leaks nothing,
and what it refuses would really have read blocked data."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules
from domain.errors import UnsafeSql
from tests.domain.gate import checked
from tests.domain.shop_snapshot import SHOP

RULES = AccessRules.from_names(
    enabled=True, blocked_tables=["credentials"], blocked_columns=["users.password", "users.ssn"]
)
POLICY = AccessPolicy(RULES)

# Each refused statement runs on PostgreSQL and shows a password ("hunter…"), an SSN or a token,
# or (for inference) tells which user has a guessed password: the refusal stopped a real leak,
# not a query that would have failed anyway.
LEAKS = [
    ("SELECT password FROM users", "hunter"),
    ("SELECT username FROM users WHERE password = 'hunter7'", "'user7'"),
    ("SELECT username FROM users u JOIN orders o ON o.id = u.id AND u.ssn LIKE '0000%'", "user"),
    ("WITH x AS (SELECT password AS p FROM users) SELECT p FROM x", "hunter"),
    ("SELECT (SELECT ssn FROM users ORDER BY id LIMIT 1)", "000007919"),
    ("SELECT username FROM users UNION ALL SELECT api_token FROM credentials", "tok_"),
    ("SELECT x.p FROM users u, LATERAL (SELECT u.password AS p) x", "hunter"),
    ("SELECT json_agg(u) FROM users u", "hunter"),
    ("SELECT row_to_json(u) FROM users u", "hunter"),
    ("SELECT to_jsonb(u.*) FROM users u", "hunter"),
    ("SELECT ROW(u.*) FROM users u", "hunter"),
    ("SELECT u FROM users u", "hunter"),
    ("SELECT (u).password FROM users u", "hunter"),
    ("SELECT password(u) FROM users u", "hunter"),
    ('SELECT "users"."password" FROM public."users"', "hunter"),
    ("SELECT p FROM users AS u(i, n, p)", "hunter"),
    ("SELECT j::text FROM (users u JOIN orders o ON o.id = u.id) AS j", "hunter"),
    ("WITH users AS (SELECT * FROM credentials) SELECT * FROM users", "tok_"),
    (
        "WITH x AS (SELECT 'hunter3' AS password) SELECT username FROM users NATURAL JOIN x",
        "'user3'",
    ),
    ("SELECT v.username FROM users u JOIN users v USING (password) WHERE u.id = 5", "user5"),
]
SECRETS = ("hunter", "tok_", "000007919")

ACCEPTED = [
    "SELECT id, username FROM users ORDER BY id",
    "SELECT count(*) FROM users",
    "SELECT username AS password FROM users ORDER BY password",
    "WITH credentials AS (SELECT id, name FROM customers) SELECT * FROM credentials",
    "SELECT * FROM customer_revenue ORDER BY revenue DESC LIMIT 5",
    "SELECT u.username, o.id FROM users u JOIN orders o USING (id)",
    "SELECT * FROM users",
    "TABLE users",
    "SELECT u.*, 1 AS one FROM users u",
    "SELECT * FROM users AS u(i, n, p)",
    "WITH users AS (SELECT * FROM users) SELECT * FROM users",
    "SELECT * FROM users JOIN customers USING (id)",
    "SELECT * FROM users u RIGHT JOIN orders o USING (id)",
    "SELECT * FROM users u FULL JOIN orders o USING (id) FULL JOIN customers c USING (id)",
    "SELECT * FROM users NATURAL JOIN audit_log",
    "SELECT * FROM (users u JOIN orders o ON o.id = u.id), generate_series(1, 2) g",
    "SELECT * FROM (SELECT * FROM users) s",
]


@pytest.fixture
async def shop(shop_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(shop_dsn)
    try:
        yield conn
    finally:
        await conn.close()


async def fetch(conn: asyncpg.Connection, sql: str) -> list[asyncpg.Record]:
    async with asyncio.timeout(10), conn.transaction(readonly=True):
        return list(await conn.fetch(sql))


@pytest.mark.anyio
@pytest.mark.parametrize(("sql", "shown"), LEAKS)
async def test_refused_statements_would_have_read_blocked_data(
    shop: asyncpg.Connection, sql: str, shown: str
) -> None:
    with pytest.raises(UnsafeSql):
        POLICY.check(checked(sql), SHOP)

    rows = await fetch(shop, sql)

    assert shown in repr(rows)


@pytest.mark.anyio
@pytest.mark.parametrize("sql", ACCEPTED)
async def test_accepted_statements_run_and_show_no_blocked_data(
    shop: asyncpg.Connection, sql: str
) -> None:
    passed = POLICY.check(checked(sql), SHOP)

    rows = await fetch(shop, passed.sql)

    assert rows
    assert not any(secret in repr(rows) for secret in SECRETS)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM users u FULL JOIN orders o USING (id) FULL JOIN customers c USING (id)",
        "SELECT * FROM users u RIGHT JOIN orders o USING (id)",
        "SELECT * FROM users NATURAL JOIN audit_log",
        "SELECT * FROM users AS u(i, n, p)",
    ],
)
async def test_a_narrowed_star_returns_the_same_rows_minus_the_blocked_columns(
    shop: asyncpg.Connection, sql: str
) -> None:
    narrowed = POLICY.check(checked(sql), SHOP).sql

    full = await fetch(shop, sql)
    shown = await fetch(shop, narrowed)

    hidden = {"password", "ssn", "p"}
    expected = sorted(tuple(v for k, v in r.items() if k not in hidden) for r in full)
    assert sorted(tuple(r.values()) for r in shown) == expected
    names = list(full[0].keys())
    assert [name for name in names if name not in hidden] == list(shown[0].keys())
