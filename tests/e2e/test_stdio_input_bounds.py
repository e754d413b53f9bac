"""Oversized and deeply nested input over real stdio: a coded refusal, and the server lives on."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from adapters.mcp.stdio_pipes import MAX_LINE_BYTES
from tests.e2e.stdio import server_env, stdio_client

MEGABYTE_EXPRESSION = "SELECT " + "1+" * 500_000 + "1"
CHAINED_OPERATORS = "SELECT " + "+".join(["1"] * 5_001)
NESTED_PARENTHESES = "SELECT " + "(" * 10_000 + "1" + ")" * 10_000
PAST_THE_LINE_LIMIT = "SELECT " + "1+" * (MAX_LINE_BYTES // 2) + "1"
INVALID_REQUEST = -32600


@pytest.fixture(scope="module")
async def client(shop_dsn: str) -> AsyncIterator[Client]:
    async with stdio_client(server_env(shop_dsn, None)) as client:
        yield client


def _error(result: Any) -> dict[str, Any]:
    assert result.is_error
    error: dict[str, Any] = result.structured_content["error"]
    assert result.content[0].text.startswith(f"{error['code']}: ")
    return error


async def _still_answers(client: Client) -> None:
    result = await client.call_tool("query", {"query": "SELECT 1 AS one"})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["rows"] == [[1]]


@pytest.mark.anyio
async def test_a_megabyte_expression_is_err_008_and_the_server_answers_the_next_call(
    client: Client,
) -> None:
    error = _error(await client.call_tool("query", {"query": MEGABYTE_EXPRESSION}))

    assert error["code"] == "ERR_008"
    assert "200,000" in error["message"]
    await _still_answers(client)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sql", "rule"),
    [(CHAINED_OPERATORS, "max_sql_chain"), (NESTED_PARENTHESES, "max_sql_depth")],
    ids=["5000-chained-operators", "10000-nested-parentheses"],
)
async def test_deep_sql_is_err_005_naming_the_limit_and_the_server_answers_the_next_call(
    client: Client, sql: str, rule: str
) -> None:
    for tool in ("query", "explain"):
        error = _error(await client.call_tool(tool, {"query": sql}))

        assert error["code"] == "ERR_005"
        assert error["rule"] == rule
    await _still_answers(client)


@pytest.mark.anyio
async def test_a_message_past_the_line_limit_is_a_json_rpc_error_and_the_next_call_is_answered(
    client: Client,
) -> None:
    with pytest.raises(MCPError) as refused:
        await client.call_tool("query", {"query": PAST_THE_LINE_LIMIT})

    assert refused.value.code == INVALID_REQUEST
    assert f"more than {MAX_LINE_BYTES:,} bytes" in refused.value.message
    await _still_answers(client)
