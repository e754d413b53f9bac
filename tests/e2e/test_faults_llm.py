"""Real chat-model faults through the `query` tool: errors, Retry-After, hangs, prose, a breaker."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.e2e.fault_harness import Served, error_code, fault_settings, served
from tests.fake_llm_server import FakeLLMServer, Fault, Json, Reply

QUESTION = {"query": "How many customers are there?"}
COUNT_SQL = "SELECT count(*) AS customers FROM customers"
FAST_RETRY = {"max_attempts": 3, "base_delay": 0.01, "max_delay": 5.0}


class Stamped:
    """A responder that answers COUNT_SQL and notes when each request it answers arrived."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self, request: Json) -> str:
        self.times.append(time.monotonic())
        return COUNT_SQL


@pytest.fixture
def stamped() -> Stamped:
    return Stamped()


@pytest.fixture
def llm(stamped: Stamped) -> Iterator[FakeLLMServer]:
    with FakeLLMServer(responder=stamped) as server:
        yield server


@asynccontextmanager
async def with_model(
    dsn: str,
    llm: FakeLLMServer,
    *,
    timeout: float = 10.0,
    retry: dict[str, Any] | None = None,
    circuit: dict[str, Any] | None = None,
) -> AsyncIterator[Served]:
    """The server with its chat model at the fake endpoint, the schema already loaded."""
    openai = {"base_url": llm.base_url, "model": "fake-model", "timeout": timeout}
    settings = fault_settings(
        dsn,
        openai=openai,
        retry=retry or FAST_RETRY,
        circuit=circuit,
        rate_limit={"enabled": False},
    )
    async with served(settings) as s:
        # SQL skips the model and loads the schema, so that timings below are the model's alone.
        assert not (await s.client.call_tool("query", {"query": "SELECT 1 AS one"})).is_error
        yield s


@pytest.mark.anyio
async def test_two_server_errors_then_an_answer_succeed_after_three_requests(
    shop_dsn: str, llm: FakeLLMServer
) -> None:
    llm.script(Fault(status=500), Fault(status=500))
    async with with_model(shop_dsn, llm) as s:
        async with asyncio.timeout(10):
            result = await s.client.call_tool("query", QUESTION)

    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["sql"] == COUNT_SQL
    assert result.structured_content["row_count"] == 1
    assert len(llm.requests) == 3


@pytest.mark.anyio
async def test_a_429_with_retry_after_is_retried_no_sooner_than_asked(
    shop_dsn: str, llm: FakeLLMServer, stamped: Stamped
) -> None:
    llm.script(Fault(status=429, retry_after=1))
    async with with_model(shop_dsn, llm) as s:
        started = time.monotonic()
        async with asyncio.timeout(10):
            result = await s.client.call_tool("query", QUESTION)

    assert not result.is_error, result.content
    assert len(llm.requests) == 2
    # Without Retry-After the backoff here is about 10 ms.
    assert stamped.times[0] - started >= 0.95


@pytest.mark.anyio
@pytest.mark.parametrize("attempts", [1, 2])
async def test_a_hanging_model_is_err_003_after_the_timeout_per_attempt(
    shop_dsn: str, llm: FakeLLMServer, attempts: int
) -> None:
    llm.script(*[Reply(text=COUNT_SQL, delay=10) for _ in range(attempts)])
    retry = {"max_attempts": attempts, "base_delay": 0.01, "max_delay": 0.05}
    async with with_model(shop_dsn, llm, timeout=1.0, retry=retry) as s:
        async with asyncio.timeout(10):
            result = await s.client.call_tool("query", QUESTION)

    assert error_code(result) == "ERR_003"
    assert "timed out after 1 s" in result.content[0].text  # type: ignore[union-attr]
    assert len(llm.requests) == attempts


@pytest.mark.anyio
async def test_prose_without_sql_is_err_004(shop_dsn: str, llm: FakeLLMServer) -> None:
    llm.script("I am sorry, I cannot tell that from the data I was given.")
    async with with_model(shop_dsn, llm) as s:
        result = await s.client.call_tool("query", QUESTION)

    assert error_code(result) == "ERR_004"


@pytest.mark.anyio
async def test_a_model_that_keeps_failing_opens_its_circuit_and_fails_fast(
    shop_dsn: str, llm: FakeLLMServer
) -> None:
    llm.script(*[Fault(status=500) for _ in range(4)])
    retry = {"max_attempts": 2, "base_delay": 0.01, "max_delay": 0.05}
    circuit = {"failure_threshold": 2, "open_seconds": 60}
    async with with_model(shop_dsn, llm, retry=retry, circuit=circuit) as s:
        for _ in range(2):
            assert error_code(await s.client.call_tool("query", QUESTION)) == "ERR_003"
        sent = len(llm.requests)

        refused = await s.client.call_tool("query", QUESTION)

    assert error_code(refused) == "ERR_003"
    assert "circuit open for the AI service" in refused.content[0].text  # type: ignore[union-attr]
    assert len(llm.requests) == sent
