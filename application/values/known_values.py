"""The values a snapshot already knows: enum labels and the planner's most common values."""

from collections.abc import Iterator

from domain.models import ColumnValue, SchemaSnapshot


def snapshot_values(snapshot: SchemaSnapshot) -> Iterator[ColumnValue]:
    """Every enum label and CHECK-listed value a column can hold, and every example value."""
    labels = {}
    for enum in snapshot.enums:
        labels[f"{enum.schema}.{enum.name}"] = enum.labels
        # format_type() leaves the schema off when the enum's schema is on the search path.
        labels.setdefault(enum.name, enum.labels)
    for table in snapshot.tables:
        for column in table.columns:
            type_name = column.data_type.removesuffix("[]").replace('"', "")
            for value in labels.get(type_name, ()):
                yield ColumnValue(table=table.relation_name, column=column.name, value=value)
            for value in column.allowed:
                yield ColumnValue(table=table.relation_name, column=column.name, value=value)
            for value in column.examples:
                if not value.endswith("…"):  # cut short: not the stored value
                    yield ColumnValue(table=table.relation_name, column=column.name, value=value)
