"""The chat model's token bucket in a real Redis: two replicas draw on one budget."""

import pytest
from redis.asyncio import Redis

from adapters.redis.redis_token_bucket import RedisTokenBucket
from domain.errors import ErrorCode, RateLimited
from tests.redis_server import running_redis


def _replica(redis: Redis) -> RedisTokenBucket:
    # A refill so slow that no token comes back while the test runs.
    return RedisTokenBucket(redis, per_second=0.001, burst=2, max_wait=0)


@pytest.mark.anyio
async def test_two_replicas_draw_on_one_burst(redis: Redis) -> None:
    first, second = _replica(redis), _replica(redis)
    await first.acquire()
    await second.acquire()

    with pytest.raises(RateLimited) as refused:
        await first.acquire()

    assert refused.value.code is ErrorCode.RATE_LIMIT
    assert refused.value.retry_after is not None
    assert refused.value.retry_after > 0


@pytest.mark.anyio
async def test_an_unreachable_budget_refuses_when_closed_and_passes_when_open() -> None:
    with running_redis() as server:
        client = Redis.from_url(server.url)
        try:
            closed = RedisTokenBucket(client, per_second=1, burst=1)
            opened = RedisTokenBucket(client, per_second=1, burst=1, fail_open=True)
            server.stop()
            with pytest.raises(RateLimited):
                await closed.acquire()
            await opened.acquire()
        finally:
            await client.aclose()
