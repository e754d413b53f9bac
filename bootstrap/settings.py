"""Configuration: one pydantic-settings class per concern, read from PG_MCP_* variables and .env."""

import json
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from adapters.postgres.asyncpg_database import (
    DEFAULT_MAX_RESULT_BYTES,
    DEFAULT_TEMP_FILE_LIMIT_KB,
    DEFAULT_WORK_MEM_KB,
)
from bootstrap.team_settings import (
    AuthSettings,
    HttpSettings,
    IdentitySettings,
    SharedStateSettings,
)
from domain.access.rules import AccessRules
from domain.safety.identifiers import quote_identifier

_READ_ONLY_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "SHOW"})

CommaList = Annotated[tuple[str, ...], NoDecode]

_MEMORY_UNITS = {"kb": 1, "mb": 1024, "gb": 1024**2, "tb": 1024**3}
_MEMORY = re.compile(r"^\s*(\d{1,12})\s*([kKmMgGtT][bB])?\s*$")


def _kilobytes(value: object) -> object:
    """A PostgreSQL memory size ("64MB", "512kB", or a bare number of kB) in kB."""
    if not isinstance(value, str):
        return value
    match = _MEMORY.match(value)
    if match is None:
        raise ValueError("must be a size such as 512kB, 64MB or 1GB")
    return int(match[1]) * _MEMORY_UNITS[(match[2] or "kB").lower()]


# The number is written into SET LOCAL: only whole kilobytes may pass.
Kilobytes = Annotated[int, BeforeValidator(_kilobytes)]


def _split_names(value: object) -> object:
    """Accept a comma-separated string or a JSON list for list-valued variables."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return _strings(json.loads(text))
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _split_columns(value: object) -> object:
    """Columns as a list (`table.column`) or, as the specification's example, a JSON object of
    table to columns: `{"users": ["password", "ssn"]}`."""
    if isinstance(value, str) and value.strip().startswith("{"):
        value = json.loads(value)
    if not isinstance(value, dict):
        return _split_names(value)
    return tuple(
        f"{table}.{_column_part(column)}"
        for table, columns in value.items()
        for column in _strings([columns] if isinstance(columns, str) else columns)
    )


def _column_part(name: str) -> str:
    # A column name holding a dot or a quote is one name: quoted, so it is not split.
    return quote_identifier(name) if "." in name or '"' in name else name


def _strings(items: object) -> tuple[str, ...]:
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError("must be a list of names")
    return tuple(items)


def _valid_dsn(value: SecretStr) -> SecretStr:
    """A postgresql:// URI whose port, if any, is a port: asyncpg reads no other form."""
    dsn = value.get_secret_value().strip()
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(
            "must be a postgresql:// URI (postgresql://user:password@host:5432/database); "
            "keyword=value connection strings are not read"
        )
    try:
        port = parts.port  # raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    if port == 0:
        raise ValueError("has a port that is not a number from 1 to 65535")
    return value


Dsn = Annotated[SecretStr, AfterValidator(_valid_dsn)]


def _config(prefix: str = "PG_MCP_") -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", extra="ignore", frozen=True, validate_default=True
    )


class DatabaseEntry(BaseModel):
    """One database of PG_MCP_DATABASES."""

    model_config = {"extra": "forbid", "frozen": True}

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    dsn: Dsn
    pool_min: int = Field(default=1, ge=0, le=100)
    pool_max: int = Field(default=5, ge=1, le=100)
    ssl: str | None = None
    # What the database holds, in a few words: routing weighs it like a table name.
    description: str = Field(default="", max_length=500)

    @field_validator("ssl", mode="before")
    @classmethod
    def _ssl_mode(cls, value: object) -> object:
        """false/disable, true/require or verify-full; anything else is a configuration error."""
        if value is None:
            return None
        mode = {"true": "require", "false": "disable"}.get(str(value).lower(), str(value).lower())
        if mode not in ("disable", "require", "verify-full"):
            raise ValueError("ssl must be false, true, require or verify-full")
        return mode

    @model_validator(mode="after")
    def _pool_bounds(self) -> "DatabaseEntry":
        if self.pool_min > self.pool_max:
            raise ValueError(f"pool_min ({self.pool_min}) exceeds pool_max ({self.pool_max})")
        return self


