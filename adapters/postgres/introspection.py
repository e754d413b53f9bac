"""Read a whole schema from the catalog in eleven queries, however many tables there are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import asyncpg

from adapters.postgres.introspection_checks import CHECKS_SQL, allowed_by_column
from adapters.postgres.introspection_lineage import (
    EXTENSION_FUNCTIONS_SQL,
    PARENTS_SQL,
    parents_by_relation,
)
from adapters.postgres.introspection_stats import (
    EXAMPLES_SQL,
    INDEXES_SQL,
    examples_by_column,
    index_from_row,
)
from domain.models import (
    Column,
    Dependency,
    EnumType,
    ForeignKey,
    Index,
    RelationKind,
    RelationName,
    SchemaSnapshot,
    Table,
)
from domain.safety.functions import TRUSTED_EXTENSIONS, UNTRUSTED_EXTENSION_FUNCTIONS

# Schemas named pg_* are reserved (pg_catalog, pg_toast, pg_temp_N); users cannot create them.
_USER_SCHEMA = "{ns}.nspname !~ '^pg_' AND {ns}.nspname <> 'information_schema'"

# Partitions and inheritance children are read too: they can be queried directly, so the
# access policy must know them and their parents (PARENTS_SQL).
RELATIONS_SQL = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind::text AS relkind, d.description, c.reltuples
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_USER_SCHEMA.format(ns="n")}
ORDER BY n.nspname, c.relname
"""

COLUMNS_SQL = f"""
SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
       a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, d.description,
       a.attnum, t.typcategory = 'S' AS is_string
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass
  AND d.objsubid = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_USER_SCHEMA.format(ns="n")}
ORDER BY a.attrelid, a.attnum
"""

# conparentid = 0 skips the copies PostgreSQL makes on each partition.
CONSTRAINTS_SQL = f"""
SELECT con.conrelid, con.conname, con.contype::text AS contype,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord) AS columns,
       rn.nspname AS ref_schema, rc.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord) AS ref_columns
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f') AND con.conrelid <> 0 AND con.conparentid = 0
  AND {_USER_SCHEMA.format(ns="n")}
ORDER BY con.conrelid, con.conname
"""

ENUMS_SQL = f"""
SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE {_USER_SCHEMA.format(ns="n")}
GROUP BY n.nspname, t.typname
ORDER BY n.nspname, t.typname
"""

# What each view and materialized view reads, from the dependencies of its rewrite rule: a
# column read names the column; refobjsubid 0 (count(*), row_to_json(t), a bare FROM) leaves
# attname NULL and stands for the whole row. Reads hidden inside functions are not recorded.
DEPENDENCIES_SQL = f"""
SELECT DISTINCT r.ev_class AS view_oid, tn.nspname, t.relname, a.attname
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass
  AND d.refclassid = 'pg_catalog.pg_class'::regclass
  AND t.oid <> v.oid AND {_USER_SCHEMA.format(ns="vn")}
"""

# What each schema is for, in its owner's words: routing reads it beside the description.
# public's stock comment ('standard public schema') says nothing about the data in it.
SCHEMA_COMMENTS_SQL = f"""
SELECT n.nspname, d.description
FROM pg_catalog.pg_namespace n
JOIN pg_catalog.pg_description d
  ON d.objoid = n.oid AND d.classoid = 'pg_catalog.pg_namespace'::regclass
WHERE {_USER_SCHEMA.format(ns="n")} AND n.nspname <> 'public'
ORDER BY n.nspname
"""

_KINDS = {
    "r": RelationKind.TABLE,
    "p": RelationKind.PARTITIONED_TABLE,
    "v": RelationKind.VIEW,
    "m": RelationKind.MATERIALIZED_VIEW,
    "f": RelationKind.FOREIGN_TABLE,
}


async def load_snapshot(
    conn: asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any],
    *,
    database: str,
    loaded_at: float,
) -> SchemaSnapshot:
    """Query the catalog and build the snapshot of every user relation and enum."""
    relations = await conn.fetch(RELATIONS_SQL)
    columns = await conn.fetch(COLUMNS_SQL)
    constraints = await conn.fetch(CONSTRAINTS_SQL)
    enums = await conn.fetch(ENUMS_SQL)
    dependencies = await conn.fetch(DEPENDENCIES_SQL)
    indexes = await conn.fetch(INDEXES_SQL)
    examples = await conn.fetch(EXAMPLES_SQL)
    checks = await conn.fetch(CHECKS_SQL)
    schema_comments = await conn.fetch(SCHEMA_COMMENTS_SQL)
    parents = await conn.fetch(PARENTS_SQL)
    extension_functions = await conn.fetch(
        EXTENSION_FUNCTIONS_SQL, TRUSTED_EXTENSIONS, UNTRUSTED_EXTENSION_FUNCTIONS
    )
    return build_snapshot(
        database=database,
        loaded_at=loaded_at,
        relations=relations,
        columns=columns,
        constraints=constraints,
        enums=enums,
        dependencies=dependencies,
        indexes=indexes,
        examples=examples,
        checks=checks,
        parents=parents,
        extension_functions=extension_functions,
        schema_comments=schema_comments,
    )


