"""What the three use cases take and return: plain data, cheap to import.

The MCP tools load this module (not the use cases, which bring the SQL parsers) before the server
answers its first message.
"""

from dataclasses import dataclass, field
from typing import Literal

from application.results.validation import Validation
from domain.models import Given, JsonValue, QueryPlan, QueryResult, SchemaSnapshot

ReturnMode = Literal["result", "sql"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerRequest:
    """A question (or a SELECT) for one database."""

    question: str
    database: str | None = None
    return_mode: ReturnMode = "result"
    max_rows: int | None = None
    parameters: Given | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """The SQL that answers the question and, in result mode, its rows.

    parameters names the value bound to each `$n` of the SQL, in order.
    """

    database: str
    sql: str
    explanation: str
    result: QueryResult | None
    attempts: int
    validation: Validation | None = None
    parameters: tuple[str, ...] = ()
    routing: dict[str, JsonValue] | None = None
    candidates: dict[str, JsonValue] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExplainRequest:
    """A question (or a SELECT) whose plan is wanted."""

    question: str
    database: str | None = None
    parameters: Given | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """The checked SQL and the planner's estimate for it; parameters names each `$n`'s value."""

    database: str
    sql: str
    plan: QueryPlan
    parameters: tuple[str, ...] = ()
    routing: dict[str, JsonValue] | None = None


SchemaFormat = Literal["summary", "detailed", "ddl"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DescribeRequest:
    """Which database to describe, how, and whether to reload it first."""

    database: str | None = None
    format: SchemaFormat = "summary"
    refresh: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseSummary:
    """One line about one configured database."""

    name: str
    relations: int | None
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaDescription:
    """The shown part of a visible schema and its rendering, or the list of databases."""

    snapshot: SchemaSnapshot
    format: SchemaFormat
    text: str
    databases: tuple[DatabaseSummary, ...] = field(default=())
