"""Another role's code behind allow-listed names, on a real server: overloads and case twins of

lower, a domain whose CHECK calls a function, user operators. Each attack runs that code when sent
as it is; the gate refuses it; what the gate lets through runs only built-ins under the pinned
search_path."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from domain.errors import ErrorCode, UnsafeSql
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy
from tests.pg import create_database

POLICY = SafetyPolicy(SafetyConfig())
RAN = "attacker code ran"

# Set up as the superuser, the objects created by a role that may only CREATE in public.
ATTACKER_SETUP = """
CREATE TABLE notes (id int PRIMARY KEY, body varchar(50) NOT NULL);
INSERT INTO notes VALUES (1, 'Hello'), (2, 'World');
CREATE ROLE {role} NOLOGIN;
GRANT USAGE, CREATE ON SCHEMA public TO {role};
SET ROLE {role};
CREATE FUNCTION public.ran(what text) RETURNS text LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION 'attacker code ran: %', what; END $$;
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE sql
  AS $$ SELECT public.ran('lower(varchar)') $$;
CREATE FUNCTION public."LOWER"(text) RETURNS text LANGUAGE sql
  AS $$ SELECT public.ran('"LOWER"(text)') $$;
CREATE FUNCTION public."Lower"(text) RETURNS text LANGUAGE sql
  AS $$ SELECT public.ran('"Lower"(text)') $$;
CREATE FUNCTION public.loud(text) RETURNS boolean LANGUAGE sql
  AS $$ SELECT public.ran('domain CHECK') IS NULL $$;
CREATE DOMAIN public.shout AS text CHECK (public.loud(VALUE));
CREATE TYPE public.pair AS (a text, b public.shout);
CREATE FUNCTION public.same(varchar, varchar) RETURNS boolean LANGUAGE sql
  AS $$ SELECT public.ran('operator') IS NULL $$;
CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.same);
CREATE OPERATOR public.=== (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.same);
RESET ROLE;
"""

# Attacks a pinned search_path alone does not stop: they name the attacker's schema.
QUALIFIED = [
    "SELECT public.lower(body) FROM public.notes",
    "SELECT CAST(body AS public.shout) FROM public.notes",
    """SELECT * FROM json_to_record('{"a": "x"}') AS r(a public.shout)""",
    "SELECT id FROM public.notes WHERE body OPERATOR(public.=) 'Hello'",
    "SELECT id FROM public.notes WHERE body OPERATOR(public.=) ANY (SELECT body FROM public.notes)",
]
ATTACKS = [
    'SELECT "LOWER"(body) FROM public.notes',
    'SELECT "Lower"(body) FROM public.notes',
    'SELECT (body)."LOWER" FROM public.notes',
    "SELECT body::shout FROM public.notes",
    "SELECT ('(x,y)'::pair).a",
    "SELECT id FROM public.notes WHERE body === 'Hello'",
    *QUALIFIED,
]
# Relations are schema-qualified, as the server writes them before running a statement.
# Innocent SQL that an overload in public captures when public is on the search_path.
CAPTURED = [
    ("SELECT lower(body) FROM public.notes ORDER BY id", [("hello",), ("world",)]),
    ("SELECT id FROM public.notes WHERE body = 'Hello'", [(1,)]),
]


@pytest.fixture(scope="module")
def attacked_dsn(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    setup = tmp_path_factory.mktemp("attack") / "attacker.sql"
    setup.write_text(ATTACKER_SETUP.format(role=f"attacker_{uuid.uuid4().hex[:8]}"))
    shop = Path(__file__).parents[2] / "fixtures" / "shop_schema.sql"
    return create_database(pg_admin_dsn, (shop, setup), prefix="attacked")


@pytest.fixture
async def conn(attacked_dsn: str) -> AsyncIterator[asyncpg.Connection[asyncpg.Record]]:
    """A superuser connection with the server's default search_path ("$user", public)."""
    connection = await asyncpg.connect(attacked_dsn)
    try:
        yield connection
    finally:
        await connection.close()


async def _pinned(conn: asyncpg.Connection[asyncpg.Record], sql: str) -> list[tuple[object, ...]]:
    async with asyncio.timeout(10), conn.transaction(readonly=True):
        await conn.execute("SET LOCAL search_path = pg_catalog, pg_temp")
        return [tuple(row) for row in await conn.fetch(sql)]


@pytest.mark.anyio
@pytest.mark.parametrize("sql", ATTACKS + [sql for sql, _ in CAPTURED])
async def test_sent_as_it_is_each_attack_runs_the_attackers_code(
    conn: asyncpg.Connection[asyncpg.Record], sql: str
) -> None:
    with pytest.raises(asyncpg.RaiseError, match=RAN):
        async with asyncio.timeout(10):
            await conn.fetch(sql)


@pytest.mark.anyio
@pytest.mark.parametrize("sql", QUALIFIED)
async def test_a_pinned_search_path_alone_still_runs_a_qualified_attack(
    conn: asyncpg.Connection[asyncpg.Record], sql: str
) -> None:
    with pytest.raises(asyncpg.RaiseError, match=RAN):
        await _pinned(conn, sql)


@pytest.mark.parametrize("sql", ATTACKS)
def test_the_gate_refuses_every_attack_with_err_005(sql: str) -> None:
    with pytest.raises(UnsafeSql) as refused:
        POLICY.check(sql)

    assert refused.value.code is ErrorCode.SQL_SECURITY


@pytest.mark.anyio
@pytest.mark.parametrize(("sql", "expected"), CAPTURED)
async def test_what_the_gate_passes_runs_the_builtin_under_the_pinned_search_path(
    conn: asyncpg.Connection[asyncpg.Record], sql: str, expected: list[tuple[object, ...]]
) -> None:
    checked = POLICY.check(sql)

    assert await _pinned(conn, checked.sql) == expected
