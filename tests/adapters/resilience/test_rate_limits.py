import asyncio

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.resilience.around import GuardedChatModel
from adapters.resilience.rate_limits import LlmRateLimiter, SlidingWindowLimiter
from domain.errors import ErrorCode, RateLimited
from tests.adapters.resilience.fakes import QUESTION, FlakyChatModel


def refusal(limiter: SlidingWindowLimiter, key: str) -> RateLimited:
    with pytest.raises(RateLimited) as caught:
        limiter.acquire(key)
    return caught.value


def test_requests_calls_in_the_window_are_accepted_and_the_next_is_refused_with_err_009() -> None:
    clock = FakeClock(start=1000.0)
    limiter = SlidingWindowLimiter(requests=3, window=10.0, clock=clock)
    for _ in range(3):
        limiter.acquire("client")
        clock.advance(2.0)

    refused = refusal(limiter, "client")

    assert refused.code is ErrorCode.RATE_LIMIT
    # The oldest call (t=1000) leaves the window at t=1010; it is now t=1006.
    assert refused.retry_after == pytest.approx(4.0)
    assert refused.details() == {"retry_after": 4.0}


def test_a_call_is_accepted_again_exactly_when_the_oldest_leaves_the_window() -> None:
    clock = FakeClock(start=1000.0)
    limiter = SlidingWindowLimiter(requests=2, window=10.0, clock=clock)
    limiter.acquire("client")
    clock.advance(4.0)
    limiter.acquire("client")

    clock.advance(5.75)
    assert refusal(limiter, "client").retry_after == pytest.approx(0.25)
    clock.advance(0.25)
    limiter.acquire("client")

    # Now the window holds the calls of t=1004 and t=1010.
    assert refusal(limiter, "client").retry_after == pytest.approx(4.0)


def test_refused_calls_do_not_use_up_the_window() -> None:
    clock = FakeClock(start=1000.0)
    limiter = SlidingWindowLimiter(requests=1, window=10.0, clock=clock)
    limiter.acquire("client")
    for _ in range(5):
        clock.advance(1.0)
        refusal(limiter, "client")

    clock.advance(5.0)
    limiter.acquire("client")


def test_keys_are_limited_independently() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(requests=2, window=60.0, clock=clock)
    limiter.acquire("alice")
    limiter.acquire("alice")

    limiter.acquire("bob")
    limiter.acquire("bob")

    assert refusal(limiter, "alice").code is ErrorCode.RATE_LIMIT
    assert refusal(limiter, "bob").code is ErrorCode.RATE_LIMIT


async def bucket_refusal(limiter: LlmRateLimiter) -> RateLimited:
    with pytest.raises(RateLimited) as caught:
        async with asyncio.timeout(5):
            await limiter.acquire()
    return caught.value


@pytest.mark.anyio
async def test_the_llm_bucket_accepts_exactly_burst_calls_at_once_then_refuses() -> None:
    # One token per 100 s: no token comes back while the test runs.
    limiter = LlmRateLimiter(per_second=0.01, burst=3, max_wait=0.0)
    async with asyncio.timeout(5):
        for _ in range(3):
            await limiter.acquire()

    refused = await bucket_refusal(limiter)

    assert refused.code is ErrorCode.RATE_LIMIT
    assert refused.retry_after == pytest.approx(100.0)


@pytest.mark.anyio
async def test_a_call_waits_up_to_max_wait_for_a_token_then_is_refused() -> None:
    limiter = LlmRateLimiter(per_second=0.01, burst=1, max_wait=0.05)
    await limiter.acquire()
    loop = asyncio.get_running_loop()
    started = loop.time()

    refused = await bucket_refusal(limiter)

    assert refused.code is ErrorCode.RATE_LIMIT
    assert loop.time() - started >= 0.05


@pytest.mark.anyio
async def test_a_call_that_finds_the_bucket_empty_proceeds_once_a_token_drips_back() -> None:
    # 50 tokens a second: the third call waits about 20 ms, well within max_wait.
    limiter = LlmRateLimiter(per_second=50.0, burst=2, max_wait=1.0)
    async with asyncio.timeout(5):
        for _ in range(3):
            await limiter.acquire()


@pytest.mark.anyio
async def test_the_rate_limited_chat_model_refuses_calls_beyond_the_burst() -> None:
    inner = FlakyChatModel()
    model = GuardedChatModel(inner, LlmRateLimiter(per_second=0.01, burst=2, max_wait=0.0))
    async with asyncio.timeout(5):
        replies = [await model.complete(QUESTION) for _ in range(2)]

        with pytest.raises(RateLimited) as caught:
            await model.complete(QUESTION)

    assert [reply.text for reply in replies] == ["SELECT 1", "SELECT 1"]
    assert caught.value.code is ErrorCode.RATE_LIMIT
    assert inner.calls == 2
