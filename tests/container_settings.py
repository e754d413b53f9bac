"""Settings for a container built inside a test, without reading the host's PG_MCP_* variables."""

from typing import Any

from pydantic import SecretStr

from bootstrap.settings import (
    CircuitSettings,
    DatabaseSettings,
    LlmSettings,
    ObservabilitySettings,
    OpenAISettings,
    QuerySettings,
    RateLimitSettings,
    RetrySettings,
    SafetySettings,
    Settings,
)


def settings_for(
    dsn: str,
    *,
    query: dict[str, Any] | None = None,
    safety: dict[str, Any] | None = None,
    rate_limit: dict[str, Any] | None = None,
    retry: dict[str, Any] | None = None,
    circuit: dict[str, Any] | None = None,
    llm: dict[str, Any] | None = None,
) -> Settings:
    """Settings serving `dsn` as `default`, with the given overrides per concern."""
    return Settings(
        database=DatabaseSettings(postgres_dsn=SecretStr(dsn), _env_file=None),
        openai=OpenAISettings(_env_file=None),
        llm=LlmSettings(_env_file=None, **(llm or {})),
        query=QuerySettings(_env_file=None, **(query or {})),
        safety=SafetySettings(_env_file=None, **(safety or {})),
        rate_limit=RateLimitSettings(_env_file=None, **(rate_limit or {})),
        retry=RetrySettings(_env_file=None, **(retry or {})),
        circuit=CircuitSettings(_env_file=None, **(circuit or {})),
        observability=ObservabilitySettings(_env_file=None),
    )
