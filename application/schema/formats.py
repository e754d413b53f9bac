"""Readable renderings of a schema snapshot (summary, detailed, DDL), each within a budget."""

from collections.abc import Callable
from dataclasses import dataclass

from application.schema.retrieval.context import render_enum_line, render_table_block
from domain.models import Column, RelationKind, SchemaSnapshot, Table

# About four characters a token: a summary stays near 3k tokens, a detailed view or DDL near
# 10k, well inside the ~25k-token tool-result limits of common clients, whatever the schema.
SUMMARY_CHARS = 12_000
DETAILED_CHARS = 40_000

_DDL_KIND = {
    RelationKind.VIEW: "VIEW",
    RelationKind.MATERIALIZED_VIEW: "MATERIALIZED VIEW",
    RelationKind.FOREIGN_TABLE: "FOREIGN TABLE",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendering:
    """The text of a schema rendering and how many of its relations it shows."""

    text: str
    shown: int


def render_summary(snapshot: SchemaSnapshot, max_chars: int = SUMMARY_CHARS) -> Rendering:
    """One line per relation: name, kind, row estimate, comment."""
    header = f"Database {snapshot.database}: {len(snapshot.tables)} relations"
    hint = 'Use format="detailed" for columns and keys, or format="ddl".'
    enums = [f"enum {e.schema}.{e.name}: {', '.join(e.labels)}" for e in snapshot.enums]
    return _bounded(snapshot, _summary_line, header, [*enums, hint], max_chars)


def render_detailed(snapshot: SchemaSnapshot, max_chars: int = DETAILED_CHARS) -> Rendering:
    """Every relation with its columns, keys and comments."""
    enums = "\n".join(render_enum_line(enum) for enum in snapshot.enums)
    return _bounded(snapshot, render_table_block, enums, [], max_chars)


def render_ddl(snapshot: SchemaSnapshot, max_chars: int = DETAILED_CHARS) -> Rendering:
    """CREATE statements that describe the schema (not a dump: no data, no privileges)."""
    enums = [
        f"CREATE TYPE {e.schema}.{e.name} AS ENUM ({', '.join(_quote(x) for x in e.labels)});"
        for e in snapshot.enums
    ]
    return _bounded(snapshot, _table_ddl, "\n\n".join(enums), [], max_chars)


def _bounded(
    snapshot: SchemaSnapshot,
    render: Callable[[Table], str],
    header: str,
    footer: list[str],
    max_chars: int,
) -> Rendering:
    """Relations in order until the budget is spent, then a line saying what was left out."""
    parts = [header] if header else []
    used = len(header) + sum(len(line) + 1 for line in footer)
    shown = 0
    for table in snapshot.tables:
        block = render(table)
        if used + len(block) + 1 > max_chars:
            left = len(snapshot.tables) - shown
            parts.append(f"-- {left} more relations not shown; name one in a question to use it")
            break
        parts.append(block)
        used += len(block) + 1
        shown += 1
    return Rendering(text="\n".join([*parts, *footer]), shown=shown)


def _summary_line(table: Table) -> str:
    rows = "" if table.row_estimate is None else f", ~{table.row_estimate} rows"
    comment = f" - {' '.join(table.comment.split())[:120]}" if table.comment else ""
    kind = f"{table.kind.value}, {len(table.columns)} columns{rows}"
    return f"{table.qualified_name} ({kind}){comment}"


def _table_ddl(table: Table) -> str:
    kind = _DDL_KIND.get(table.kind)
    if kind is not None:
        columns = ", ".join(f"{c.name} {c.data_type}" for c in table.columns)
        ddl = f"-- {kind} {table.qualified_name} ({columns})"
    else:
        body = [_column_ddl(c) for c in table.columns]
        if table.primary_key:
            body.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
        body.extend(f"UNIQUE ({', '.join(key)})" for key in table.unique_keys)
        body.extend(
            f"FOREIGN KEY ({', '.join(fk.columns)}) REFERENCES {fk.ref_schema}.{fk.ref_table}"
            f" ({', '.join(fk.ref_columns)})"
            for fk in table.foreign_keys
        )
        ddl = f"CREATE TABLE {table.qualified_name} (\n  " + ",\n  ".join(body) + "\n);"
    if table.comment:
        ddl += f"\nCOMMENT ON TABLE {table.qualified_name} IS {_quote(table.comment)};"
    return ddl


def _column_ddl(column: Column) -> str:
    text = f"{column.name} {column.data_type}"
    if not column.nullable:
        text += " NOT NULL"
    if column.default is not None:
        text += f" DEFAULT {column.default}"
    return text


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
