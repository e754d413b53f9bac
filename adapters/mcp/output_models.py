"""What the tools send as structured content, and the schemas published for it.

Each tool publishes `<Tool>Reply`: its success model or `ErrorOutput`, under an object root,
because clients (the TypeScript SDK, MCP Inspector) validate error results against it too.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from domain.errors import ErrorCode

# MCP requires `"type": "object"` at an outputSchema's root; a union alone has no type.
_OBJECT_ROOT = ConfigDict(json_schema_extra={"type": "object"})
_BOUND = "The parameter whose value is bound to each $n of sql, in order ($1 first)"


class QueryOutput(BaseModel):
    """Structured result of `query`; columns and rows are absent in sql mode.

    parameters names the value bound to each `$n` of `sql`, in order (absent without any).
    """

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
    parameters: list[str] = Field(default_factory=list, description=_BOUND)


class ExplainOutput(BaseModel):
    """Structured result of `explain`; parameters as in QueryOutput."""

    database: str
    sql: str
    parameters: list[str] = Field(default_factory=list, description=_BOUND)
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


class ErrorDetail(BaseModel):
    """A failure: its code, a message safe to show, and facts such as `rule` or `sqlstate`."""

    model_config = ConfigDict(extra="allow")

    code: ErrorCode
    message: str


class ErrorOutput(BaseModel):
    """Structured content of every error result."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


class QueryReply(RootModel[QueryOutput | ErrorOutput]):
    """The published output of `query`: its result or an error."""

    model_config = _OBJECT_ROOT


class ExplainReply(RootModel[ExplainOutput | ErrorOutput]):
    """The published output of `explain`: its plan or an error."""

    model_config = _OBJECT_ROOT


class SchemaReply(RootModel[SchemaOutput | ErrorOutput]):
    """The published output of `get_schema`: the schema or an error."""

    model_config = _OBJECT_ROOT
