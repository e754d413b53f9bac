"""Value objects that flow between the use cases and the ports."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple, TypeAlias

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
Row: TypeAlias = tuple[JsonValue, ...]
# Values given apart from the SQL: by name for :name, or in order for $1..$n.
Given: TypeAlias = Mapping[str, JsonValue] | Sequence[JsonValue]


class Role(StrEnum):
    """Who speaks in a chat message."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatMessage:
    """One message of a conversation with the chat model."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatReply:
    """What the chat model answered, with the tokens it used when known."""

    text: str
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """A value the caller passed apart from the SQL, bound to one placeholder; never shown."""

    name: str
    value: JsonValue = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """A natural-language question about one database."""

    text: str
    database: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SqlDraft:
    """A SQL statement proposed by the chat model, not yet checked."""

    sql: str
    explanation: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnInfo:
    """One result column: its name and PostgreSQL type name."""

    name: str
    type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryResult:
    """Rows of one query, rendered to JSON-safe values; truncated when more rows existed."""

    columns: tuple[ColumnInfo, ...]
    rows: tuple[Row, ...]
    truncated: bool = False

    @property
    def row_count(self) -> int:
        """Number of rows returned (after truncation)."""
        return len(self.rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryPlan:
    """The planner's estimate for a statement (EXPLAIN without ANALYZE)."""

    total_cost: float
    plan_rows: int
    text: str
    plan: dict[str, JsonValue] = field(default_factory=dict)


class RelationKind(StrEnum):
    """What kind of relation a schema entry is."""

    TABLE = "table"
    VIEW = "view"
    MATERIALIZED_VIEW = "materialized_view"
    FOREIGN_TABLE = "foreign_table"
    PARTITIONED_TABLE = "partitioned_table"


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """A column of a table or view; examples are frequent values from the planner statistics,
    allowed the values a CHECK constraint limits it to, when it lists them."""

    name: str
    data_type: str
    nullable: bool = True
    default: str | None = None
    comment: str | None = None
    examples: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    """An index of a table: its key columns (or expressions), uniqueness and access method."""

    name: str
    columns: tuple[str, ...]
    unique: bool = False
    method: str = "btree"


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeignKey:
    """A foreign key from columns of one table to columns of another."""

    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]


class RelationName(NamedTuple):
    """A relation's schema and name exactly as PostgreSQL stores them; either may hold a dot."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Dependency:
    """What a view reads: a whole relation (column None), or one column of it."""

    relation: RelationName
    column: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table or view with its columns and keys; for a view, depends_on lists what it reads.

    parents: (schema, name) of every ancestor of a partition or inheritance child, nearest first.
    """

    schema: str
    name: str
    kind: RelationKind = RelationKind.TABLE
    columns: tuple[Column, ...] = ()
    primary_key: tuple[str, ...] = ()
    unique_keys: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    comment: str | None = None
    row_estimate: int | None = None
    depends_on: tuple[Dependency, ...] = ()
    indexes: tuple[Index, ...] = ()
    parents: tuple[RelationName, ...] = ()

    @property
    def relation_name(self) -> RelationName:
        """Schema and name, the key this relation is known by."""
        return RelationName(self.schema, self.name)

    @property
    def qualified_name(self) -> str:
        """schema.name, as a reader would write it (for display, never to look up)."""
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnValue:
    """One value stored in a column of a relation."""

    table: RelationName
    column: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumType:
    """A user-defined enum type and its labels in order."""

    schema: str
    name: str
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaSnapshot:
    """Everything known about one database's schema at one moment.

    extension_functions: (schema, name) of the functions of installed trusted extensions.
    schema_comments: (schema, comment) of each schema that has a comment.
    """

    database: str
    tables: tuple[Table, ...] = ()
    enums: tuple[EnumType, ...] = ()
    loaded_at: float = 0.0
    extension_functions: tuple[tuple[str, str], ...] = ()
    schema_comments: tuple[tuple[str, str], ...] = ()

    def find_table(self, name: str) -> Table | None:
        """The table named `name` or `schema.name` (case-insensitive), if any."""
        wanted = name.lower()
        for table in self.tables:
            if wanted in (table.name.lower(), table.qualified_name.lower()):
                return table
        return None
