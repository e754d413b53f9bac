"""Redis down under two replicas: calls are refused (fail closed) or answered (fail open).

What an MCP client sees while the shared store is unreachable, what /readyz tells a load
balancer, and that the shared limit holds again across replicas once Redis is back.
"""

from collections.abc import Iterator
from contextlib import ExitStack

import httpx2
import pytest
from mcp.types import CallToolResult, TextContent

from tests.e2e.stdio import server_env
from tests.fake_llm_server import FakeLLMServer
from tests.http.serving import HttpServer, http_client, http_server
from tests.redis_server import RedisServer, running_redis

# One subject per phase of each test: no test depends on the windows another left behind.
NAMES = ("alice", "bob", "carol", "dave", "erin", "frank", "grace")
TOKENS = {f"{name}-token-for-redis-outage": name for name in NAMES}
ALICE, BOB, CAROL, DAVE, ERIN, FRANK, GRACE = TOKENS
CALLS = 2
UNREACHABLE = "ERR_009: Rate limits cannot be checked: the shared store is unreachable"

Replicas = tuple[RedisServer, HttpServer, HttpServer]


def _replicas(shop_dsn: str, llm: str | None = None, **extra: str) -> Iterator[Replicas]:
    with running_redis() as redis, ExitStack() as stack:
        env = server_env(
            shop_dsn,
            llm,
            PG_MCP_AUTH_TOKENS=str(TOKENS).replace("'", '"'),
            PG_MCP_REDIS_URL=redis.url,
            PG_MCP_RATE_LIMIT_REQUESTS=str(CALLS),
            PG_MCP_RATE_LIMIT_WINDOW="3600",
            **extra,
        )
        first = stack.enter_context(http_server(env))
        yield redis, first, stack.enter_context(http_server(env))


@pytest.fixture(scope="module")
def failing_closed(shop_dsn: str) -> Iterator[Replicas]:
    """PG_MCP_REDIS_FAIL_OPEN unset: the default, refuse while Redis is unreachable."""
    yield from _replicas(shop_dsn)


@pytest.fixture(scope="module")
def failing_open(shop_dsn: str) -> Iterator[Replicas]:
    """With a model, so that the model-call budget kept in Redis is crossed too."""
    with FakeLLMServer() as llm:
        yield from _replicas(shop_dsn, llm.base_url, PG_MCP_REDIS_FAIL_OPEN="true")


@pytest.fixture
def redis_up(request: pytest.FixtureRequest) -> None:
    """Each test starts with its module's Redis running, whatever the test before did."""
    redis: RedisServer = request.getfixturevalue(request.param)[0]
    if redis.process is None:
        redis.start()


async def _query(server: HttpServer, token: str) -> CallToolResult:
    async with http_client(server.url, token) as client:
        return await client.call_tool("query", {"query": "SELECT 7 AS seven"})


def _text(result: CallToolResult) -> str:
    (content,) = result.content
    assert isinstance(content, TextContent)
    return content.text


def _rows(result: CallToolResult) -> object:
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    return result.structured_content["rows"]


def _refused_as_unreachable(result: CallToolResult) -> bool:
    assert result.structured_content is not None
    error = result.structured_content["error"]
    return bool(
        result.is_error and _text(result).startswith(UNREACHABLE) and error["code"] == "ERR_009"
    )


async def _readyz(server: HttpServer) -> httpx2.Response:
    async with httpx2.AsyncClient(base_url=server.base, timeout=30) as web:
        return await web.get("/readyz")


async def _limit_holds_across(first: HttpServer, second: HttpServer, token: str) -> None:
    spent = [_rows(await _query(first if i % 2 else second, token)) for i in range(CALLS)]
    assert spent == [[[7]]] * CALLS
    for replica in (first, second):
        over = await _query(replica, token)
        assert over.is_error
        assert _text(over).startswith("ERR_009: Rate limit of 2 requests per 3600 s reached")
        assert over.structured_content is not None
        assert over.structured_content["error"]["retry_after"] > 0  # the seconds to wait


@pytest.mark.anyio
@pytest.mark.parametrize("redis_up", ["failing_closed"], indirect=True)
@pytest.mark.usefixtures("redis_up")
async def test_redis_killed_failing_closed_refuses_with_err_009_then_the_limit_holds_again(
    failing_closed: Replicas,
) -> None:
    redis, first, second = failing_closed
    assert _rows(await _query(first, ALICE)) == [[7]]

    redis.stop()
    assert _refused_as_unreachable(await _query(first, ALICE))
    assert _refused_as_unreachable(await _query(second, BOB))

    redis.start()  # empty: windows counted before the outage are gone
    await _limit_holds_across(first, second, CAROL)


@pytest.mark.anyio
@pytest.mark.parametrize("redis_up", ["failing_closed"], indirect=True)
@pytest.mark.usefixtures("redis_up")
async def test_redis_paused_failing_closed_refuses_then_answers_when_it_resumes(
    failing_closed: Replicas,
) -> None:
    redis, first, second = failing_closed
    with redis.paused():
        assert _refused_as_unreachable(await _query(first, DAVE))
        assert _refused_as_unreachable(await _query(second, DAVE))
    # Redis ran the hits it held once it resumed, so DAVE's refused calls were counted anyway;
    # another subject shows the limit holding again.
    await _limit_holds_across(first, second, ERIN)


@pytest.mark.anyio
@pytest.mark.parametrize("redis_up", ["failing_open"], indirect=True)
@pytest.mark.usefixtures("redis_up")
async def test_redis_killed_failing_open_answers_with_rows_then_the_limit_holds_again(
    failing_open: Replicas,
) -> None:
    redis, first, second = failing_open
    redis.stop()
    # Unlimited while Redis is away: more calls than the limit, on both replicas, all answered.
    for _ in range(CALLS + 1):
        assert _rows(await _query(first, FRANK)) == [[7]]
        assert _rows(await _query(second, FRANK)) == [[7]]
    async with http_client(first.url, GRACE) as client:
        asked = await client.call_tool("query", {"query": "Is anyone there?"})
    assert _rows(asked) == [[1]]  # the model was called: its budget admits while Redis is away

    redis.start()
    await _limit_holds_across(first, second, FRANK)


@pytest.mark.anyio
@pytest.mark.parametrize("redis_up", ["failing_closed"], indirect=True)
@pytest.mark.usefixtures("redis_up")
async def test_readyz_takes_a_replica_failing_closed_out_of_rotation_while_redis_is_down(
    failing_closed: Replicas,
) -> None:
    redis, first, _ = failing_closed
    up = await _readyz(first)
    assert (up.status_code, up.json()["redis"]) == (200, None)

    redis.stop()
    down = await _readyz(first)
    assert down.status_code == 503
    assert down.json()["status"] == "unready"
    assert down.json()["redis"].startswith("unreachable")


@pytest.mark.anyio
@pytest.mark.parametrize("redis_up", ["failing_open"], indirect=True)
@pytest.mark.usefixtures("redis_up")
async def test_readyz_keeps_a_replica_failing_open_in_rotation_and_names_the_outage(
    failing_open: Replicas,
) -> None:
    redis, first, _ = failing_open
    redis.stop()
    down = await _readyz(first)
    assert down.status_code == 200
    assert down.json()["status"] == "ready"
    assert down.json()["redis"].startswith("unreachable")