class DatabaseSettings(BaseSettings):
    """Which databases to serve and how to reach them."""

    model_config = _config()

    postgres_dsn: Dsn = SecretStr("postgresql://postgres@localhost:5432/postgres")
    databases: Annotated[tuple[DatabaseEntry, ...], NoDecode] = ()
    pool_min: int = Field(default=1, ge=0, le=100)
    pool_max: int = Field(default=5, ge=1, le=100)
    pool_acquire_timeout: float = Field(default=10.0, gt=0)
    db_role: str | None = Field(default=None, min_length=1, max_length=63)
    # Where `pg-mcp demo` keeps its cluster; None: the user's data directory.
    demo_data_dir: Path | None = None

    @field_validator("db_role", mode="before")
    @classmethod
    def _blank_role_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("databases", mode="before")
    @classmethod
    def _parse_databases(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else ()
        return value

    @field_validator("databases")
    @classmethod
    def _unique_names(cls, value: tuple[DatabaseEntry, ...]) -> tuple[DatabaseEntry, ...]:
        names = [entry.name for entry in value]
        if len(names) != len(set(names)):
            raise ValueError("database names must be unique")
        return value

    def entries(self) -> tuple[DatabaseEntry, ...]:
        """The configured databases; PG_MCP_POSTGRES_DSN alone is the one named `default`."""
        if self.databases:
            return self.databases
        return (
            DatabaseEntry(
                name="default",
                dsn=self.postgres_dsn,
                pool_min=self.pool_min,
                pool_max=self.pool_max,
            ),
        )


class OpenAISettings(BaseSettings):
    """The OpenAI-compatible chat model that drafts SQL."""

    model_config = _config("PG_MCP_OPENAI_")

    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    timeout: float = Field(default=30.0, gt=0, le=600)
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=16, le=32768)

    @field_validator("api_key", "base_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def configured(self) -> bool:
        """True when an API key or a base URL of a local server is given."""
        return self.api_key is not None or self.base_url is not None


class LlmSettings(BaseSettings):
    """Which chat model drafts SQL: a configured OpenAI-compatible one, or the client's own."""

    model_config = _config("PG_MCP_LLM_")

    provider: Literal["auto", "openai", "sampling"] = "auto"


class QuerySettings(BaseSettings):
    """Limits on what one question may cost."""

    model_config = _config()

    max_result_rows: int = Field(default=1000, ge=1, le=100_000)
    query_timeout: float = Field(default=30.0, gt=0, le=3600)
    schema_cache_ttl: float = Field(default=300.0, ge=0)
    max_repair_attempts: int = Field(default=2, ge=0, le=10)
    # Drafts per question, run on a few rows to pick the one most agree with; 1: just one.
    candidates: int = Field(default=1, ge=1, le=5)
    schema_context_tokens: int = Field(default=6000, ge=500, le=200_000)
    max_result_bytes: int = Field(default=DEFAULT_MAX_RESULT_BYTES, ge=1024, le=2**30)
    max_query_cost: float | None = Field(default=None, gt=0)
    work_mem: Kilobytes = Field(default=DEFAULT_WORK_MEM_KB, ge=64, le=2 * 1024**2)
    temp_file_limit: Kilobytes = Field(default=DEFAULT_TEMP_FILE_LIMIT_KB, ge=1024, le=1024**3)
    result_validation_enabled: bool = False
    result_validation_strict: bool = False
    # Parameter values may be personal data: the model sees names and JSON types unless this.
    show_parameter_values: bool = False


class SafetySettings(BaseSettings):
    """What SQL may run and which tables and columns are hidden."""

    model_config = _config()

    allowed_statements: CommaList = ("SELECT",)
    extra_allowed_functions: CommaList = ()
    allow_system_catalogs: bool = False
    enable_access_control: bool = False
    blocked_tables: CommaList = ()
    blocked_columns: CommaList = ()
    allowed_tables: CommaList = ()
    allowed_columns: CommaList = ()
    max_question_chars: int = Field(default=10_000, ge=100, le=1_000_000)
    max_sql_bytes: int = Field(default=200_000, ge=1_000, le=10_000_000)
    max_sql_tokens: int = Field(default=20_000, ge=100, le=200_000)
    # Past about 140 nested subqueries or 330 chained NOTs the parsers run out of stack anyway.
    max_sql_depth: int = Field(default=64, ge=8, le=100)
    max_sql_chain: int = Field(default=200, ge=16, le=250)

    _split = field_validator(
        "allowed_statements",
        "extra_allowed_functions",
        "blocked_tables",
        "allowed_tables",
        mode="before",
    )(_split_names)
    _split_columns = field_validator("blocked_columns", "allowed_columns", mode="before")(
        _split_columns
    )

    @field_validator("allowed_statements")
    @classmethod
    def _read_only_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        kinds = tuple(kind.upper() for kind in value)
        writes = sorted(set(kinds) - _READ_ONLY_STATEMENTS)
        if writes:
            raise ValueError(
                f"{', '.join(writes)} not allowed: this server is read-only by design "
                f"(choose from {', '.join(sorted(_READ_ONLY_STATEMENTS))})"
            )
        if "SELECT" not in kinds:
            raise ValueError("must include SELECT")
        return kinds

    @field_validator("blocked_tables", "blocked_columns", "allowed_tables", "allowed_columns")
    @classmethod
    def _well_formed_names(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        AccessRules.from_names(enabled=True, **{info.field_name: value})  # type: ignore[arg-type]
        return value


class RateLimitSettings(BaseSettings):
    """How many calls a client may make."""

    model_config = _config("PG_MCP_RATE_LIMIT_")

    enabled: bool = True
    requests: int = Field(default=60, ge=1)
    window: float = Field(default=60.0, gt=0)
    llm_per_second: float = Field(default=2.0, gt=0)
    llm_burst: int = Field(default=5, ge=1)


class RetrySettings(BaseSettings):
    """Retries of transient failures of the database and the chat model."""

    model_config = _config("PG_MCP_RETRY_")

    max_attempts: int = Field(default=3, ge=1, le=10)
    base_delay: float = Field(default=0.5, ge=0)
    max_delay: float = Field(default=10.0, ge=0)
    multiplier: float = Field(default=2.0, ge=1)


class CircuitSettings(BaseSettings):
    """When to stop calling a failing database or model for a while."""

    model_config = _config("PG_MCP_CIRCUIT_")

    failure_threshold: int = Field(default=5, ge=1)
    open_seconds: float = Field(default=30.0, ge=0)
    success_threshold: int = Field(default=1, ge=1)


class ObservabilitySettings(BaseSettings):
    """Logs, metrics and traces."""

    model_config = _config()

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_requests: bool = False
    metrics_enabled: bool = True
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    tracing_enabled: bool = False
    # One JSON line per tool call: "stderr", a file path, or empty for none.
    audit_log: str = ""


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
