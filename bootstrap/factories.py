"""Small pure functions the container calls to turn settings into constructor arguments."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import asyncpg

from adapters.http.database_grant import DatabaseGrant
from adapters.llm.openai_chat_model import OpenAIChatModel, OpenAIConfig
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.observability.llm_call_metrics import LlmCallMetrics
from adapters.observability.server_metrics import ServerMetrics
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.column_values import PostgresValueReader
from adapters.postgres.pool import PoolConfig
from adapters.resilience.around import Around, GuardedDatabase, Stacked
from adapters.resilience.backoff import OnRetry, Retries
from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitGuard
from adapters.resilience.failures import database_may_heal, database_unreachable
from adapters.resilience.rate_limits import LlmRateLimiter, SlidingWindowLimiter
from adapters.resilience.retry_policy import RetryPolicy
from bootstrap.settings import (
    CircuitSettings,
    LlmSettings,
    OpenAISettings,
    RateLimitSettings,
    RetrySettings,
    SafetySettings,
    Settings,
)
from bootstrap.settings.team import SharedStateSettings
from domain.access.rules import AccessRules
from domain.errors import AIServiceUnavailable, DatabaseUnavailable
from domain.ports import Clock, Database, SchemaStore, ValueReader
from domain.safety.checked import SafetyConfig
from domain.safety.input_bounds import InputBounds

# redis and limits cost about 0.1 s to import, a tenth of a cold start: only a server given
# PG_MCP_REDIS_URL imports them (in the functions below); the name serves the type checker.
if TYPE_CHECKING:
    from redis.asyncio import Redis

_SDK = "openai"  # the model SDK, imported by the model adapter when it first connects


def pool_configs(settings: Settings) -> tuple[PoolConfig, ...]:
    """One pool configuration per configured database."""
    return tuple(
        PoolConfig(
            name=entry.name,
            dsn=entry.dsn.get_secret_value(),
            pool_min=entry.pool_min,
            pool_max=entry.pool_max,
            ssl=entry.ssl,
            acquire_timeout=settings.database.pool_acquire_timeout,
        )
        for entry in settings.database.entries()
    )


def databases(
    pools: Mapping[str, asyncpg.Pool], clock: Clock, settings: Settings
) -> dict[str, Database]:
    """A Database adapter for each open pool, by name, with the runtime limits of the settings."""
    return {
        name: AsyncpgDatabase(
            name=name,
            pool=pool,
            clock=clock,
            acquire_timeout=settings.database.pool_acquire_timeout,
            role=settings.database.db_role,
            max_result_bytes=settings.query.max_result_bytes,
            max_query_cost=settings.query.max_query_cost,
            work_mem_kb=settings.query.work_mem,
            temp_file_limit_kb=settings.query.temp_file_limit,
        )
        for name, pool in pools.items()
    }


def descriptions(settings: Settings) -> dict[str, str]:
    """The description of each configured database that has one, by name."""
    return {e.name: e.description for e in settings.database.entries() if e.description}


def value_readers(databases: Mapping[str, Database], settings: Settings) -> dict[str, ValueReader]:
    """A value reader per database, through the same (resilient) Database as every query."""
    timeout = settings.query.query_timeout
    return {name: PostgresValueReader(db, timeout=timeout) for name, db in databases.items()}


def openai_config(settings: OpenAISettings) -> OpenAIConfig:
    """The chat-model adapter's configuration."""
    return OpenAIConfig(
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        base_url=settings.base_url,
        model=settings.model,
        timeout=settings.timeout,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
    )


async def open_chat_model(config: OpenAIConfig) -> AsyncIterator[OpenAIChatModel]:
    """The OpenAI-compatible chat model, its connections closed when the server stops."""
    model = OpenAIChatModel(config)
    try:
        yield model
    finally:
        await model.aclose()


def chat_model_kind(llm: LlmSettings, openai: OpenAISettings) -> str:
    """Which chat model to build for PG_MCP_LLM_PROVIDER and the OpenAI settings."""
    if llm.provider == "sampling":
        return "sampling"
    if openai.configured:
        return "openai"
    return "auto" if llm.provider == "auto" else "unconfigured"


def safety_config(settings: SafetySettings) -> SafetyConfig:
    """The safety policy's configuration."""
    return SafetyConfig(
        allowed_statements=frozenset(settings.allowed_statements),
        extra_allowed_functions=frozenset(f.lower() for f in settings.extra_allowed_functions),
        allow_system_catalogs=settings.allow_system_catalogs,
        input_bounds=InputBounds(
            max_question_chars=settings.max_question_chars,
            max_sql_bytes=settings.max_sql_bytes,
            max_sql_tokens=settings.max_sql_tokens,
            max_sql_depth=settings.max_sql_depth,
            max_sql_chain=settings.max_sql_chain,
        ),
    )


def access_rules(settings: SafetySettings) -> AccessRules:
    """The access policy's rules."""
    return AccessRules.from_names(
        enabled=settings.enable_access_control,
        blocked_tables=settings.blocked_tables,
        blocked_columns=settings.blocked_columns,
        allowed_tables=settings.allowed_tables,
        allowed_columns=settings.allowed_columns,
    )


def retry_policy(settings: RetrySettings) -> RetryPolicy:
    """The retry policy of PG_MCP_RETRY_*."""
    return RetryPolicy(
        max_attempts=settings.max_attempts,
        base_delay=settings.base_delay,
        max_delay=settings.max_delay,
        multiplier=settings.multiplier,
    )


