"""Each caller's identity reaches PostgreSQL: the same question, different rows, by RLS policy."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from tests.e2e.stdio import server_env
from tests.http.issuer import Issuer, running_issuer
from tests.http.serving import HttpServer, http_client, http_server
from tests.pg import admin_execute, create_database, with_user

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef01"
PUBLIC_URL = "http://pg-mcp.test/mcp"
SUFFIX = uuid.uuid4().hex[:8]
LOGIN, ANALYSTS, AUDITORS = f"rls_login_{SUFFIX}", f"analysts_{SUFFIX}", f"auditors_{SUFFIX}"

# notes filter by pg_mcp.user (the token's subject); ledger by the role the token's claim names.
SCHEMA = f"""
CREATE ROLE {LOGIN} LOGIN;
CREATE ROLE {ANALYSTS};
CREATE ROLE {AUDITORS};
GRANT {ANALYSTS}, {AUDITORS} TO {LOGIN};
CREATE TABLE notes (owner text NOT NULL, body text NOT NULL);
INSERT INTO notes VALUES ('alice', 'alice sees this'), ('bob', 'bob sees this');
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notes ON notes USING (owner = current_setting('pg_mcp.user', true));
CREATE TABLE ledger (team text NOT NULL, entry text NOT NULL);
INSERT INTO ledger VALUES ('{ANALYSTS}', 'forecast'), ('{AUDITORS}', 'findings');
ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_team ON ledger USING (team = current_user);
GRANT SELECT ON notes, ledger TO {LOGIN}, {ANALYSTS}, {AUDITORS};
"""


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    with running_issuer() as running:
        yield running


@pytest.fixture(scope="module")
def audit_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit") / "calls.jsonl"


@pytest.fixture(scope="module")
def server(pg_admin_dsn: str, issuer: Issuer, audit_log: Path) -> Iterator[HttpServer]:
    admin_dsn = create_database(pg_admin_dsn, (), prefix="rls")
    asyncio.run(admin_execute(admin_dsn, SCHEMA))
    login_dsn = with_user(admin_dsn, LOGIN)
    env = server_env(
        login_dsn,
        None,
        PG_MCP_AUTH_TOKENS=f'{{"{ALICE}": "alice", "{BOB}": "bob"}}',
        PG_MCP_OAUTH_ISSUER=issuer.url,
        PG_MCP_OAUTH_JWKS_URL=issuer.jwks_url,
        PG_MCP_HTTP_PUBLIC_URL=PUBLIC_URL,
        PG_MCP_IDENTITY_USER_CLAIM="sub",
        PG_MCP_IDENTITY_ROLE_CLAIM="db_role",
        PG_MCP_AUDIT_LOG=str(audit_log),
    )
    with http_server(env) as running:
        yield running


async def _rows(server: HttpServer, token: str, sql: str) -> list[list[object]]:
    async with http_client(server.url, token) as client:
        result = await client.call_tool("query", {"query": sql})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    rows: list[list[object]] = result.structured_content["rows"]
    return rows


@pytest.mark.anyio
async def test_two_users_asking_the_same_question_see_their_own_rows(
    server: HttpServer,
) -> None:
    sql = "SELECT body FROM notes ORDER BY body"
    assert await _rows(server, ALICE, sql) == [["alice sees this"]]
    assert await _rows(server, BOB, sql) == [["bob sees this"]]


@pytest.mark.anyio
async def test_a_role_claim_becomes_the_role_of_the_transaction(
    server: HttpServer, issuer: Issuer
) -> None:
    sql = "SELECT entry FROM ledger ORDER BY entry"
    analyst = issuer.token("carol", audience=PUBLIC_URL, db_role=ANALYSTS)
    auditor = issuer.token("dan", audience=PUBLIC_URL, db_role=AUDITORS)
    assert await _rows(server, analyst, sql) == [["forecast"]]
    assert await _rows(server, auditor, sql) == [["findings"]]


@pytest.mark.anyio
async def test_a_role_claim_naming_a_role_the_login_may_not_take_is_refused(
    server: HttpServer, issuer: Issuer
) -> None:
    intruder = issuer.token("eve", audience=PUBLIC_URL, db_role="postgres")
    async with http_client(server.url, intruder) as client:
        result = await client.call_tool("query", {"query": "SELECT entry FROM ledger"})
    assert result.is_error
    assert result.structured_content is not None
    # 42501 insufficient_privilege: PostgreSQL itself refused the SET ROLE.
    assert result.structured_content["error"]["code"] == "ERR_005"


@pytest.mark.anyio
async def test_a_caller_without_identity_sees_no_row_of_a_filtered_table(
    server: HttpServer, issuer: Issuer
) -> None:
    # A JWT with neither db_role nor a subject named in notes: the policy hides every row.
    stranger = issuer.token("zoe", audience=PUBLIC_URL)
    assert await _rows(server, stranger, "SELECT body FROM notes") == []


@pytest.mark.anyio
async def test_each_call_leaves_an_audit_line_without_row_values(
    server: HttpServer, audit_log: Path
) -> None:
    sql = "SELECT body FROM notes WHERE body <> 'x'"
    await _rows(server, BOB, sql)

    written = await anyio.Path(audit_log).read_text()
    lines = [json.loads(line) for line in written.splitlines()]
    mine = [line for line in lines if line["sql"] == sql]
    assert len(mine) == 1
    assert mine[0]["subject"] == "bob"
    assert mine[0]["tool"] == "query"
    assert mine[0]["database"] == "default"
    assert mine[0]["rows"] == 1
    assert mine[0]["code"] is None
    assert mine[0]["duration_ms"] >= 0
    assert "time" in mine[0]
    assert "sees this" not in written
    assert BOB not in written  # the token never, only the subject it stands for
