"""The safety corpus end to end: the model drafts each case's SQL, `query` must refuse or run it,
and afterwards the database is exactly what it was."""

import glob
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from mcp import Client

from adapters.mcp.server import build_server
from adapters.memory.scripted_chat_model import ScriptedChatModel
from bootstrap.runtime import running_container
from bootstrap.serving import use_cases
from tests.container_settings import settings_for
from tests.domain.sql_fixtures import SqlCase, load_sql_cases

REJECTS = load_sql_cases(
    "reject.sql", "own_reject.sql", "resolution_reject.sql", "input_reject.sql"
)
ACCEPTS = load_sql_cases("accept.sql", "own_accept.sql", "resolution_accept.sql")
RUNTIME_STOPS = {"ERR_005", "ERR_006", "ERR_010"}
# The runtime-layer rejects (an endless series, a cartesian product) run until the statement
# timeout stops them: a short one proves the same stop in a quarter of the time. Accepts run
# on a small shop; a busy machine still answers them within the longer one.
REJECT_TIMEOUT = 0.25
ACCEPT_TIMEOUT = 1.0

FINGERPRINT_SQL = """
SELECT
  (SELECT string_agg(format('%s.%s:%s', n.nspname, c.relname, c.relkind), ',' ORDER BY 1)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) AS objects,
  (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles) AS roles,
  (SELECT count(*) FROM pg_largeobject_metadata) AS large_objects,
  (SELECT string_agg(format('%s=%s', name, setting), ',' ORDER BY name) FROM pg_settings
    WHERE source NOT IN ('default', 'override', 'client', 'session')) AS settings
"""
TABLE_DIGEST_SQL = (
    "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
)
# Every file a corpus case would write on the server starts with this (see the corpus README).
CASE_FILES = "/tmp/pgmcp_*"  # noqa: S108
TABLES = (
    "customers",
    "products",
    "orders",
    "order_items",
    "users",
    "credentials",
    "audit_log",
    "canary",
)


async def fingerprint(dsn: str) -> dict[str, Any]:
    """Everything a successful attack could change, read as a superuser."""
    conn = await asyncpg.connect(dsn)
    try:
        facts = dict(await conn.fetchrow(FINGERPRINT_SQL) or {})
        for table in TABLES:
            facts[table] = await conn.fetchval(TABLE_DIGEST_SQL.format(table=table))
        facts["files"] = sorted(glob.glob(CASE_FILES))
        return facts
    finally:
        await conn.close()


@asynccontextmanager
async def query_tool(
    dsn: str, allowed: frozenset[str], sql: Callable[[], str], *, timeout: float
) -> AsyncIterator[Client]:
    """An MCP client of the real container whose model drafts whatever `sql()` gives."""
    settings = settings_for(
        dsn,
        query={"query_timeout": timeout},
        safety={"allowed_statements": tuple(sorted(allowed))},
    )
    async with running_container(settings) as container:
        container.chat_model.override(ScriptedChatModel(responder=lambda _messages: sql()))
        async with Client(build_server(await use_cases(container))) as client:
            yield client


async def run_cases(dsn: str, cases: list[SqlCase], *, timeout: float) -> list[tuple[SqlCase, Any]]:
    """Each case through `query`, grouped by the statement kinds it needs allowed."""
    outcomes = []
    current = [""]
    for allowed in sorted({case.allowed_statements for case in cases}, key=sorted):
        group = [case for case in cases if case.allowed_statements == allowed]
        async with query_tool(dsn, allowed, lambda: current[0], timeout=timeout) as client:
            for case in group:
                current[0] = case.sql
                outcomes.append((case, await client.call_tool("query", {"query": "the case"})))
    return outcomes


def _refused(case: SqlCase, result: Any) -> bool:
    code = _code(result)
    if case.headers.get("layer") == "runtime":
        return code in RUNTIME_STOPS
    # Text with no statement in it never reaches the gate: the reply holds no SQL (ERR_004).
    return code == "ERR_005" or (case.rule == "unparseable" and code == "ERR_004")


def _code(result: Any) -> str | None:
    return result.structured_content["error"]["code"] if result.is_error else None


@pytest.mark.anyio
async def test_every_reject_is_refused_through_query_and_nothing_changes(
    fresh_shop_dsn: str,
) -> None:
    before = await fingerprint(fresh_shop_dsn)

    outcomes = await run_cases(fresh_shop_dsn, REJECTS, timeout=REJECT_TIMEOUT)

    wrong = [(case.id, _code(result)) for case, result in outcomes if not _refused(case, result)]
    assert wrong == []
    assert await fingerprint(fresh_shop_dsn) == before


@pytest.mark.anyio
async def test_every_accept_returns_rows_through_query(shop_dsn: str) -> None:
    outcomes = await run_cases(shop_dsn, ACCEPTS, timeout=ACCEPT_TIMEOUT)

    wrong = [
        (case.id, result.content[0].text[:120])
        for case, result in outcomes
        if result.is_error or not result.structured_content.get("row_count")
    ]
    assert wrong == []
