"""pg-mcp serve --http: MCP over streamable HTTP, health routes, Host/Origin checks."""

from collections.abc import Iterator

import httpx2
import pytest

from tests.e2e.stdio import run_pg_mcp, server_env
from tests.http.serving import HttpServer, http_client, http_server, post_mcp


@pytest.fixture(scope="module")
def server(shop_dsn: str) -> Iterator[HttpServer]:
    with http_server(server_env(shop_dsn, None)) as running:
        yield running


@pytest.mark.anyio
async def test_an_mcp_client_lists_tools_and_queries_over_http(server: HttpServer) -> None:
    async with http_client(server.url) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("query", {"query": "SELECT count(*) AS n FROM customers"})
    assert tools == {"query", "explain", "get_schema"}
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["columns"] == ["n"]


@pytest.mark.anyio
async def test_an_unsafe_statement_is_refused_with_err_005_over_http(server: HttpServer) -> None:
    async with http_client(server.url) as client:
        result = await client.call_tool("query", {"query": "DELETE FROM customers"})
    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "ERR_005"


@pytest.mark.anyio
async def test_health_and_readiness_answer_when_the_database_is_up(server: HttpServer) -> None:
    async with httpx2.AsyncClient(base_url=server.base) as web:
        health = await web.get("/healthz")
        ready = await web.get("/readyz")
    assert health.status_code == 200
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "databases": {"default": None}}


@pytest.mark.anyio
async def test_an_initialize_post_is_answered(server: HttpServer) -> None:
    reply = await post_mcp(server.url)
    assert reply.status_code == 200


@pytest.mark.anyio
async def test_a_foreign_host_header_is_refused_with_421(server: HttpServer) -> None:
    reply = await post_mcp(server.url, Host="evil.example:80")
    assert reply.status_code == 421


@pytest.mark.anyio
async def test_a_foreign_origin_is_refused_with_403(server: HttpServer) -> None:
    reply = await post_mcp(server.url, Origin="https://evil.example")
    assert reply.status_code == 403


def test_serving_other_machines_without_authentication_refuses_to_start(shop_dsn: str) -> None:
    done = run_pg_mcp("serve", "--http", "0.0.0.0:0", env=server_env(shop_dsn, None))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PG_MCP_AUTH_TOKENS" in lines[0]
