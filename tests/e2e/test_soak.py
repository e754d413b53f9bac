"""Several clients asking at once, each through its own pg-mcp: every call answered, and no
connection left on the database once they have gone. Short by default; `-m slow` soaks longer."""

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

import pytest
from mcp import Client

from tests.e2e.shop_workload import QUESTIONS, backends, delayed_responder, outcome
from tests.e2e.stdio import server_env, stdio_client
from tests.fake_llm_server import FakeLLMServer


async def _ask(client: Client, first: int, calls: int, seen: Counter[str]) -> None:
    for turn in range(calls):
        question = QUESTIONS[(first + turn) % len(QUESTIONS)]
        seen[outcome(await client.call_tool("query", {"query": question}))] += 1


async def _soak(admin_dsn: str, dsn: str, *, clients: int, calls: int) -> tuple[Counter[str], int]:
    seen: Counter[str] = Counter()
    with FakeLLMServer(responder=delayed_responder(0.01)) as llm:
        env = server_env(
            dsn, llm.base_url, PG_MCP_RATE_LIMIT_ENABLED="false", PG_MCP_LOG_LEVEL="WARNING"
        )
        async with AsyncExitStack() as stack:
            opened = [await stack.enter_async_context(stdio_client(env)) for _ in range(clients)]
            await asyncio.gather(*(_ask(c, n, calls, seen) for n, c in enumerate(opened)))
    # Each server closes its pool as its client goes; the backends end a moment later.
    left = await backends(admin_dsn, urlsplit(dsn).path.lstrip("/"), wait=10.0)
    return seen, left


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("clients", "calls"),
    [pytest.param(3, 12, id="short"), pytest.param(10, 300, id="long", marks=pytest.mark.slow)],
)
async def test_a_soak_answers_every_call_and_leaves_no_connection(
    pg_admin_dsn: str, fresh_shop_dsn: str, clients: int, calls: int
) -> None:
    seen, left = await _soak(pg_admin_dsn, fresh_shop_dsn, clients=clients, calls=calls)

    assert seen == Counter({"ok": clients * calls})
    assert left == 0
