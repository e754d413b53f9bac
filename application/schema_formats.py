"""Readable renderings of a schema snapshot: summary, detailed and DDL."""

from application.schema_context import render_schema_context
from domain.models import Column, RelationKind, SchemaSnapshot, Table

_DDL_KIND = {
    RelationKind.VIEW: "VIEW",
    RelationKind.MATERIALIZED_VIEW: "MATERIALIZED VIEW",
    RelationKind.FOREIGN_TABLE: "FOREIGN TABLE",
}


def render_summary(snapshot: SchemaSnapshot) -> str:
    """One line per relation: name, kind, row estimate, comment."""
    lines = [f"Database {snapshot.database}: {len(snapshot.tables)} relations"]
    for table in snapshot.tables:
        rows = "" if table.row_estimate is None else f", ~{table.row_estimate} rows"
        comment = f" - {' '.join(table.comment.split())[:120]}" if table.comment else ""
        lines.append(
            f"{table.qualified_name} ({table.kind.value}, {len(table.columns)} columns{rows})"
            f"{comment}"
        )
    lines.extend(f"enum {e.schema}.{e.name}: {', '.join(e.labels)}" for e in snapshot.enums)
    lines.append('Use format="detailed" for columns and keys, or format="ddl".')
    return "\n".join(lines)


def render_detailed(snapshot: SchemaSnapshot) -> str:
    """Every relation with its columns, keys and comments."""
    return render_schema_context(snapshot, max_chars=10**9)


def render_ddl(snapshot: SchemaSnapshot) -> str:
    """CREATE statements that describe the schema (not a dump: no data, no privileges)."""
    parts = [
        f"CREATE TYPE {e.schema}.{e.name} AS ENUM ({', '.join(_quote(x) for x in e.labels)});"
        for e in snapshot.enums
    ]
    parts.extend(_table_ddl(table) for table in snapshot.tables)
    return "\n\n".join(parts)


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