def circuit_breaker(name: str, settings: CircuitSettings, clock: Clock) -> CircuitBreaker:
    """A breaker configured by PG_MCP_CIRCUIT_*."""
    return CircuitBreaker(
        name,
        clock=clock,
        failure_threshold=settings.failure_threshold,
        open_seconds=settings.open_seconds,
        success_threshold=settings.success_threshold,
    )


def database_breakers(
    settings: Settings, circuit: CircuitSettings, clock: Clock
) -> dict[str, CircuitBreaker]:
    """One circuit breaker per configured database, by name."""
    return {
        entry.name: circuit_breaker(f"database {entry.name!r}", circuit, clock)
        for entry in settings.database.entries()
    }


def resilient_databases(
    databases: Mapping[str, Database],
    breakers: Mapping[str, CircuitBreaker],
    policy: RetryPolicy,
    *,
    on_retry: OnRetry | None = None,
) -> dict[str, Database]:
    """Each database behind its own breaker, retried inside it: an open circuit is not retried."""
    return {
        name: GuardedDatabase(
            database,
            Stacked(
                CircuitGuard(
                    breakers[name], unavailable=DatabaseUnavailable, counts=database_unreachable
                ),
                Retries(
                    policy,
                    what=f"Database {name!r}",
                    transient=database_may_heal,
                    on_retry=on_retry,
                ),
            ),
        )
        for name, database in databases.items()
    }


async def open_redis(shared: SharedStateSettings) -> AsyncIterator[Redis | None]:
    """The Redis replicas share state through (PG_MCP_REDIS_URL), or None; closed at the end."""
    if shared.redis_url is None:
        yield None
        return
    from redis.asyncio import Redis

    from adapters.redis.redis_rate_limits import REDIS_TIMEOUT_SECONDS

    redis = Redis.from_url(
        shared.redis_url.get_secret_value(),
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        yield redis
    finally:
        await redis.aclose()


def schema_store(redis: Redis | None) -> SchemaStore:
    """Snapshots in memory; with Redis, dropped when another replica sees the schema change."""
    local = InMemorySchemaStore()
    if redis is None:
        return local
    from adapters.redis.schema_generations import RedisInvalidatedSchemaStore

    return RedisInvalidatedSchemaStore(local, redis)


def granted_databases(databases: Mapping[str, Database], scoped: bool) -> dict[str, Database]:
    """With PG_MCP_AUTH_SCOPED, each database refuses callers whose token does not grant it."""
    if not scoped:
        return dict(databases)
    return {name: GuardedDatabase(db, DatabaseGrant(name)) for name, db in databases.items()}


def chat_model_concerns(
    rate_limit: RateLimitSettings,
    shared: SharedStateSettings,
    redis: Redis | None,
    breaker: CircuitBreaker,
    policy: RetryPolicy,
    metrics: ServerMetrics | None,
    *,
    on_retry: OnRetry | None = None,
) -> Around:
    """What runs around each model call, outermost first.

    The rate limit (retries spend no tokens; in Redis, one budget for every replica), then the
    breaker (an open circuit is never retried), then retries of transient failures, then the
    timing of each single attempt.
    """
    layers: list[Around] = []
    if rate_limit.enabled and redis is not None:
        from adapters.redis.redis_token_bucket import RedisTokenBucket

        layers.append(
            RedisTokenBucket(
                redis,
                per_second=rate_limit.llm_per_second,
                burst=rate_limit.llm_burst,
                fail_open=shared.redis_fail_open,
            )
        )
    elif rate_limit.enabled:
        layers.append(
            LlmRateLimiter(per_second=rate_limit.llm_per_second, burst=rate_limit.llm_burst)
        )
    layers.append(CircuitGuard(breaker, unavailable=AIServiceUnavailable, counts=llm_is_transient))
    layers.append(
        Retries(
            policy,
            what="The chat model",
            transient=llm_is_transient,
            retry_after=llm_retry_after,
            on_retry=on_retry,
        )
    )
    if metrics is not None:
        layers.append(LlmCallMetrics(metrics))
    return Stacked(*layers)


def llm_is_transient(exc: BaseException) -> bool:
    """Whether a chat-model failure may pass: only the model SDK's errors can."""
    # No SDK error exists where the SDK was never imported (no model configured, sampling):
    # importing it to learn that would hold the loop for most of a second.
    if _SDK not in sys.modules:
        return False
    from adapters.llm.errors import is_transient

    return is_transient(exc)


def llm_retry_after(exc: BaseException) -> float | None:
    """The server's Retry-After, in seconds, if it sent one."""
    if _SDK not in sys.modules:
        return None
    from adapters.llm.errors import retry_after

    return retry_after(exc)


async def request_limiter(
    settings: RateLimitSettings, shared: SharedStateSettings, clock: Clock
) -> AsyncIterator[Callable[[str], Awaitable[None] | None]]:
    """Admits a tool call for a client key or raises RateLimited; admits all when off.

    With PG_MCP_REDIS_URL the window lives in Redis, shared by every replica.
    """
    if not settings.enabled:
        yield _admit_all
    elif shared.redis_url is None:
        yield SlidingWindowLimiter(settings.requests, settings.window, clock).acquire
    else:
        from adapters.redis.redis_rate_limits import RedisSlidingWindowLimiter

        limiter = RedisSlidingWindowLimiter(
            shared.redis_url.get_secret_value(),
            requests=settings.requests,
            window=settings.window,
            fail_open=shared.redis_fail_open,
        )
        try:
            yield limiter.acquire
        finally:
            await limiter.aclose()


def _admit_all(key: str) -> None:
    """Rate limiting is off."""
