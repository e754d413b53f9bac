"""Builds Settings from the environment and turns a bad value into one readable line."""

from typing import TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings

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
from bootstrap.settings.team import (
    AuthSettings,
    HttpSettings,
    IdentitySettings,
    SharedStateSettings,
)

_S = TypeVar("_S", bound=BaseSettings)


EXIT_CONFIG = 2


class ConfigurationError(Exception):
    """A configuration value is wrong; the message names the variable."""

    def line(self) -> str:
        """The one line the operator reads on stderr before the server exits EXIT_CONFIG."""
        return f"pg-mcp: configuration error: {self}"


def load_part(cls: type[_S]) -> _S:
    """Read one settings class, or raise ConfigurationError naming the variable."""
    try:
        return cls()
    except ValidationError as exc:
        raise ConfigurationError(_describe(cls, exc)) from None


def _describe(cls: type[BaseSettings], exc: ValidationError) -> str:
    error = exc.errors()[0]
    prefix = str(cls.model_config.get("env_prefix", ""))
    location = [str(part) for part in error["loc"]]
    variable = (prefix + location[0]).upper() if location else prefix.rstrip("_")
    where = "".join(f"[{part}]" for part in location[1:])
    message = str(error["msg"]).removeprefix("Value error, ")
    # Never echo the input: it may hold a password or an API key.
    return f"{variable}{where}: {message}"


def load_settings() -> Settings:
    """Read every PG_MCP_* variable (and .env) into Settings.

    Raises:
        ConfigurationError: a value is missing or invalid.
    """
    return Settings(
        database=load_part(DatabaseSettings),
        openai=load_part(OpenAISettings),
        llm=load_part(LlmSettings),
        query=load_part(QuerySettings),
        safety=load_part(SafetySettings),
        rate_limit=load_part(RateLimitSettings),
        retry=load_part(RetrySettings),
        circuit=load_part(CircuitSettings),
        observability=load_part(ObservabilitySettings),
        http=load_part(HttpSettings),
        auth=load_part(AuthSettings),
        identity=load_part(IdentitySettings),
        shared=load_part(SharedStateSettings),
    )
