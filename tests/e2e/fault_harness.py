"""The real container behind an in-memory MCP client, with the knobs the fault tests turn."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from mcp import Client
from mcp.types import CallToolResult
from pydantic import SecretStr

from adapters.mcp.server import build_server
from bootstrap.container import Container
from bootstrap.runtime import resolve, running_container
from bootstrap.serving import use_cases
from bootstrap.settings import DatabaseSettings, OpenAISettings, Settings
from domain.ports import Clock
from tests.container_settings import settings_for

# Every pooled connection of the server carries this application_name (adapters/postgres/pool.py).
APPLICATION_NAME = "pg-mcp"


@dataclass(frozen=True, slots=True, kw_only=True)
class Served:
    """An MCP client of a running container, and the container, for reaching its pools."""

    client: Client
    container: Container


def fault_settings(
    dsn: str,
    *,
    pool: dict[str, Any] | None = None,
    openai: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    rate_limit: dict[str, Any] | None = None,
    retry: dict[str, Any] | None = None,
    circuit: dict[str, Any] | None = None,
) -> Settings:
    """settings_for(), plus pool and chat-model settings, none read from the host."""
    base = settings_for(dsn, query=query, rate_limit=rate_limit, retry=retry, circuit=circuit)
    parts: dict[str, Any] = {}
    if pool is not None:
        parts["database"] = DatabaseSettings(_env_file=None, postgres_dsn=SecretStr(dsn), **pool)
    if openai is not None:
        parts["openai"] = OpenAISettings(_env_file=None, **openai)
    return base.model_copy(update=parts)


@asynccontextmanager
async def served(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Served]:
    """The whole server, rate limiter included, behind one in-memory client session."""
    async with running_container(settings) as container:
        if clock is not None:
            container.clock.override(clock)
        admit = await resolve(container.request_limiter)
        server = build_server(await use_cases(container), admit=admit)
        async with Client(server) as client:
            yield Served(client=client, container=container)


def error_code(result: CallToolResult) -> str:
    """The ERR_00N of a failed tool call, checked to agree between text and structure."""
    assert result.is_error, result.content
    assert result.structured_content is not None
    code = str(result.structured_content["error"]["code"])
    text = getattr(result.content[0], "text", "")
    assert text.startswith(f"{code}: ")
    return code


def outcome(result: CallToolResult) -> str:
    """ "ok" for a success, else the error code."""
    return error_code(result) if result.is_error else "ok"


async def server_backends(admin_dsn: str, database: str) -> list[asyncpg.Record]:
    """pid, state and query of every backend the server holds on `database`."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        return await conn.fetch(
            "SELECT pid, state, query FROM pg_stat_activity "
            "WHERE datname = $1 AND application_name = $2",
            database,
            APPLICATION_NAME,
        )
    finally:
        await conn.close()


async def running_backends(admin_dsn: str, database: str, marker: str) -> int:
    """How many server backends on `database` are running a query holding `marker`."""
    backends = await server_backends(admin_dsn, database)
    return sum(b["state"] == "active" and marker in b["query"] for b in backends)


async def wait_until_no_backend_runs(admin_dsn: str, database: str, marker: str) -> float:
    """Poll until no server backend is active on a query holding `marker`; seconds waited.

    Raises:
        TimeoutError: one still ran after 2 seconds.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(2):
        # Polling another process: there is no event to await.
        while await running_backends(admin_dsn, database, marker):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    return loop.time() - started
