"""Through the real container: SQL drafted by the client's own model, and results judged."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext
from mcp.types import CreateMessageRequestParams, CreateMessageResult, TextContent

from adapters.mcp.server import build_server
from adapters.memory.scripted_chat_model import ScriptedChatModel
from bootstrap.runtime import running_container
from bootstrap.serving import use_cases
from tests.container_settings import settings_for

COUNT = "SELECT count(*) AS customers FROM customers"


async def client_model(
    context: ClientRequestContext, params: CreateMessageRequestParams
) -> CreateMessageResult:
    """The MCP client's own model: answers every drafting request with COUNT."""
    return CreateMessageResult(
        role="assistant", content=TextContent(type="text", text=f"```sql\n{COUNT}\n```"), model="m"
    )


@pytest.mark.anyio
async def test_with_sampling_the_clients_model_drafts_and_rows_come_back(shop_dsn: str) -> None:
    settings = settings_for(shop_dsn, llm={"provider": "sampling"})
    async with running_container(settings) as container:
        server = build_server(await use_cases(container))
        async with Client(server, sampling_callback=client_model, mode="legacy") as client:
            result = await client.call_tool("query", {"query": "How many customers?"})

    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["sql"] == COUNT
    assert result.structured_content["row_count"] == 1


@asynccontextmanager
async def judged(dsn: str, verdict: str, *, strict: bool) -> AsyncIterator[Client]:
    query = {"result_validation_enabled": True, "result_validation_strict": strict}
    async with running_container(settings_for(dsn, query=query)) as container:
        container.chat_model.override(ScriptedChatModel([COUNT, verdict]))
        async with Client(build_server(await use_cases(container))) as client:
            yield client


def _error_code(result: Any) -> str | None:
    return result.structured_content["error"]["code"] if result.is_error else None


@pytest.mark.anyio
async def test_a_failing_verdict_comes_back_as_a_warning_beside_the_rows(shop_dsn: str) -> None:
    verdict = '{"answers_question": false, "reason": "counts customers, not orders"}'
    async with judged(shop_dsn, verdict, strict=False) as client:
        result = await client.call_tool("query", {"query": "How many orders?"})

    data = result.structured_content
    assert data is not None
    assert data["row_count"] == 1
    assert data["validation"]["verdict"] == "fail"
    assert "judge_failed" in [w["code"] for w in data["warnings"]]


@pytest.mark.anyio
async def test_in_strict_mode_a_failing_verdict_is_err_007(shop_dsn: str) -> None:
    verdict = '{"answers_question": false, "reason": "counts customers, not orders"}'
    async with judged(shop_dsn, verdict, strict=True) as client:
        result = await client.call_tool("query", {"query": "How many orders?"})

    assert _error_code(result) == "ERR_007"


@pytest.mark.anyio
async def test_a_passing_verdict_has_no_warning(shop_dsn: str) -> None:
    async with judged(shop_dsn, '{"answers_question": true, "reason": "ok"}', strict=True) as c:
        result = await c.call_tool("query", {"query": "How many customers?"})

    data = result.structured_content
    assert data is not None
    assert data["validation"]["verdict"] == "pass"
    assert data["warnings"] == []
