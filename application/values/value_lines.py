"""The lines that show the model which columns hold the values a question names."""

from collections.abc import Sequence

from application.schema.retrieval.index import SchemaIndex
from application.schema.retrieval.ranking import select_schema_context
from application.values.value_index import ValueIndex
from domain.models import ColumnValue, RelationName

HEADER = "-- values named in the question, and the columns that hold them:"
# A column of this many values or fewer is shown whole, so that the model sees the spelling
# of the neighbours too ('partially_received' beside 'received').
SHOWN_WHOLE = 12
MAX_LINES = 12


def schema_with_values(
    schema: SchemaIndex,
    question: str,
    index: ValueIndex,
    *,
    max_tokens: int,
    similar: Sequence[ColumnValue] = (),
) -> str:
    """The schema for the prompt: tables holding named values first, those values at the end.

    similar: values found like a name in the question (pg_trgm), beside the exact matches.
    """
    matches = [*index.match(question), *similar]
    return select_schema_context(
        schema,
        question,
        max_tokens=max_tokens,
        linked={match.table for match in matches},
        notes=value_lines(matches, index),
    )


def value_lines(matches: Sequence[ColumnValue], index: ValueIndex) -> list[str]:
    """One line per matching column: `schema.table.column = 'value'`, its other values after."""
    named: dict[tuple[RelationName, str], list[str]] = {}
    for match in matches:
        named.setdefault((match.table, match.column), []).append(match.value)
    lines = [HEADER] if named else []
    for (table, column), values in list(named.items())[:MAX_LINES]:
        line = f"-- {table}.{column}: {', '.join(_literal(v) for v in values)}"
        others = [v for v in index.values_of(table, column) if v not in values]
        if others and len(others) < SHOWN_WHOLE:
            line += f" (others: {', '.join(_literal(v) for v in others)})"
        lines.append(line)
    return lines


def _literal(value: str) -> str:
    return "'" + " ".join(value.split()).replace("'", "''") + "'"
