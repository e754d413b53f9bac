"""Progress notifications go only to a client that asked for them with a progressToken."""

import asyncio

import pytest

from tests.e2e.lean_client import LeanClient
from tests.e2e.stdio import server_env
from tests.fake_llm_server import FakeLLMServer

SQL = "SELECT id FROM customers ORDER BY id LIMIT 3"
CALL = {"name": "query", "arguments": {"query": "three customers"}}


@pytest.mark.anyio
async def test_progress_is_sent_only_when_the_client_sent_a_progress_token(
    shop_dsn: str, llm_server: FakeLLMServer
) -> None:
    llm_server.responder = lambda _request: SQL
    env = server_env(shop_dsn, llm_server.base_url)
    async with asyncio.timeout(60), LeanClient(["-m", "bootstrap"], env) as client:
        await client.initialize()
        client.notifications.clear()
        unasked = await client.request("tools/call", CALL)
        silent = list(client.notifications)
        asked = await client.request("tools/call", {**CALL, "_meta": {"progressToken": "p1"}})

    assert [unasked.get("isError"), asked.get("isError")] == [False, False]
    assert silent == []
    progress = [n["params"] for n in client.notifications if n["method"].endswith("/progress")]
    assert progress
    assert {p["progressToken"] for p in progress} == {"p1"}
    assert [p["message"] for p in progress][-1] == "running"
