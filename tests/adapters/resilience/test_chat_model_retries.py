import asyncio

import pytest

from adapters.resilience.around import GuardedChatModel
from adapters.resilience.backoff import Retries
from adapters.resilience.retry_policy import RetryPolicy
from domain.errors import AIServiceUnavailable, ErrorCode, PgMcpError
from tests.adapters.resilience.fakes import (
    QUESTION,
    FlakyChatModel,
    Overloaded,
    RecordingSleep,
    is_overloaded,
    overload_retry_after,
)

POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=10.0, multiplier=2.0)


def retrying(
    inner: FlakyChatModel, sleep: RecordingSleep, retries: list[int], policy: RetryPolicy = POLICY
) -> GuardedChatModel:
    return GuardedChatModel(
        inner,
        Retries(
            policy,
            what="The chat model",
            transient=is_overloaded,
            retry_after=overload_retry_after,
            on_retry=retries.append,
            sleep=sleep,
        ),
    )


async def complete(model: GuardedChatModel) -> str:
    async with asyncio.timeout(5):
        return (await model.complete(QUESTION)).text


@pytest.mark.anyio
async def test_two_transient_failures_then_success_returns_the_reply_after_two_retries() -> None:
    inner, sleep = FlakyChatModel([Overloaded(), Overloaded()]), RecordingSleep()
    retries: list[int] = []

    assert await complete(retrying(inner, sleep, retries)) == "SELECT 1"

    assert inner.calls == 3
    assert retries == [1, 2]
    first, second = sleep.delays
    # base * multiplier ** (attempt - 1), plus up to one base delay of jitter
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 1.5


@pytest.mark.anyio
async def test_an_error_that_is_not_transient_is_raised_without_a_retry() -> None:
    inner, sleep = FlakyChatModel([AIServiceUnavailable("bad key")]), RecordingSleep()
    retries: list[int] = []

    with pytest.raises(PgMcpError) as caught:
        await complete(retrying(inner, sleep, retries))

    assert caught.value.code is ErrorCode.AI_SERVICE
    assert inner.calls == 1
    assert retries == []
    assert sleep.delays == []


@pytest.mark.anyio
async def test_retry_after_from_the_server_is_waited_at_least() -> None:
    inner, sleep = FlakyChatModel([Overloaded(retry_after=4.0)]), RecordingSleep()
    retries: list[int] = []

    assert await complete(retrying(inner, sleep, retries)) == "SELECT 1"

    assert sleep.delays[0] >= 4.0


@pytest.mark.anyio
async def test_a_retry_after_longer_than_max_delay_is_capped_at_max_delay() -> None:
    inner, sleep = FlakyChatModel([Overloaded(retry_after=600.0)]), RecordingSleep()
    retries: list[int] = []

    await complete(retrying(inner, sleep, retries))

    assert sleep.delays == [10.0]


@pytest.mark.anyio
async def test_after_max_attempts_the_last_error_is_raised() -> None:
    errors = [Overloaded(), Overloaded(), Overloaded(), Overloaded()]
    inner, sleep = FlakyChatModel(errors), RecordingSleep()
    retries: list[int] = []

    with pytest.raises(Overloaded) as caught:
        await complete(retrying(inner, sleep, retries))

    assert caught.value is errors[2]
    assert caught.value.code is ErrorCode.AI_SERVICE
    assert inner.calls == 3
    assert retries == [1, 2]
    assert len(sleep.delays) == 2


@pytest.mark.anyio
async def test_backoff_grows_by_the_multiplier_and_never_exceeds_max_delay() -> None:
    policy = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=5.0, multiplier=3.0)
    inner, sleep = FlakyChatModel([Overloaded()] * 5), RecordingSleep()
    retries: list[int] = []

    await complete(retrying(inner, sleep, retries, policy))

    assert 1.0 <= sleep.delays[0] <= 2.0
    assert 3.0 <= sleep.delays[1] <= 4.0
    assert sleep.delays[2:] == [5.0, 5.0, 5.0]


@pytest.mark.anyio
async def test_one_attempt_means_no_retry() -> None:
    inner, sleep = FlakyChatModel([Overloaded()]), RecordingSleep()
    retries: list[int] = []

    with pytest.raises(Overloaded):
        await complete(retrying(inner, sleep, retries, RetryPolicy(max_attempts=1)))

    assert inner.calls == 1
    assert retries == []


@pytest.mark.anyio
async def test_concurrent_calls_retry_independently() -> None:
    inner, sleep = FlakyChatModel([Overloaded(), Overloaded()]), RecordingSleep()
    retries: list[int] = []
    model = retrying(inner, sleep, retries)

    async with asyncio.timeout(5):
        replies = await asyncio.gather(model.complete(QUESTION), model.complete(QUESTION))

    assert [reply.text for reply in replies] == ["SELECT 1", "SELECT 1"]
    assert inner.calls == 4
    assert retries == [1, 1]
