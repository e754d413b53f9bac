"""CHECK constraints that list a column's values (status IN ('open', 'closed')), read as lists."""

import re
from collections.abc import Iterable

import asyncpg

# One-column CHECK constraints only; PostgreSQL prints each in a normal form (pg_get_constraintdef)
# such as CHECK ((status = ANY (ARRAY['open'::text, 'closed'::text]))).
CHECKS_SQL = """
SELECT con.conrelid, a.attname, pg_catalog.pg_get_constraintdef(con.oid) AS definition
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace
WHERE con.contype = 'c' AND pg_catalog.cardinality(con.conkey) = 1 AND con.conparentid = 0
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
"""

MAX_LISTED = 50
_LITERAL = re.compile(r"'((?:[^']|'')*)'::[\w .\"]+?(?=[,\])])")
# Around the literals of a list only the column, =, ANY, ARRAY, OR and casts may stand;
# anything else (<, LIKE, AND, a function call) makes it another kind of rule.
_OTHER_OPERATORS = re.compile(r"<|>|~|LIKE|IS |NOT |AND |length|\(\w+\(")


def allowed_by_column(rows: Iterable[asyncpg.Record]) -> dict[tuple[int, str], tuple[str, ...]]:
    """The values each (relation oid, column) is limited to by a CHECK listing them."""
    found: dict[tuple[int, str], tuple[str, ...]] = {}
    for row in rows:
        values = listed_values(row["definition"])
        if values:
            found[(row["conrelid"], row["attname"])] = values
    return found


def listed_values(definition: str) -> tuple[str, ...]:
    """The literals of `col = ANY (ARRAY[...])` or `col = 'a' OR col = 'b'`; () otherwise."""
    if _OTHER_OPERATORS.search(definition):
        return ()
    body = definition.removeprefix("CHECK ")
    if " = ANY " not in body and body.count(" = ") != body.count(" OR ") + 1:
        return ()
    values = [match.replace("''", "'") for match in _LITERAL.findall(body)]
    return tuple(values[:MAX_LISTED])
