"""Who may call over HTTP: static tokens, OAuth JWTs bound to this server, scopes, limits."""

from collections.abc import Iterator

import httpx2
import pytest

from tests.e2e.stdio import server_env
from tests.http.issuer import Issuer, new_key, running_issuer
from tests.http.serving import (
    MCP_HEADERS,
    HttpServer,
    http_client,
    http_server,
    post_mcp,
    tool_call,
)

STATIC = "static-token-for-the-ops-team-0001"
PUBLIC_URL = "http://pg-mcp.test/mcp"
METADATA = "http://pg-mcp.test/.well-known/oauth-protected-resource/mcp"
FULL = "pg-mcp tool:* database:*"
CALLS_PER_SUBJECT = 3


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    with running_issuer() as running:
        yield running


@pytest.fixture(scope="module")
def server(shop_dsn: str, issuer: Issuer) -> Iterator[HttpServer]:
    env = server_env(
        shop_dsn,
        None,
        PG_MCP_AUTH_TOKENS=f'{{"{STATIC}": "ops"}}',
        PG_MCP_OAUTH_ISSUER=issuer.url,
        PG_MCP_OAUTH_JWKS_URL=issuer.jwks_url,
        PG_MCP_HTTP_PUBLIC_URL=PUBLIC_URL,
        PG_MCP_OAUTH_REQUIRED_SCOPES="pg-mcp",
        PG_MCP_AUTH_SCOPED="true",
        PG_MCP_RATE_LIMIT_REQUESTS=str(CALLS_PER_SUBJECT),
        PG_MCP_RATE_LIMIT_WINDOW="3600",
        PG_MCP_LOG_LEVEL="DEBUG",
        PG_MCP_LOG_REQUESTS="true",
    )
    with http_server(env) as running:
        yield running
    # Every line is written by now: not one may hold a token.
    logged = "".join(running.stderr)
    assert STATIC not in logged
    assert "eyJ" not in logged  # the start of every JWT


def _token(issuer: Issuer, subject: str, scope: str = FULL, **options: object) -> str:
    return issuer.token(subject, audience=PUBLIC_URL, scope=scope, **options)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_call_without_a_token_gets_401_pointing_at_the_metadata(
    server: HttpServer,
) -> None:
    reply = await post_mcp(server.url)
    assert reply.status_code == 401
    challenge = reply.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{METADATA}"' in challenge


@pytest.mark.anyio
async def test_the_protected_resource_metadata_names_the_issuer(
    server: HttpServer, issuer: Issuer
) -> None:
    async with httpx2.AsyncClient(base_url=server.base) as web:
        reply = await web.get("/.well-known/oauth-protected-resource/mcp")
    assert reply.status_code == 200
    document = reply.json()
    assert document["resource"] == PUBLIC_URL
    assert document["authorization_servers"] == [issuer.url]


@pytest.mark.anyio
async def test_a_static_token_calls_the_tools(server: HttpServer) -> None:
    async with http_client(server.url, STATIC) as client:
        result = await client.call_tool("query", {"query": "SELECT 1 AS one"})
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["rows"] == [[1]]


@pytest.mark.anyio
async def test_an_issuer_s_token_for_this_server_calls_the_tools(
    server: HttpServer, issuer: Issuer
) -> None:
    async with http_client(server.url, _token(issuer, "erin")) as client:
        result = await client.call_tool("query", {"query": "SELECT 1 AS one"})
    assert not result.is_error


@pytest.mark.anyio
@pytest.mark.parametrize(
    "forgery",
    [
        {"expires_in": -120},
        {"audience": "http://another-server.test/mcp"},
        {"key": "other"},
        {"issuer": "http://not-the-issuer.test"},
    ],
    ids=["expired", "wrong-audience", "wrong-signature", "wrong-issuer"],
)
async def test_a_bad_token_gets_401(
    server: HttpServer, issuer: Issuer, forgery: dict[str, object]
) -> None:
    options = dict(forgery)
    if options.get("key") == "other":
        options["key"] = new_key()
    audience = str(options.pop("audience", PUBLIC_URL))
    token = issuer.token("mallory", audience=audience, scope=FULL, **options)  # type: ignore[arg-type]
    reply = await post_mcp(server.url, Authorization=f"Bearer {token}")
    assert reply.status_code == 401
    assert 'error="invalid_token"' in reply.headers["www-authenticate"]


