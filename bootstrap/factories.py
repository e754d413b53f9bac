"""Small pure functions the container calls to turn settings into constructor arguments."""

from collections.abc import Mapping

import asyncpg

from adapters.llm.openai_chat_model import OpenAIConfig
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig
from bootstrap.settings import OpenAISettings, SafetySettings, Settings
from domain.access.rules import AccessRules
from domain.ports import Clock, Database
from domain.safety.checked import SafetyConfig


def pool_configs(settings: Settings) -> tuple[PoolConfig, ...]:
    """One pool configuration per configured database."""
    return tuple(
        PoolConfig(
            name=entry.name,
            dsn=entry.dsn.get_secret_value(),
            pool_min=entry.pool_min,
            pool_max=entry.pool_max,
            ssl=None if entry.ssl is None else str(entry.ssl).lower(),
            acquire_timeout=settings.database.pool_acquire_timeout,
        )
        for entry in settings.database.entries()
    )


def databases(pools: Mapping[str, asyncpg.Pool], clock: Clock) -> dict[str, Database]:
    """A Database adapter for each open pool, by name."""
    return {
        name: AsyncpgDatabase(name=name, pool=pool, clock=clock) for name, pool in pools.items()
    }


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


def chat_model_kind(settings: OpenAISettings) -> str:
    """Which chat model to build: the OpenAI-compatible one, or one that explains the setup."""
    return "openai" if settings.configured else "unconfigured"


def safety_config(settings: SafetySettings) -> SafetyConfig:
    """The safety policy's configuration."""
    return SafetyConfig(
        allowed_statements=frozenset(settings.allowed_statements),
        extra_allowed_functions=frozenset(f.lower() for f in settings.extra_allowed_functions),
        allow_system_catalogs=settings.allow_system_catalogs,
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
