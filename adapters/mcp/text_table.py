"""Rows as a compact text table, the readable half of a query result."""

import json
from collections.abc import Sequence

from domain.models import JsonValue

_PADDED_ROWS = 50
_CELL_CHARS = 200


def render_table(columns: Sequence[str], rows: Sequence[Sequence[JsonValue]]) -> str:
    """A padded pipe table when short; tab-separated when long, so the text stays small.

    The rows travel twice (this text and structuredContent); tab separation keeps a long reply
    under twice the size of the rows as compact JSON.
    """
    cells = [[_cell(value) for value in row] for row in rows]
    if len(rows) > _PADDED_ROWS:
        return "\n".join("\t".join(line) for line in [list(columns), *cells])
    widths = [max(map(len, column)) for column in zip(columns, *cells, strict=True)]
    header = " | ".join(map(str.ljust, columns, widths))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(map(str.ljust, line, widths)) for line in cells]
    return "\n".join([header, rule, *body])


def _cell(value: JsonValue) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else _compact(value)
    text = text.replace("\n", "\\n").replace("\t", "\\t").replace("|", "\\|")
    return text if len(text) <= _CELL_CHARS else text[: _CELL_CHARS - 1] + "…"


def _compact(value: JsonValue) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def count_rows(count: int) -> str:
    """ "1 row", "2 rows": how a reply and the terminal say how many rows came back."""
    return f"{count} {'row' if count == 1 else 'rows'}"
