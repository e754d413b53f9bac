"""Name-resolution attacks over MCP stdio, as the issue reproduced them.

The login role is a least-privilege reader that may SELECT every table; access control hides
users.password, users.ssn and credentials. Another role, mallory, may create objects in
public. No answer may carry a hidden value, and no code mallory wrote may run.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from mcp import Client

from tests.e2e.stdio import server_env, stdio_client
from tests.pg import FIXTURES, create_database

# Every password starts with hunter, every token with tok_ (tests/fixtures/shop_schema.sql);
# the salary and ssn are planted below.
SECRET_MARKERS = ("hunter", "tok_", "987654", "999-88-7777")

SETUP = """
CREATE ROLE {reader} LOGIN;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader};
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {reader};
CREATE SCHEMA ext;
CREATE EXTENSION pg_trgm SCHEMA ext;
GRANT USAGE ON SCHEMA ext TO {reader};
CREATE TABLE payroll (id int, paid_on date, salary int) PARTITION BY RANGE (paid_on);
CREATE TABLE payroll_2026 PARTITION OF payroll FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO payroll VALUES (1, '2026-03-01', 987654);
CREATE TABLE people (id int, ssn text);
CREATE TABLE contractors (rate int) INHERITS (people);
INSERT INTO contractors VALUES (1, '999-88-7777', 10);
GRANT SELECT ON payroll, payroll_2026, people, contractors TO {reader};
CREATE ROLE {mallory};
GRANT CREATE, USAGE ON SCHEMA public TO {mallory};
SET ROLE {mallory};
CREATE FUNCTION public.upper(varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'pwned' $$;
CREATE FUNCTION public."LOWER"(text) RETURNS text LANGUAGE sql AS $$ SELECT 'pwned' $$;
CREATE FUNCTION public.always(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.always);
CREATE FUNCTION public.leak(anyelement) RETURNS text LANGUAGE sql AS $$ SELECT 'pwned' $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC;
RESET ROLE;
"""


def as_role(dsn: str, role: str) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


@pytest.fixture(scope="module")
def attack_dsn(pg_admin_dsn: str) -> tuple[str, str]:
    """A shop database planted by mallory; the admin DSN and the reader's DSN."""
    dsn = create_database(pg_admin_dsn, (FIXTURES / "shop_schema.sql",), prefix="attack")
    suffix = urlsplit(dsn).path.rsplit("_", 1)[-1]
    reader, mallory = f"reader_{suffix}", f"mallory_{suffix}"

    async def plant() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(SETUP.format(reader=reader, mallory=mallory))
        finally:
            await conn.close()

    asyncio.run(plant())
    return dsn, as_role(dsn, reader)


@pytest.fixture(scope="module")
async def attacked(attack_dsn: tuple[str, str]) -> AsyncIterator[tuple[Client, str]]:
    dsn, reader_dsn = attack_dsn
    env = server_env(
        reader_dsn,
        None,
        PG_MCP_ENABLE_ACCESS_CONTROL="true",
        # The forms of the original specification's example .env.
        PG_MCP_BLOCKED_TABLES='["credentials", "payroll"]',
        PG_MCP_BLOCKED_COLUMNS='{"users": ["password", "ssn"], "people": ["ssn"]}',
    )
    async with stdio_client(env) as client:
        yield client, dsn


async def run(client: Client, sql: str) -> tuple[str | None, str]:
    """The error code (None when rows came back) and everything the client was shown."""
    result: Any = await client.call_tool("query", {"query": sql})
    shown = " ".join(getattr(block, "text", "") for block in result.content)
    shown += repr(result.structured_content)
    code = result.structured_content["error"]["code"] if result.is_error else None
    return code, shown


def assert_nothing_hidden(shown: str) -> None:
    assert not any(marker in shown for marker in SECRET_MARKERS), shown
    assert "pwned" not in shown, shown


COLUMN_NOTATION = [
    f"SELECT {ref}.{function} FROM users u"
    for ref in ("u",)
    for function in ("to_json", "row_to_json", "text", "to_jsonb", "md5", "length")
] + [
    "SELECT users.text FROM users",
    "SELECT id FROM users u WHERE u.text LIKE '%hunter1%'",
    "SELECT c.id FROM customers c JOIN users u ON u.text LIKE '%hunter%'",
    "SELECT s.to_json FROM (SELECT * FROM users) s",
    "SELECT (u).to_json FROM users u",
    "SELECT u.password::int FROM users u",
    "SELECT u.leak FROM users u",
    "SELECT max(u.text) FROM users u",
]
UNICODE = [
    'SELECT U&"p\\0061ssword" FROM users',
    "SELECT U&\"p!0061ssword\" UESCAPE '!' FROM users",
    'SELECT * FROM U&"cr\\0065dentials"',
    'SELECT u.U&"\\0073sn" FROM users u',
]
CASE = [
    'SELECT "U".password FROM users "U"',
    'WITH "Users" AS (SELECT 1 AS x) SELECT password FROM users',
    'SELECT username AS "SSN" FROM users ORDER BY ssn',
    'SELECT "PASSWORD" FROM users',
]


@pytest.mark.anyio
@pytest.mark.parametrize("sql", COLUMN_NOTATION + UNICODE + CASE)
async def test_no_spelling_reads_a_hidden_column_or_table(
    attacked: tuple[Client, str], sql: str
) -> None:
    code, shown = await run(attacked[0], sql)

    assert code in {"ERR_005", "ERR_006"}
    assert_nothing_hidden(shown)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT upper(username::varchar) AS up FROM users ORDER BY id LIMIT 1",
        'SELECT "LOWER"(username) AS up FROM users ORDER BY id LIMIT 1',
        "SELECT count(*) AS n FROM users WHERE username = 'nobody'",
        "SELECT public.leak(1) AS up",
        "SELECT 1 AS n FROM users WHERE username OPERATOR(public.=) 'x'",
    ],
)
async def test_code_another_role_planted_never_runs(attacked: tuple[Client, str], sql: str) -> None:
    code, shown = await run(attacked[0], sql)

    assert_nothing_hidden(shown)
    if code is None:
        assert "'USER1'" in shown or "'n': 0" in shown or "[[0]]" in shown, shown


