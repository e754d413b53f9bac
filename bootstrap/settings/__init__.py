"""Configuration: one pydantic-settings class per concern, read from PG_MCP_* variables and .env.

database.py       PG_MCP_POSTGRES_DSN, PG_MCP_DATABASES, pools, the role, the demo's directory
model.py          PG_MCP_OPENAI_*, PG_MCP_LLM_PROVIDER
query.py          row, time, memory and cost limits; statements, functions, blocked names
resilience.py     PG_MCP_RATE_LIMIT_*, PG_MCP_RETRY_*, PG_MCP_CIRCUIT_*
observability.py  logs, metrics, traces, the audit log
team.py           serving a team over HTTP: transport, auth, identity, shared state
all.py            Settings, which holds one of each
"""

from bootstrap.settings.all import Settings
from bootstrap.settings.database import DatabaseEntry, DatabaseSettings
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

__all__ = [
    "AuthSettings",
    "CircuitSettings",
    "DatabaseEntry",
    "DatabaseSettings",
    "HttpSettings",
    "IdentitySettings",
    "LlmSettings",
    "ObservabilitySettings",
    "OpenAISettings",
    "QuerySettings",
    "RateLimitSettings",
    "RetrySettings",
    "SafetySettings",
    "Settings",
    "SharedStateSettings",
]
