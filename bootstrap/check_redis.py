"""`pg-mcp check`'s line for Redis: whether the store replicas share answers, and how fast."""

import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.redis.redis_rate_limits import REDIS_TIMEOUT_SECONDS
from bootstrap.settings.team import SharedStateSettings


async def redis_problem(shared: SharedStateSettings) -> tuple[bool, str] | None:
    """(passed, detail) of a PING to PG_MCP_REDIS_URL; None when no Redis is configured."""
    if shared.redis_url is None:
        return None
    redis = Redis.from_url(
        shared.redis_url.get_secret_value(),
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    started = time.perf_counter()
    try:
        await redis.ping()
    except RedisError as exc:
        mode = "admitted" if shared.redis_fail_open else "refused with ERR_009"
        return False, f"unreachable ({type(exc).__name__}); calls would be {mode}"
    finally:
        await redis.aclose()
    return True, f"PING answered in {(time.perf_counter() - started) * 1000:.0f} ms"
