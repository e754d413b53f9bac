"""Runtime limits set by configuration take effect through the query tool."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client

from adapters.mcp.server import build_server
from adapters.memory.scripted_chat_model import ScriptedChatModel
from bootstrap.runtime import running_container
from bootstrap.serving import use_cases
from tests.container_settings import settings_for

WIDE = "SELECT o.id, repeat('x', 400) AS padding FROM orders o ORDER BY o.id"


@asynccontextmanager
async def client_for(dsn: str, sql: str, **query: Any) -> AsyncIterator[Client]:
    async with running_container(settings_for(dsn, query=query)) as container:
        container.chat_model.override(ScriptedChatModel(responder=lambda _messages: sql))
        async with Client(build_server(await use_cases(container))) as client:
            yield client


@pytest.mark.anyio
async def test_a_plan_above_the_cost_limit_is_refused_before_it_runs(shop_dsn: str) -> None:
    costly = "SELECT count(*) FROM order_items a CROSS JOIN order_items b"
    async with client_for(shop_dsn, costly, max_query_cost=1000.0) as client:
        result = await client.call_tool("query", {"query": "pairs of order lines"})

    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "ERR_005"
    assert result.structured_content["error"]["rule"] == "max_query_cost"


@pytest.mark.anyio
async def test_rows_past_the_byte_cap_are_cut_and_marked_truncated(shop_dsn: str) -> None:
    async with client_for(shop_dsn, WIDE, max_result_bytes=20_000) as client:
        result = await client.call_tool("query", {"query": "orders with padding"})

    data = result.structured_content
    assert data is not None
    assert not result.is_error
    assert data["truncated"] is True
    assert 10 < data["row_count"] < 50