def build_snapshot(
    *,
    database: str,
    loaded_at: float,
    relations: Sequence[asyncpg.Record],
    columns: Iterable[asyncpg.Record],
    constraints: Iterable[asyncpg.Record],
    enums: Iterable[asyncpg.Record],
    dependencies: Iterable[asyncpg.Record] = (),
    indexes: Iterable[asyncpg.Record] = (),
    examples: Iterable[asyncpg.Record] = (),
    checks: Iterable[asyncpg.Record] = (),
    parents: Iterable[asyncpg.Record] = (),
    extension_functions: Iterable[asyncpg.Record] = (),
    schema_comments: Iterable[asyncpg.Record] = (),
) -> SchemaSnapshot:
    """Assemble catalog rows into a SchemaSnapshot."""
    examples_of = examples_by_column(examples, relations)
    allowed_of = allowed_by_column(checks)
    columns_of: dict[int, list[Column]] = defaultdict(list)
    names: dict[tuple[int, int], str] = {}
    for row in columns:
        relid, name = row["attrelid"], row["attname"]
        found = examples_of.get((relid, name), ())
        column = _column(row, found if found and row["is_string"] else ())
        allowed = allowed_of.get((relid, name))
        columns_of[relid].append(column if allowed is None else replace(column, allowed=allowed))
        names[(relid, row["attnum"])] = name
    indexes_of: dict[int, list[Index]] = defaultdict(list)
    for row in indexes:
        indexes_of[row["indrelid"]].append(index_from_row(row, names))
    constraints_of: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in constraints:
        constraints_of[row["conrelid"]].append(row)
    reads_of: dict[int, set[Dependency]] = defaultdict(set)
    for row in dependencies:
        relation = RelationName(row["nspname"], row["relname"])
        reads_of[row["view_oid"]].add(Dependency(relation, row["attname"]))
    parents_of = parents_by_relation(parents)
    tables = tuple(
        _table(
            row,
            columns_of.get(row["oid"], []),
            constraints_of.get(row["oid"], []),
            depends_on=tuple(sorted(reads_of.get(row["oid"], ()), key=_reading_order)),
            indexes=tuple(indexes_of.get(row["oid"], ())),
            parents=parents_of.get(row["oid"], ()),
        )
        for row in relations
    )
    enum_types = tuple(
        EnumType(schema=row["nspname"], name=row["typname"], labels=tuple(row["labels"]))
        for row in enums
    )
    return SchemaSnapshot(
        database=database,
        tables=tables,
        enums=enum_types,
        loaded_at=loaded_at,
        extension_functions=tuple((row["nspname"], row["proname"]) for row in extension_functions),
        schema_comments=tuple((row["nspname"], row["description"]) for row in schema_comments),
    )


def _column(row: asyncpg.Record, examples: tuple[str, ...]) -> Column:
    return Column(
        name=row["attname"],
        data_type=row["data_type"],
        nullable=not row["attnotnull"],
        default=row["default_expr"],
        comment=row["description"],
        examples=examples,
    )


def _reading_order(dependency: Dependency) -> tuple[RelationName, str]:
    return dependency.relation, dependency.column or ""


def _table(
    row: asyncpg.Record,
    columns: Sequence[Column],
    constraints: Sequence[asyncpg.Record],
    *,
    depends_on: tuple[Dependency, ...] = (),
    indexes: tuple[Index, ...] = (),
    parents: tuple[RelationName, ...] = (),
) -> Table:
    kind = _KINDS[row["relkind"]]
    keys = _by_type(constraints)
    primary = keys["p"][0]["columns"] if keys["p"] else ()
    return Table(
        schema=row["nspname"],
        name=row["relname"],
        kind=kind,
        columns=tuple(columns),
        primary_key=tuple(primary),
        unique_keys=tuple(tuple(con["columns"]) for con in keys["u"]),
        foreign_keys=tuple(_foreign_key(con) for con in keys["f"]),
        comment=row["description"],
        row_estimate=_row_estimate(kind, row["reltuples"]),
        depends_on=depends_on,
        indexes=indexes,
        parents=parents,
    )


def _by_type(constraints: Sequence[asyncpg.Record]) -> dict[str, list[asyncpg.Record]]:
    grouped: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for con in constraints:
        grouped[con["contype"]].append(con)
    return grouped


def _foreign_key(con: asyncpg.Record) -> ForeignKey:
    return ForeignKey(
        name=con["conname"],
        columns=tuple(con["columns"]),
        ref_schema=con["ref_schema"],
        ref_table=con["ref_table"],
        ref_columns=tuple(con["ref_columns"]),
    )


def _row_estimate(kind: RelationKind, reltuples: float) -> int | None:
    # reltuples is -1 until the first VACUUM or ANALYZE; a view holds no rows of its own.
    if kind is RelationKind.VIEW or reltuples < 0:
        return None
    return int(reltuples)
