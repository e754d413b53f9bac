"""pg-mcp serve --http: MCP over streamable HTTP, health routes, Host/Origin checks."""

import json
from collections.abc import Iterator

import anyio
import httpx2
import pytest

from tests.e2e.stdio import run_pg_mcp, server_env
from tests.http.serving import (
    CURRENT_REVISION,
    HttpServer,
    current_headers,
    current_request,
    http_client,
    http_server,
    post_mcp,
    tool_call,
    wait_for_line,
)

MAX_BODY = 4096
# A second database nobody listens for: /readyz must name it.
DOWN = "postgresql://nobody@127.0.0.1:1/gone"


@pytest.fixture(scope="module")
def server(shop_dsn: str) -> Iterator[HttpServer]:
    databases = json.dumps([{"name": "shop", "dsn": shop_dsn}, {"name": "down", "dsn": DOWN}])
    env = server_env(
        shop_dsn,
        None,
        PG_MCP_DATABASES=databases,
        PG_MCP_HTTP_MAX_BODY_BYTES=str(MAX_BODY),
        PG_MCP_RETRY_MAX_ATTEMPTS="1",
    )
    with http_server(env) as running:
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
async def test_readiness_names_an_unreachable_database_while_health_holds(
    server: HttpServer,
) -> None:
    async with httpx2.AsyncClient(base_url=server.base) as web:
        health = await web.get("/healthz")
        ready = await web.get("/readyz")
    assert health.status_code == 200
    assert ready.status_code == 503
    databases = ready.json()["databases"]
    assert databases["shop"] is None
    assert databases["down"].startswith("unreachable")


@pytest.mark.anyio
async def test_metrics_are_served_for_a_scraper(server: HttpServer) -> None:
    async with http_client(server.url) as client:
        await client.call_tool("query", {"query": "SELECT 3 AS three"})
    async with httpx2.AsyncClient(base_url=server.base) as web:
        reply = await web.get("/metrics")
    assert reply.status_code == 200
    assert 'outcome="ok",tool="query"}' in reply.text


@pytest.mark.anyio
async def test_a_client_of_the_initialize_handshake_is_served(server: HttpServer) -> None:
    async with http_client(server.url, mode="legacy") as client:
        result = await client.call_tool("query", {"query": "SELECT 2 AS two"})
    assert not result.is_error


@pytest.mark.anyio
async def test_an_oversized_body_is_refused_with_413(server: HttpServer) -> None:
    body = tool_call("query", query="SELECT 1 -- " + "x" * MAX_BODY)
    reply = await post_mcp(server.url, body)
    assert reply.status_code == 413


@pytest.mark.anyio
async def test_a_current_client_discovers_the_server_without_a_session(server: HttpServer) -> None:
    body = current_request("server/discover")
    reply = await post_mcp(server.url, body, **current_headers("server/discover"))

    assert reply.status_code == 200
    assert "mcp-session-id" not in reply.headers  # stateless: any replica takes the next one
    result = reply.json()["result"]
    assert CURRENT_REVISION in result["supportedVersions"]
    assert "tools" in result["capabilities"]
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "pg-mcp"


CALL = current_request("tools/call", name="query", arguments={"query": "SELECT 5 AS five"})


@pytest.mark.anyio
async def test_a_current_revision_call_whose_headers_match_its_body_is_answered(
    server: HttpServer,
) -> None:
    reply = await post_mcp(server.url, CALL, **current_headers("tools/call", "query"))

    assert reply.status_code == 200
    assert reply.json()["result"]["structuredContent"]["rows"] == [[5]]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (current_headers("tools/list", "query"), "mcp-method"),
        (current_headers("tools/call", "explain"), "mcp-name"),
        (current_headers("tools/call"), "mcp-name"),
        ({"MCP-Protocol-Version": CURRENT_REVISION}, "mcp-method"),
        (
            current_headers("tools/call", "query") | {"MCP-Protocol-Version": "2025-11-25"},
            "version",
        ),
    ],
    ids=["method-contradicts", "name-contradicts", "name-missing", "method-missing", "version"],
)
async def test_a_header_that_contradicts_or_omits_the_body_is_refused_with_400(
    server: HttpServer, headers: dict[str, str], named: str
) -> None:
    reply = await post_mcp(server.url, CALL, **headers)

    assert reply.status_code == 400
    assert named in reply.json()["error"]["message"]


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


