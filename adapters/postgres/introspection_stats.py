"""The catalog queries for indexes and example values, and how their rows become domain values."""

from collections.abc import Iterable, Sequence

import asyncpg

from domain.models import Index

# Key columns only (INCLUDE columns neither order nor filter), named in Python from their
# attnum; an expression index is printed by PostgreSQL instead. Invalid indexes (a failed
# CREATE INDEX CONCURRENTLY) serve no query.
INDEXES_SQL = """
SELECT i.indrelid, ic.relname, i.indisunique, am.amname, i.indnkeyatts, i.indkey::int2[] AS keys,
       CASE WHEN i.indexprs IS NOT NULL THEN
         ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
               FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) END AS expressions
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE i.indisvalid AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY i.indrelid, ic.relname
"""

MAX_DISTINCT_FOR_EXAMPLES = 20
MAX_EXAMPLES = 5
MAX_EXAMPLE_CHARS = 60

# The planner's most common values, for example values: no table is scanned, they exist once
# ANALYZE or autovacuum has run, and pg_stats shows only columns the current role may SELECT.
# A positive n_distinct counts values; a negative one is minus a fraction of the rows, small
# only in a small table, which build_snapshot checks. Joining back to pg_class by name here
# costs more than the whole view, so string types and row counts are matched in Python.
EXAMPLES_SQL = f"""
SELECT schemaname, tablename, attname, inherited, n_distinct,
       (most_common_vals::text::text[])[1:{MAX_EXAMPLES}] AS vals
FROM pg_catalog.pg_stats
WHERE (n_distinct BETWEEN 1 AND {MAX_DISTINCT_FOR_EXAMPLES} OR n_distinct < 0)
  AND most_common_vals IS NOT NULL
  AND schemaname !~ '^pg_' AND schemaname <> 'information_schema'
"""


def examples_by_column(
    stats: Iterable[asyncpg.Record], relations: Sequence[asyncpg.Record]
) -> dict[tuple[int, str], tuple[str, ...]]:
    """Example values by (relation oid, column name) for columns with few values, of any type."""
    tables = {(row["nspname"], row["relname"]): row for row in relations}
    found: dict[tuple[int, str], tuple[str, ...]] = {}
    # The statistics of a whole inheritance tree (inherited) come last and win.
    for row in sorted(stats, key=lambda row: bool(row["inherited"])):
        relation = tables.get((row["schemaname"], row["tablename"]))
        if relation is None:
            continue  # a relation the snapshot does not hold
        key = (relation["oid"], row["attname"])
        if _distinct(row["n_distinct"], relation) <= MAX_DISTINCT_FOR_EXAMPLES:
            found[key] = _examples(row["vals"])
    return found


def _distinct(n_distinct: float, relation: asyncpg.Record) -> float:
    if n_distinct >= 0:
        return n_distinct
    reltuples = relation["reltuples"]
    return -n_distinct * reltuples if reltuples >= 0 else float("inf")


def _examples(values: Sequence[str]) -> tuple[str, ...]:
    # Most frequent first; a value cut short ends in an ellipsis so that the model does not
    # compare a column with it as if it were whole.
    return tuple(
        value if len(value) <= MAX_EXAMPLE_CHARS else value[: MAX_EXAMPLE_CHARS - 1] + "…"
        for value in values
    )


def index_from_row(row: asyncpg.Record, names: dict[tuple[int, int], str]) -> Index:
    """An Index from a row of INDEXES_SQL; names maps (relation oid, attnum) to column names."""
    keys = row["keys"][: row["indnkeyatts"]]
    columns = row["expressions"] or [names[(row["indrelid"], key)] for key in keys]
    return Index(
        name=row["relname"],
        columns=tuple(columns),
        unique=row["indisunique"],
        method=row["amname"],
    )
