"""SIGTERM while a call is in flight: the call still gets its answer, then the server exits."""

import json
import signal
import threading
from collections.abc import Iterator

import anyio
import httpx2
import pytest

from tests.e2e.stdio import server_env
from tests.fake_llm_server import FakeLLMServer, Json
from tests.http.serving import HttpServer, http_server, post_mcp, tool_call, wait_for_message

asked = threading.Event()
release = threading.Event()


def _slow_model(request: Json) -> str:
    """Answers only once the test has asked the server to stop."""
    asked.set()
    release.wait(timeout=60)
    return "SELECT 42 AS answer"


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(responder=_slow_model) as server:
        yield server


@pytest.fixture
def server(shop_dsn: str, llm: FakeLLMServer) -> Iterator[HttpServer]:
    with http_server(server_env(shop_dsn, llm.base_url)) as running:
        yield running


@pytest.mark.anyio
async def test_a_call_in_flight_at_sigterm_is_answered_before_the_server_exits(
    server: HttpServer,
) -> None:
    replies: list[httpx2.Response] = []

    async def ask() -> None:
        # A raw POST: an MCP client would open new connections the stopped listener refuses.
        body = tool_call("query", query="The answer, please")
        replies.append(await post_mcp(server.url, body, **{"MCP-Protocol-Version": "2025-06-18"}))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(ask)
        await anyio.to_thread.run_sync(asked.wait, 60)
        server.process.send_signal(signal.SIGTERM)
        await anyio.to_thread.run_sync(
            wait_for_message, server.lines, server.stderr, "Shutting down"
        )
        release.set()

    (reply,) = replies
    assert reply.status_code == 200
    data = next(line for line in reply.text.splitlines() if line.startswith("data:"))
    result = json.loads(data.removeprefix("data:"))["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["rows"] == [[42]]
    assert await anyio.to_thread.run_sync(server.process.wait, 60) == 0
