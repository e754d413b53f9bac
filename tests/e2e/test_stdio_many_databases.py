"""Several databases behind one stdio server: listing, routing, naming, independent failures."""

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from mcp import Client

from tests.e2e.stdio import question_of, server_env, stdio_client
from tests.fake_llm_server import FakeLLMServer, Json
from tests.pg import FIXTURES, create_database

PER_DEPARTMENT = (
    "SELECT d.name, count(*) AS staff FROM employees e JOIN departments d "
    "ON d.id = e.department_id GROUP BY d.name ORDER BY d.name"
)
SQL_FOR = {
    "How many staff work in each department?": PER_DEPARTMENT,
    "How many customers are there?": "SELECT count(*) AS customers FROM customers",
}


def responder(request: Json) -> str:
    return SQL_FOR.get(question_of(request), "SELECT 1")


@pytest.fixture(scope="module")
def hr_dsn(pg_admin_dsn: str) -> str:
    return create_database(pg_admin_dsn, (FIXTURES / "hr_schema.sql",), prefix="hr")


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(responder=responder) as server:
        yield server


@pytest.fixture(scope="module")
async def client(shop_dsn: str, hr_dsn: str, llm: FakeLLMServer) -> AsyncIterator[Client]:
    databases = [
        {"name": "shop", "dsn": shop_dsn, "pool_max": 2},
        {"name": "hr", "dsn": hr_dsn, "pool_max": 2, "description": "staff and departments"},
        {"name": "archive", "dsn": "postgresql://u:pw@127.0.0.1:1/gone", "pool_min": 0},
    ]
    env = server_env(
        shop_dsn,
        llm.base_url,
        PG_MCP_DATABASES=json.dumps(databases),
        PG_MCP_POOL_ACQUIRE_TIMEOUT="1",
        PG_MCP_RETRY_MAX_ATTEMPTS="1",
    )
    async with stdio_client(env) as client:
        yield client


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return dict(result.structured_content)


@pytest.mark.anyio
async def test_get_schema_without_a_name_lists_every_database(client: Client) -> None:
    data = _data(await client.call_tool("get_schema", {}))

    listed = {d["name"]: d for d in data["databases"]}
    assert set(listed) == {"shop", "hr", "archive"}
    assert listed["hr"]["relations"] == 3
    assert listed["archive"]["relations"] is None


@pytest.mark.anyio
async def test_a_question_is_routed_to_the_database_that_fits_and_the_reply_says_so(
    client: Client,
) -> None:
    data = _data(
        await client.call_tool("query", {"query": "How many staff work in each department?"})
    )

    assert data["database"] == "hr"
    assert data["rows"] == [["Engineering", 10], ["Finance", 10], ["Sales", 10]]
    routing = data["routing"]
    assert routing["runner_up"] == "shop"
    assert routing["scores"]["hr"] > routing["scores"]["shop"]
    assert routing["skipped"]["archive"].startswith("ERR_001")


@pytest.mark.anyio
async def test_a_named_database_answers_while_another_is_down(client: Client) -> None:
    data = _data(
        await client.call_tool(
            "query", {"query": "How many customers are there?", "database": "shop"}
        )
    )

    assert data["database"] == "shop"
    assert data["row_count"] == 1


@pytest.mark.anyio
async def test_the_database_that_is_down_answers_err_001(client: Client) -> None:
    result = await client.call_tool("get_schema", {"database": "archive"})

    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "ERR_001"
    assert result.structured_content["error"]["database"] == "archive"


@pytest.mark.anyio
async def test_an_unknown_database_is_err_008_listing_the_known_ones(client: Client) -> None:
    result = await client.call_tool("get_schema", {"database": "nope"})

    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith("ERR_008")
    assert "shop" in text
    assert "hr" in text
