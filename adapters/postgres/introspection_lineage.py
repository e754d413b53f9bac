"""Catalog queries for what a snapshot holds beyond relations: ancestors, extension functions."""

from collections import defaultdict
from collections.abc import Iterable

import asyncpg

from domain.models import RelationName

# Every ancestor of every table (partitions and inheritance children), nearest first, through
# pg_inherits; relkind filters out the partitions of partitioned indexes recorded there too.
PARENTS_SQL = """
WITH RECURSIVE ancestry(child, parent, depth) AS (
  SELECT i.inhrelid, i.inhparent, 1
  FROM pg_catalog.pg_inherits i
  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
  WHERE c.relkind IN ('r', 'p', 'f')
  UNION ALL
  SELECT a.child, i.inhparent, a.depth + 1
  FROM ancestry a JOIN pg_catalog.pg_inherits i ON i.inhrelid = a.parent
)
SELECT a.child, n.nspname, c.relname, min(a.depth) AS depth
FROM ancestry a
JOIN pg_catalog.pg_class c ON c.oid = a.parent
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
GROUP BY a.child, n.nspname, c.relname
ORDER BY a.child, depth, n.nspname, c.relname
"""

# Functions (and aggregates) that belong to a trusted extension (pg_depend deptype 'e'), left
# out: those taking or returning internal or cstring (support and I/O functions, not callable
# from a query), the names the caller distrusts (pg_trgm's set_limit changes a setting), and a
# name another object shares in that schema (an overload someone else created could win).
EXTENSION_FUNCTIONS_SQL = """
SELECT DISTINCT n.nspname, p.proname
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_depend d
  ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid
  AND d.classid = 'pg_catalog.pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_catalog.pg_proc p ON p.oid = d.objid
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE e.extname = ANY($1::text[]) AND p.prokind IN ('f', 'a') AND p.proname <> ALL($2::text[])
  AND NOT p.prorettype = ANY('{internal,cstring}'::regtype[]::oid[])
  AND NOT p.proargtypes::oid[] && '{internal,cstring}'::regtype[]::oid[]
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_proc o
    WHERE o.proname = p.proname AND o.pronamespace = p.pronamespace
      AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend od
        WHERE od.classid = 'pg_catalog.pg_proc'::regclass AND od.objid = o.oid
          AND od.refclassid = 'pg_catalog.pg_extension'::regclass AND od.refobjid = e.oid
          AND od.deptype = 'e'))
ORDER BY 1, 2
"""


def parents_by_relation(rows: Iterable[asyncpg.Record]) -> dict[int, tuple[RelationName, ...]]:
    """Each relation's ancestors by relation oid, nearest first."""
    parents: dict[int, list[RelationName]] = defaultdict(list)
    for row in rows:
        parents[row["child"]].append(RelationName(row["nspname"], row["relname"]))
    return {child: tuple(found) for child, found in parents.items()}
