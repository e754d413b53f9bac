"""pg-mcp over stdio, with a real PostgreSQL and a local OpenAI-compatible server."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
from mcp import Client

from tests.e2e.stdio import question_of, server_env, stdio_client
from tests.fake_llm_server import FakeLLMServer, Fault, Json

TOP_FIVE = (
    "SELECT c.name, sum(oi.quantity * oi.unit_price) AS spent FROM customers c "
    "JOIN orders o ON o.customer_id = c.id JOIN order_items oi ON oi.order_id = o.id "
    "GROUP BY c.id, c.name ORDER BY spent DESC, c.name LIMIT 5"
)
SQL_FOR = {
    "Which five customers spent the most?": f"```sql\n{TOP_FIVE};\n```",
    "Delete the canary": '{"sql": "DELETE FROM canary"}',
    "Show the password hashes": "SELECT rolname, rolpassword FROM pg_authid",
    "What is the weather?": "I am sorry, I only know about your database.",
    "Count everything forever": "SELECT count(*) FROM generate_series(1, 10000000000) AS g",
    "Names please": "SELECT nme FROM customers",
}


def responder(request: Json) -> str:
    return SQL_FOR.get(question_of(request), "SELECT 1 AS one")


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(responder=responder) as server:
        yield server


@pytest.fixture(scope="module")
async def client(shop_dsn: str, llm: FakeLLMServer) -> AsyncIterator[Client]:
    env = server_env(shop_dsn, llm.base_url, PG_MCP_QUERY_TIMEOUT="1")
    async with stdio_client(env) as client:
        yield client


def _error_code(result: Any) -> str:
    assert result.is_error
    text = result.content[0].text
    code = result.structured_content["error"]["code"]
    assert text.startswith(f"{code}: ")
    return str(code)


async def _canary(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        return str(await conn.fetchval("SELECT note FROM canary WHERE id = 1"))
    finally:
        await conn.close()


@pytest.mark.anyio
async def test_the_client_sees_exactly_three_tools(client: Client) -> None:
    tools = (await client.list_tools()).tools

    assert sorted(tool.name for tool in tools) == ["explain", "get_schema", "query"]


@pytest.mark.anyio
async def test_a_question_returns_the_right_rows(client: Client, shop_dsn: str) -> None:
    result = await client.call_tool("query", {"query": "Which five customers spent the most?"})

    assert not result.is_error
    data = result.structured_content
    assert data is not None
    conn = await asyncpg.connect(shop_dsn)
    try:
        expected = await conn.fetch(TOP_FIVE)
    finally:
        await conn.close()
    assert data["columns"] == ["name", "spent"]
    assert data["rows"] == [[r["name"], str(r["spent"])] for r in expected]
    assert data["row_count"] == 5
    assert data["truncated"] is False


@pytest.mark.anyio
async def test_sql_mode_returns_the_sql_only(client: Client) -> None:
    result = await client.call_tool(
        "query", {"query": "Which five customers spent the most?", "return_mode": "sql"}
    )

    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["sql"] == TOP_FIVE
    assert "rows" not in result.structured_content or result.structured_content["rows"] is None


@pytest.mark.anyio
async def test_explain_returns_a_plan(client: Client) -> None:
    result = await client.call_tool("explain", {"query": "Which five customers spent the most?"})

    assert not result.is_error
    data = result.structured_content
    assert data is not None
    assert data["total_cost"] > 0
    assert data["plan_rows"] >= 1
    assert "Limit" in data["plan_text"]


@pytest.mark.anyio
async def test_get_schema_lists_tables_views_columns_and_keys(client: Client) -> None:
    result = await client.call_tool("get_schema", {"format": "detailed"})

    assert not result.is_error
    data = result.structured_content
    assert data is not None
    tables = {t["name"]: t for t in data["tables"]}
    assert {"customers", "orders", "order_items", "customer_revenue"} <= set(tables)
    assert tables["customer_revenue"]["kind"] == "view"
    assert tables["orders"]["primary_key"] == ["id"]
    assert tables["orders"]["foreign_keys"][0]["ref_table"] == "customers"
    assert any(c["name"] == "placed_at" for c in tables["orders"]["columns"])


@pytest.mark.anyio
@pytest.mark.parametrize("question", ["Delete the canary", "Show the password hashes"])
async def test_a_write_or_a_catalog_read_is_err_005_and_changes_nothing(
    client: Client, shop_dsn: str, question: str
) -> None:
    result = await client.call_tool("query", {"query": question})

    assert _error_code(result) == "ERR_005"
    assert await _canary(shop_dsn) == "untouched"


@pytest.mark.anyio
async def test_a_reply_without_sql_is_err_004(client: Client) -> None:
    result = await client.call_tool("query", {"query": "What is the weather?"})

    assert _error_code(result) == "ERR_004"


@pytest.mark.anyio
async def test_sql_that_postgres_rejects_after_repairs_is_err_006(
    client: Client, llm: FakeLLMServer
) -> None:
    before = len(llm.requests)

    result = await client.call_tool("query", {"query": "Names please"})

    assert _error_code(result) == "ERR_006"
    assert result.structured_content is not None
    assert result.structured_content["error"]["sqlstate"] == "42703"
    assert len(llm.requests) - before == 3  # the draft and two repairs
    assert 'column "nme" does not exist' in str(llm.requests[-1]["messages"][-1]["content"])


@pytest.mark.anyio
async def test_a_query_past_the_timeout_is_err_010_and_neither_repaired_nor_retried(
    client: Client, llm: FakeLLMServer
) -> None:
    before = len(llm.requests)

    result = await client.call_tool("query", {"query": "Count everything forever"})

    assert _error_code(result) == "ERR_010"
    assert len(llm.requests) - before == 1  # a slower draft would only time out again


@pytest.mark.anyio
async def test_an_unknown_database_is_err_008(client: Client) -> None:
    result = await client.call_tool("query", {"query": "q", "database": "elsewhere"})

    assert _error_code(result) == "ERR_008"


@pytest.mark.anyio
async def test_a_failing_model_endpoint_is_err_003(client: Client, llm: FakeLLMServer) -> None:
    llm.script(Fault(status=500), Fault(status=500), Fault(status=500), Fault(status=500))

    result = await client.call_tool("query", {"query": "Anything"})

    assert _error_code(result) == "ERR_003"