@pytest.mark.parametrize(
    ("bind", "extra", "named"),
    [
        ("localhost", {}, "--http"),
        ("127.0.0.1:99999", {}, "--http"),
        ("127.0.0.1:0", {"PG_MCP_OAUTH_JWKS_URL": "http://issuer.test/jwks"}, "PG_MCP_OAUTH"),
    ],
    ids=["no-port", "port-out-of-range", "oauth-without-issuer"],
)
def test_a_bad_http_set_up_stops_start_up_in_one_line(
    shop_dsn: str, bind: str, extra: dict[str, str], named: str
) -> None:
    done = run_pg_mcp("serve", "--http", bind, env=server_env(shop_dsn, None, **extra))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert named in lines[0]


def test_serving_other_machines_without_authentication_refuses_to_start(shop_dsn: str) -> None:
    done = run_pg_mcp("serve", "--http", "0.0.0.0:0", env=server_env(shop_dsn, None))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PG_MCP_AUTH_TOKENS" in lines[0]


@pytest.fixture(scope="module")
def open_door(shop_dsn: str) -> Iterator[HttpServer]:
    """All interfaces, no authentication, asked for by name; audit lines on stderr."""
    env = server_env(
        shop_dsn, None, PG_MCP_HTTP_ALLOW_UNAUTHENTICATED="true", PG_MCP_AUDIT_LOG="stderr"
    )
    with http_server(env, bind="0.0.0.0:0") as running:
        yield running


@pytest.mark.anyio
async def test_serving_other_machines_without_authentication_starts_when_asked_by_name(
    open_door: HttpServer,
) -> None:
    assert open_door.url.startswith("http://0.0.0.0:")
    local = open_door.url.replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - reading its log
    async with http_client(local) as client:
        result = await client.call_tool("query", {"query": "SELECT 8 AS eight"})
    assert result.structured_content is not None
    assert result.structured_content["rows"] == [[8]]


@pytest.mark.anyio
async def test_the_audit_log_on_stderr_holds_a_line_per_call(open_door: HttpServer) -> None:
    sql = "SELECT 9 AS nine"
    local = open_door.url.replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - reading its log
    async with http_client(local) as client:
        await client.call_tool("query", {"query": sql})

    line = await anyio.to_thread.run_sync(
        wait_for_line, open_door.lines, open_door.stderr, lambda line: line.get("sql") == sql
    )
    assert line["audit"] == "tool_call"
    assert (line["tool"], line["database"], line["rows"], line["code"]) == (
        "query",
        "default",
        1,
        None,
    )


@pytest.mark.anyio
async def test_readiness_names_a_database_whose_circuit_is_open(shop_dsn: str) -> None:
    databases = json.dumps([{"name": "shop", "dsn": shop_dsn}, {"name": "down", "dsn": DOWN}])
    env = server_env(
        shop_dsn,
        None,
        PG_MCP_DATABASES=databases,
        PG_MCP_RETRY_MAX_ATTEMPTS="1",
        PG_MCP_CIRCUIT_FAILURE_THRESHOLD="1",
        PG_MCP_CIRCUIT_OPEN_SECONDS="3600",
    )
    with http_server(env) as running:
        async with http_client(running.url) as client:
            failed = await client.call_tool("query", {"query": "SELECT 1", "database": "down"})
        async with httpx2.AsyncClient(base_url=running.base) as web:
            ready = await web.get("/readyz")

    assert failed.is_error
    assert ready.status_code == 503
    assert ready.json()["databases"] == {"shop": None, "down": "circuit open"}
