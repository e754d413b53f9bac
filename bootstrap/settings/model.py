"""The chat model that drafts SQL: an OpenAI-compatible server, or the client's own."""

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

from bootstrap.settings.parsing import blank_is_none, http_url, settings_config


class OpenAISettings(BaseSettings):
    """The OpenAI-compatible chat model that drafts SQL."""

    model_config = settings_config("PG_MCP_OPENAI_")

    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    timeout: float = Field(default=30.0, gt=0, le=600)
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=16, le=32768)

    _blank = field_validator("api_key", "base_url", mode="before")(blank_is_none)
    _url = field_validator("base_url")(http_url)

    @property
    def configured(self) -> bool:
        """True when an API key or a base URL of a local server is given."""
        return self.api_key is not None or self.base_url is not None


class LlmSettings(BaseSettings):
    """Which chat model drafts SQL: a configured OpenAI-compatible one, or the client's own."""

    model_config = settings_config("PG_MCP_LLM_")

    provider: Literal["auto", "openai", "sampling"] = "auto"
