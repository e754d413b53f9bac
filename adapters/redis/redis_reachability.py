"""Whether this replica reaches the Redis it shares state through, for /readyz."""

from redis.asyncio import Redis
from redis.exceptions import RedisError


async def redis_unreachable(redis: Redis) -> str | None:
    """What keeps a PING from being answered, or None when Redis answers."""
    try:
        await redis.ping()
    except RedisError as exc:
        return f"unreachable ({type(exc).__name__})"
    return None