@pytest.mark.anyio
async def test_a_view_created_after_the_schema_loaded_is_judged_before_it_is_read(
    attacked: tuple[Client, str],
) -> None:
    client, dsn = attacked
    assert (await run(client, "SELECT count(*) FROM customers"))[0] is None  # loads the schema
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE VIEW public.late_leak AS SELECT username, password FROM users;"
            "GRANT SELECT ON public.late_leak TO PUBLIC"
        )
    finally:
        await conn.close()

    code, shown = await run(client, "SELECT * FROM late_leak")

    assert code == "ERR_005"
    assert_nothing_hidden(shown)


@pytest.mark.anyio
async def test_a_sequence_is_no_table_to_read(attacked: tuple[Client, str]) -> None:
    code, shown = await run(attacked[0], "SELECT last_value FROM users_id_seq")

    assert code in {"ERR_005", "ERR_006"}
    assert "does not exist" in shown


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM payroll_2026",
        "SELECT salary FROM payroll_2026",
        "SELECT ssn FROM contractors",
        "SELECT * FROM contractors",
        "SELECT c.ssn FROM contractors c",
    ],
)
async def test_partitions_and_children_keep_their_parent_s_rules(
    attacked: tuple[Client, str], sql: str
) -> None:
    code, shown = await run(attacked[0], sql)

    assert_nothing_hidden(shown)
    if sql == "SELECT * FROM contractors":
        assert code is None  # the star is narrowed to what may be shown
        assert "rate" in shown
    else:
        assert code == "ERR_005"


@pytest.mark.anyio
async def test_a_trusted_extension_s_function_runs_from_its_own_schema(
    attacked: tuple[Client, str],
) -> None:
    sql = "SELECT similarity(username, 'user1') AS s FROM users ORDER BY id LIMIT 1"

    result: Any = await attacked[0].call_tool("query", {"query": sql})

    assert not result.is_error, result.content[0].text
    assert result.structured_content["rows"] == [[1.0]]
