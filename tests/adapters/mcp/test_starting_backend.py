"""Tools over a backend that is still starting: a call waits for it, or gets the start's error."""

import asyncio

import pytest
from jsonschema import Draft202012Validator
from mcp import Client

from adapters.mcp.server import Backend, UseCases, build_server_over
from domain.errors import DatabaseUnavailable
from domain.models import ColumnInfo, QueryResult
from tests.application.shop import build_world

TOP = "SELECT name, country FROM customers ORDER BY name"
ROWS = QueryResult(columns=(ColumnInfo(name="name", type="text"),), rows=(("Ada",),))


@pytest.mark.anyio
async def test_a_call_made_while_the_backend_starts_is_answered_once_it_is_ready() -> None:
    world = build_world([], {TOP: ROWS})
    started = asyncio.Event()

    async def ready() -> Backend:
        await started.wait()
        use_cases = UseCases(answer=world.answer, explain=world.explain, describe=world.describe)
        return Backend(use_cases=use_cases)

    async with Client(build_server_over(ready)) as client:
        tools = (await client.list_tools()).tools  # listed before the backend is there
        call = asyncio.create_task(client.call_tool("query", {"query": TOP}))
        await asyncio.sleep(0.2)
        waiting = not call.done()
        started.set()
        result = await asyncio.wait_for(call, 10)

    assert len(tools) == 3
    assert waiting
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["rows"] == [["Ada"]]


@pytest.mark.anyio
async def test_a_call_after_a_failed_start_gets_err_001_in_the_published_shape() -> None:
    async def ready() -> Backend:
        raise DatabaseUnavailable("pg-mcp could not start: PG_MCP_DB_ROLE: role x does not exist")

    async with Client(build_server_over(ready)) as client:
        schema = {t.name: t.output_schema for t in (await client.list_tools()).tools}
        results = {
            tool: await client.call_tool(tool, arguments)
            for tool, arguments in (
                ("query", {"query": TOP}),
                ("explain", {"query": TOP}),
                ("get_schema", {}),
            )
        }

    for tool, result in results.items():
        assert result.is_error
        assert result.structured_content is not None
        assert result.structured_content["error"]["code"] == "ERR_001"
        assert "PG_MCP_DB_ROLE" in result.structured_content["error"]["message"]
        published = schema[tool]
        assert published is not None
        Draft202012Validator(published).validate(result.structured_content)
