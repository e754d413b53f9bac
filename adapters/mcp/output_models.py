"""Output schemas of the tools, as published to clients (pydantic stays at this edge)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class QueryOutput(BaseModel):
    """Structured result of `query`; columns and rows are absent in sql mode."""

    model_config = ConfigDict(extra="allow")

    # Not Optional: `X | None` becomes anyOf, which makes every client validate each row twice.
    database: str
    sql: str
    explanation: str = ""
    columns: list[str] = Field(default_factory=list)
    column_types: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    row_count: int = 0
    truncated: bool = False
    warnings: list[dict[str, str]] = Field(default_factory=list)
    validation: dict[str, str] | None = None


class ExplainOutput(BaseModel):
    """Structured result of `explain`."""

    database: str
    sql: str
    total_cost: float
    plan_rows: int
    plan_text: str
    plan: dict[str, Any]


class SchemaOutput(BaseModel):
    """Structured result of `get_schema`; `databases` lists them when several and none named."""

    model_config = ConfigDict(extra="allow")

    database: str
    format: str
    tables: list[dict[str, Any]]
    enums: list[dict[str, Any]]
    databases: list[dict[str, Any]] = Field(default_factory=list)
    text: str
