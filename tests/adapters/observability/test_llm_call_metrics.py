import asyncio

import pytest

from adapters.llm.errors import is_transient
from adapters.llm.openai_chat_model import OpenAIChatModel
from adapters.observability.llm_call_metrics import LlmCallMetrics
from adapters.observability.server_metrics import ServerMetrics
from adapters.resilience.around import GuardedChatModel
from adapters.resilience.backoff import Retries
from adapters.resilience.retry_policy import RetryPolicy
from domain.errors import ErrorCode, PgMcpError
from domain.models import ChatMessage, Role
from tests.adapters.observability.metrics_text import sample
from tests.adapters.resilience.fakes import RecordingSleep
from tests.fake_llm_server import FakeLLMServer, Fault

pytestmark = pytest.mark.anyio

QUESTION = (ChatMessage(role=Role.USER, content="how many customers are there"),)
POLICY = RetryPolicy(max_attempts=3, base_delay=0.1, max_delay=1.0, multiplier=2.0)


def stacked(inner: OpenAIChatModel, metrics: ServerMetrics) -> GuardedChatModel:
    """Retries outside, instruments inside: every attempt is timed, every retry counted."""
    return GuardedChatModel(
        GuardedChatModel(inner, LlmCallMetrics(metrics)),
        Retries(
            POLICY,
            what="The chat model",
            transient=is_transient,
            on_retry=metrics.on_retry("llm"),
            sleep=RecordingSleep(),
        ),
    )


async def test_a_retried_call_counts_the_retry_both_attempts_and_the_reply_tokens(
    llm_server: FakeLLMServer, openai_model: OpenAIChatModel
) -> None:
    metrics = ServerMetrics()
    llm_server.script(Fault(status=503), "SELECT count(*) FROM customers")
    async with asyncio.timeout(10):
        await stacked(openai_model, metrics).complete(QUESTION)

    registry = metrics.registry
    assert sample(registry, "pg_mcp_retries_total", target="llm") == 1
    assert sample(registry, "pg_mcp_llm_call_duration_seconds_count", outcome="error") == 1
    assert sample(registry, "pg_mcp_llm_call_duration_seconds_count", outcome="ok") == 1
    # The fake server counts words: five in the question, four in the reply.
    assert sample(registry, "pg_mcp_llm_tokens_total", direction="in") == 5
    assert sample(registry, "pg_mcp_llm_tokens_total", direction="out") == 4


async def test_a_failed_call_is_timed_and_its_error_passes_through(
    llm_server: FakeLLMServer, openai_model: OpenAIChatModel
) -> None:
    metrics = ServerMetrics()
    llm_server.script(Fault(status=401))
    with pytest.raises(PgMcpError) as caught:
        async with asyncio.timeout(10):
            await GuardedChatModel(openai_model, LlmCallMetrics(metrics)).complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE
    assert sample(metrics.registry, "pg_mcp_llm_call_duration_seconds_count", outcome="error") == 1
    assert sample(metrics.registry, "pg_mcp_llm_tokens_total", direction="in") is None
