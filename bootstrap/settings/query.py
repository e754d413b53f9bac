"""Limits on what one question may cost, and what SQL may run and read."""

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings

from adapters.postgres.defaults import (
    DEFAULT_MAX_RESULT_BYTES,
    DEFAULT_TEMP_FILE_LIMIT_KB,
    DEFAULT_WORK_MEM_KB,
)
from bootstrap.settings.parsing import (
    CommaList,
    Kilobytes,
    settings_config,
    split_columns,
    split_names,
)
from domain.access.rules import AccessRules

_READ_ONLY_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "SHOW"})


class QuerySettings(BaseSettings):
    """Limits on what one question may cost."""

    model_config = settings_config()

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

    model_config = settings_config()

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
    )(split_names)
    _split_columns = field_validator("blocked_columns", "allowed_columns", mode="before")(
        split_columns
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
