"""Two replicas and one Redis: a subject's rate limit is the same whichever replica it reaches."""

from collections.abc import Iterator
from contextlib import ExitStack

import httpx2
import pytest

from tests.e2e.stdio import server_env
from tests.http.serving import HttpServer, http_client, http_server
from tests.pg import FIXTURES, admin_execute, create_database
from tests.redis_server import running_redis

ALICE = "alice-token-for-the-replicas-01"
BOB = "bob-token-for-the-replicas-0001"
CAROL = "carol-token-for-the-replicas-01"
CALLS = 3


@pytest.fixture(scope="module")
def own_dsn(pg_admin_dsn: str) -> str:
    """A shop database of this module's own: a test changes its schema."""
    return create_database(pg_admin_dsn, (FIXTURES / "shop_schema.sql",), prefix="replicas")


@pytest.fixture(scope="module")
def replicas(own_dsn: str) -> Iterator[tuple[HttpServer, HttpServer]]:
    with running_redis() as redis, ExitStack() as stack:
        env = server_env(
            own_dsn,
            None,
            PG_MCP_AUTH_TOKENS=f'{{"{ALICE}": "alice", "{BOB}": "bob", "{CAROL}": "carol"}}',
            PG_MCP_REDIS_URL=redis.url,
            PG_MCP_RATE_LIMIT_REQUESTS=str(CALLS),
            PG_MCP_RATE_LIMIT_WINDOW="3600",
        )
        yield stack.enter_context(http_server(env)), stack.enter_context(http_server(env))


async def _call(server: HttpServer, token: str) -> str | None:
    """The error code of one query, or None when it answered."""
    async with http_client(server.url, token) as client:
        result = await client.call_tool("query", {"query": "SELECT 1 AS one"})
    if not result.is_error:
        return None
    assert result.structured_content is not None
    return str(result.structured_content["error"]["code"])


@pytest.mark.anyio
async def test_one_subject_s_limit_holds_across_replicas(
    replicas: tuple[HttpServer, HttpServer],
) -> None:
    first, second = replicas
    spent = [await _call(first if i % 2 == 0 else second, ALICE) for i in range(CALLS)]

    assert spent == [None] * CALLS
    assert await _call(first, ALICE) == "ERR_009"
    assert await _call(second, ALICE) == "ERR_009"
    assert await _call(second, BOB) is None


@pytest.mark.anyio
async def test_both_replicas_report_ready(replicas: tuple[HttpServer, HttpServer]) -> None:
    for replica in replicas:
        async with httpx2.AsyncClient(base_url=replica.base) as web:
            ready = await web.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "databases": {"default": None},
            "redis": None,
        }


async def _tables(server: HttpServer, *, refresh: bool = False) -> str:
    async with http_client(server.url, CAROL) as client:
        result = await client.call_tool("get_schema", {"refresh": refresh})
    assert not result.is_error
    return str(result.content[0].text)  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_a_schema_change_one_replica_sees_reaches_the_other(
    replicas: tuple[HttpServer, HttpServer], own_dsn: str
) -> None:
    first, second = replicas
    assert "audit_trail" not in await _tables(second)  # the second replica holds a snapshot

    await admin_execute(own_dsn, "CREATE TABLE audit_trail (id int PRIMARY KEY)")
    assert "audit_trail" in await _tables(first, refresh=True)

    assert "audit_trail" in await _tables(second)