@pytest.mark.anyio
async def test_a_token_without_the_required_scope_gets_403(
    server: HttpServer, issuer: Issuer
) -> None:
    token = _token(issuer, "frank", scope="tool:* database:*")
    reply = await post_mcp(server.url, Authorization=f"Bearer {token}")
    assert reply.status_code == 403
    assert 'error="insufficient_scope"' in reply.headers["www-authenticate"]


@pytest.mark.anyio
async def test_a_tool_the_token_does_not_grant_gets_403_naming_the_scope(
    server: HttpServer, issuer: Issuer
) -> None:
    token = _token(issuer, "grace", scope="pg-mcp tool:get_schema database:default")
    async with http_client(server.url, token) as client:
        described = await client.call_tool("get_schema", {})
    refused = await post_mcp(
        server.url, tool_call("query", query="SELECT 1"), Authorization=f"Bearer {token}"
    )
    assert not described.is_error
    assert refused.status_code == 403
    challenge = refused.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="tool:query"' in challenge


@pytest.mark.anyio
async def test_a_database_the_token_does_not_grant_is_refused(
    server: HttpServer, issuer: Issuer
) -> None:
    token = _token(issuer, "heidi", scope="pg-mcp tool:query database:other")
    named = await post_mcp(
        server.url,
        tool_call("query", query="SELECT 1", database="default"),
        Authorization=f"Bearer {token}",
    )
    async with http_client(server.url, token) as client:
        routed = await client.call_tool("query", {"query": "SELECT 1"})
    assert named.status_code == 403
    assert 'scope="database:default"' in named.headers["www-authenticate"]
    assert routed.is_error
    assert routed.structured_content is not None
    assert routed.structured_content["error"]["code"] == "ERR_008"


@pytest.mark.anyio
async def test_rate_limits_count_per_subject(server: HttpServer, issuer: Issuer) -> None:
    async with http_client(server.url, _token(issuer, "ivan")) as ivan:
        for _ in range(CALLS_PER_SUBJECT):
            assert not (await ivan.call_tool("query", {"query": "SELECT 1"})).is_error
        refused = await ivan.call_tool("query", {"query": "SELECT 1"})
    async with http_client(server.url, _token(issuer, "judy")) as judy:
        other = await judy.call_tool("query", {"query": "SELECT 1"})
    assert refused.is_error
    assert refused.structured_content is not None
    error = refused.structured_content["error"]
    assert error["code"] == "ERR_009"
    assert error["retry_after"] > 0
    assert not other.is_error


@pytest.mark.anyio
async def test_a_body_the_gate_cannot_read_is_refused_not_passed_on(
    server: HttpServer, issuer: Issuer
) -> None:
    token = _token(issuer, "kim", scope="pg-mcp tool:get_schema database:*")
    async with httpx2.AsyncClient() as web:
        reply = await web.post(
            server.url,
            content=b'{"method": "tools/call", "params": {"name": "query"',
            headers=MCP_HEADERS
            | {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
    assert reply.status_code == 400


@pytest.mark.anyio
async def test_an_oversized_body_with_a_valid_token_is_refused_with_413(
    server: HttpServer, issuer: Issuer
) -> None:
    # Past the gates that read bodies (scopes, revision), which must not buffer it all.
    padding = "x" * (1024 * 1024)
    body = tool_call("query", query=f"SELECT 1 -- {padding}")
    reply = await post_mcp(server.url, body, Authorization=f"Bearer {_token(issuer, 'liam')}")
    assert reply.status_code == 413
