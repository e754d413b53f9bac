"""The wrappers around the real OpenAI adapter, as bootstrap stacks them, against a fake server."""

import asyncio

import pytest

from adapters.llm.errors import is_transient, retry_after
from adapters.llm.openai_chat_model import OpenAIChatModel
from adapters.memory.fake_clock import FakeClock
from adapters.resilience.around import GuardedChatModel
from adapters.resilience.backoff import Retries
from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitGuard
from adapters.resilience.retry_policy import RetryPolicy
from domain.errors import AIServiceUnavailable, ErrorCode, PgMcpError
from tests.adapters.resilience.fakes import QUESTION, RecordingSleep
from tests.fake_llm_server import FakeLLMServer, Fault

pytestmark = pytest.mark.anyio


def retrying(inner: OpenAIChatModel, sleep: RecordingSleep, retries: list[int]) -> GuardedChatModel:
    return GuardedChatModel(
        inner,
        Retries(
            RetryPolicy(max_attempts=3),
            what="The chat model",
            transient=is_transient,
            retry_after=retry_after,
            on_retry=retries.append,
            sleep=sleep,
        ),
    )


async def test_a_503_then_a_429_with_retry_after_are_retried_to_success(
    llm_server: FakeLLMServer, openai_model: OpenAIChatModel
) -> None:
    llm_server.script(Fault(status=503), Fault(status=429, retry_after=3), "SELECT 42")
    sleep, retries = RecordingSleep(), list[int]()

    async with asyncio.timeout(10):
        reply = await retrying(openai_model, sleep, retries).complete(QUESTION)

    assert reply.text == "SELECT 42"
    assert retries == [1, 2]
    assert sleep.delays[1] >= 3.0
    assert len(llm_server.requests) == 3


async def test_a_rejected_api_key_is_not_retried(
    llm_server: FakeLLMServer, openai_model: OpenAIChatModel
) -> None:
    llm_server.script(Fault(status=401), "SELECT 42")
    retries = list[int]()

    with pytest.raises(PgMcpError) as caught:
        async with asyncio.timeout(10):
            await retrying(openai_model, RecordingSleep(), retries).complete(QUESTION)

    assert caught.value.code is ErrorCode.AI_SERVICE
    assert retries == []
    assert len(llm_server.requests) == 1


async def test_repeated_server_errors_open_the_circuit_and_later_calls_fail_fast(
    llm_server: FakeLLMServer, openai_model: OpenAIChatModel
) -> None:
    llm_server.script(Fault(status=500), Fault(status=500), "SELECT 42")
    breaker = CircuitBreaker("the AI service", clock=FakeClock(), failure_threshold=2)
    model = GuardedChatModel(
        openai_model, CircuitGuard(breaker, unavailable=AIServiceUnavailable, counts=is_transient)
    )

    codes = []
    for _ in range(3):
        with pytest.raises(PgMcpError) as caught:
            async with asyncio.timeout(10):
                await model.complete(QUESTION)
        codes.append(caught.value.code)

    assert codes == [ErrorCode.AI_SERVICE] * 3
    assert breaker.state == "open"
    assert len(llm_server.requests) == 2
