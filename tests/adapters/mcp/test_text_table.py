import json

from adapters.mcp.text_table import render_table
from domain.models import JsonValue


def test_a_short_table_is_padded_and_nulls_read_as_null() -> None:
    text = render_table(["name", "country"], [["Ada", "GB"], ["Bob", None]])

    lines = text.splitlines()
    assert lines[0] == "name | country"
    assert lines[2] == "Ada  | GB     "
    assert lines[3] == "Bob  | NULL   "


def test_a_cell_cannot_break_the_table() -> None:
    text = render_table(["note"], [["two\nlines | and\ta tab"]])

    assert text.splitlines()[2] == "two\\nlines \\| and\\ta tab"


def test_a_long_table_stays_smaller_than_the_rows_as_compact_json() -> None:
    rows: list[list[JsonValue]] = [
        [i, f"Customer {i}", "FR", "2024-02-01T05:00:00+00:00", "1610.00"] for i in range(1000)
    ]

    text = render_table(["id", "name", "country", "placed_at", "amount"], rows)

    assert len(text) < len(json.dumps(rows, separators=(",", ":")))
    assert text.splitlines()[1] == "0\tCustomer 0\tFR\t2024-02-01T05:00:00+00:00\t1610.00"
