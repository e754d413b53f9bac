"""The compact schema text the model reads: one block per relation, one line per column.

Which relations go into a prompt, within the token budget, is schema_ranking's decision.
"""

from domain.models import Column, EnumType, ForeignKey, RelationKind, SchemaSnapshot, Table


def render_schema_context(snapshot: SchemaSnapshot) -> str:
    """The whole schema: enums, then one block per relation with keys and comments kept."""
    blocks = [render_enum_line(enum) for enum in snapshot.enums]
    blocks.extend(render_table_block(table) for table in snapshot.tables)
    return "\n".join(blocks)


def render_enum_line(enum: EnumType) -> str:
    """One enum type and its labels, quoted as SQL would write them."""
    return f"enum {enum.schema}.{enum.name}: {', '.join(repr(label) for label in enum.labels)}"


def render_table_block(table: Table) -> str:
    """One relation: a header line with its comment, then one line per column and its keys."""
    kind = "" if table.kind is RelationKind.TABLE else f" ({table.kind.value.replace('_', ' ')})"
    header = f"{table.qualified_name}{kind}"
    if table.comment:
        header += f"  -- {_one_line(table.comment)}"
    lines = [header]
    fk_by_column = {fk.columns[0]: fk for fk in table.foreign_keys if len(fk.columns) == 1}
    lines.extend(_column_line(table, c, fk_by_column) for c in table.columns)
    lines.extend(
        f"  FK ({', '.join(fk.columns)}) -> {fk.ref_schema}.{fk.ref_table}"
        f"({', '.join(fk.ref_columns)})"
        for fk in table.foreign_keys
        if len(fk.columns) > 1
    )
    return "\n".join(lines)


def _column_line(table: Table, column: Column, fks: dict[str, ForeignKey]) -> str:
    notes = []
    if column.name in table.primary_key:
        notes.append("PK")
    fk = fks.get(column.name)
    if fk is not None:
        notes.append(f"-> {fk.ref_schema}.{fk.ref_table}.{fk.ref_columns[0]}")
    if not column.nullable:
        notes.append("not null")
    line = f"  {column.name} {column.data_type}"
    if notes:
        line += " " + " ".join(notes)
    remarks = [_one_line(column.comment)] if column.comment else []
    if column.allowed:
        # A CHECK constraint's list: every value the column may hold, always shown.
        remarks.append("one of " + ", ".join(_literal(value) for value in column.allowed))
    elif column.examples:
        # Real values show the model how data is spelled ('FR', not 'France').
        remarks.append("e.g. " + ", ".join(_literal(value) for value in column.examples))
    if remarks:
        line += "  -- " + "; ".join(remarks)
    return line


def _literal(value: str) -> str:
    return "'" + _one_line(value).replace("'", "''") + "'"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
