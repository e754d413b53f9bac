"""The synthetic ERP as SQL, so that it can be created in a real PostgreSQL database."""

from domain.models import SchemaSnapshot


def erp_sql(snapshot: SchemaSnapshot) -> str:
    """Schemas, enum types, tables and comments of `snapshot` (no keys across tables, no rows)."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {s};" for s in {t.schema for t in snapshot.tables}]
    statements += [
        f"CREATE TYPE {e.schema}.{e.name} AS ENUM ({', '.join(map(_quote, e.labels))});"
        for e in snapshot.enums
    ]
    for table in snapshot.tables:
        # A generated satellite may repeat a column its core table has: the first one stays.
        unique = {c.name: c for c in reversed(table.columns)}
        columns = ", ".join(f"{c.name} {c.data_type}" for c in table.columns if unique[c.name] is c)
        statements.append(f"CREATE TABLE {table.qualified_name} ({columns});")
        if table.comment:
            statements.append(
                f"COMMENT ON TABLE {table.qualified_name} IS {_quote(table.comment)};"
            )
        statements += [
            f"COMMENT ON COLUMN {table.qualified_name}.{c.name} IS {_quote(c.comment)};"
            for c in table.columns
            if c.comment
        ]
    return "\n".join(statements)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
