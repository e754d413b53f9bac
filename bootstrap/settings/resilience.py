"""Rate limits, retries and circuit breakers."""

from pydantic import Field
from pydantic_settings import BaseSettings

from bootstrap.settings.parsing import settings_config


class RateLimitSettings(BaseSettings):
    """How many calls a client may make."""

    model_config = settings_config("PG_MCP_RATE_LIMIT_")

    enabled: bool = True
    requests: int = Field(default=60, ge=1)
    window: float = Field(default=60.0, gt=0)
    llm_per_second: float = Field(default=2.0, gt=0)
    llm_burst: int = Field(default=5, ge=1)


class RetrySettings(BaseSettings):
    """Retries of transient failures of the database and the chat model."""

    model_config = settings_config("PG_MCP_RETRY_")

    max_attempts: int = Field(default=3, ge=1, le=10)
    base_delay: float = Field(default=0.5, ge=0)
    max_delay: float = Field(default=10.0, ge=0)
    multiplier: float = Field(default=2.0, ge=1)


class CircuitSettings(BaseSettings):
    """When to stop calling a failing database or model for a while."""

    model_config = settings_config("PG_MCP_CIRCUIT_")

    failure_threshold: int = Field(default=5, ge=1)
    open_seconds: float = Field(default=30.0, ge=0)
    success_threshold: int = Field(default=1, ge=1)
