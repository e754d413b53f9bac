"""Every setting of the server, one part per concern."""

from pydantic import BaseModel, Field

from bootstrap.settings.database import DatabaseSettings
from bootstrap.settings.model import LlmSettings, OpenAISettings
from bootstrap.settings.observability import ObservabilitySettings
from bootstrap.settings.query import QuerySettings, SafetySettings
from bootstrap.settings.resilience import CircuitSettings, RateLimitSettings, RetrySettings
from bootstrap.settings.team import (
    AuthSettings,
    HttpSettings,
    IdentitySettings,
    SharedStateSettings,
)


class Settings(BaseModel):
    """Every setting of the server, one part per concern."""

    model_config = {"frozen": True}

    database: DatabaseSettings
    openai: OpenAISettings
    llm: LlmSettings
    query: QuerySettings
    safety: SafetySettings
    rate_limit: RateLimitSettings
    retry: RetrySettings
    circuit: CircuitSettings
    observability: ObservabilitySettings
    # Serving a team over HTTP; the defaults serve no one but stdio.
    http: HttpSettings = Field(default_factory=HttpSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    shared: SharedStateSettings = Field(default_factory=SharedStateSettings)
