"""The sliding window in a real Redis: shared by replicas, and failing open or closed."""

from contextlib import aclosing

import pytest
from redis.asyncio import Redis

from adapters.redis.redis_rate_limits import RedisSlidingWindowLimiter, limits_uri
from domain.errors import ErrorCode, RateLimited
from tests.redis_server import RedisServer, running_redis


def _replica(redis: RedisServer, *, fail_open: bool = False) -> RedisSlidingWindowLimiter:
    return RedisSlidingWindowLimiter(redis.url, requests=3, window=3600, fail_open=fail_open)


@pytest.mark.anyio
async def test_two_replicas_share_one_window_per_key(
    redis_server: RedisServer, redis: Redis
) -> None:
    # `redis`: asked for the emptied store, so no earlier window counts.
    async with (
        aclosing(_replica(redis_server)) as first,
        aclosing(_replica(redis_server)) as second,
    ):
        await _spend_alice_s_window(first, second)


async def _spend_alice_s_window(
    first: RedisSlidingWindowLimiter, second: RedisSlidingWindowLimiter
) -> None:
    await first.acquire("alice")
    await second.acquire("alice")
    await first.acquire("alice")

    with pytest.raises(RateLimited) as refused:
        await second.acquire("alice")
    await second.acquire("bob")

    assert refused.value.code is ErrorCode.RATE_LIMIT
    assert refused.value.retry_after is not None
    assert 0 < refused.value.retry_after <= 3600


def test_urls_map_to_the_storage_schemes_of_limits() -> None:
    assert limits_uri("redis://cache:6379/0") == "async+redis://cache:6379/0"
    assert limits_uri("rediss://u:p@cache:6380") == "async+rediss://u:p@cache:6380"
    assert limits_uri("unix:///run/redis.sock") == "async+redis+unix:///run/redis.sock"


@pytest.mark.anyio
async def test_an_unreachable_store_refuses_when_closed_and_admits_when_open() -> None:
    with running_redis() as redis:
        closed, opened = _replica(redis), _replica(redis, fail_open=True)
        async with aclosing(closed), aclosing(opened):
            redis.stop()

            with pytest.raises(RateLimited) as refused:
                await closed.acquire("carol")
            await opened.acquire("carol")

    assert refused.value.code is ErrorCode.RATE_LIMIT
