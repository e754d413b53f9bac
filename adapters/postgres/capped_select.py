"""The text actually executed around a checked SELECT: PostgreSQL caps values and the total.

    SELECT CASE WHEN sum(z.n) OVER w <= CAP THEN z.c1 END, ..., sum(z.n) OVER w, z.omitted
    FROM (SELECT CASE WHEN z.z1 <= CAP THEN z.c1 END AS c1, ..., <bytes kept> AS n,
                 <"position:size" of each value over CAP> AS omitted
          FROM (SELECT q.c1, ..., <size of q.c1> AS z1, ... FROM (<sql>) AS q(c1, ...) OFFSET 0) z
    ) z WINDOW w AS (ROWS UNBOUNDED PRECEDING)

A value larger than the cap never leaves PostgreSQL (it comes as a marker), and once the running
total of the bytes kept passes the cap every later row comes as NULLs: whatever the batch size,
no fetch can hold more than the cap of values. The running sum streams (WindowAgg keeps no rows).
When max_rows + 1 rows of its width are few enough to hold at once, a LIMIT closes the text and
all rows come in the round trip that binds it; otherwise a cursor reads them in batches.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from adapters.postgres.rendering import Converter, render_rows
from adapters.postgres.result_budget import ResultBudget
from domain.errors import UnsafeSql
from domain.models import JsonValue
from domain.refusal_rules import RefusalRule

Statement: TypeAlias = "asyncpg.prepared_stmt.PreparedStatement[asyncpg.Record]"

# How a query that can stand as a subquery begins (the gate trims comments); anything else (SHOW,
# EXPLAIN, a write the READ ONLY transaction refuses) runs as it is.
_QUERY_STARTS = ("SELECT", "WITH", "VALUES", "TABLE", "(")

# Fixed-size types: a value is at most a few dozen bytes, so it is neither measured nor capped.
_FIXED = frozenset({
    "int2", "int4", "int8", "oid", "float4", "float8", "bool", "char", "name", "money", "date",
    "time", "timetz", "timestamp", "timestamptz", "interval", "uuid", "macaddr", "macaddr8",
    "point", "lseg", "box", "circle", "line", "pg_lsn", "xid", "xid8", "cid", "tid",
})  # fmt: skip
# octet_length reads these types' uncompressed size from the varlena header, without detoasting.
_TEXT_LIKE = frozenset({"text", "varchar", "bpchar", "bytea"})
# Values (NULLs past the cap included) read in one round trip at most; more go by cursor.
_ONE_FETCH_VALUES = 100_000
# Longer statements are rare repeats; their wrappings are not kept.
_CACHED_CHARS = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class CappedSelect:
    """The wrapped statement and how to read its rows back (width user columns, then 2 more)."""

    sql: str
    width: int
    max_bytes: int
    types: tuple[int, ...]  # the OIDs of the user columns the wrapping was built for
    limit: int | None = None  # rows the text returns at most; None: read by cursor

    def fits(self, statement: Statement) -> bool:
        """Whether PostgreSQL prepared the text with the column types it was built for."""
        prepared = statement.get_attributes()
        return len(prepared) == self.width + 2 and all(
            a.type.oid == oid for a, oid in zip(prepared, self.types, strict=False)
        )

    def over_cap(self, record: asyncpg.Record) -> int | None:
        """The running total of bytes when this row passes the cap, else None."""
        used = record[self.width]
        return None if used is None or used <= self.max_bytes else int(used)

    def values(self, record: asyncpg.Record) -> tuple[object, ...]:
        """The row's values, each omitted one replaced by a marker saying so."""
        values = tuple(record[: self.width])
        omitted = record[self.width + 1]
        if not omitted:
            return values
        cells = list(values)
        for entry in omitted.split(","):
            position, size = entry.split(":")
            cells[int(position) - 1] = omitted_marker(int(size), self.max_bytes)
        return tuple(cells)


def can_stand_as_subquery(sql: str) -> bool:
    """Whether the statement is a query that capped_select can wrap."""
    return sql.lstrip()[:6].upper().startswith(_QUERY_STARTS)


def omitted_marker(size: int, limit: int) -> JsonValue:
    """What the user sees in place of a value too large to return."""
    return f"[value omitted: {size:,} bytes, over the {limit:,}-byte limit]"


def capped_select(
    sql: str, attributes: Sequence[asyncpg.Attribute], max_bytes: int, *, max_rows: int
) -> CappedSelect:
    """Wrap a checked SELECT whose columns are `attributes` so PostgreSQL enforces max_bytes."""
    if len(sql) > _CACHED_CHARS:
        return _wrapped(sql, tuple(attributes), max_bytes, max_rows)
    return _remembered(sql, tuple(attributes), max_bytes, max_rows)


def _wrapped(
    sql: str, attributes: tuple[asyncpg.Attribute, ...], max_bytes: int, max_rows: int
) -> CappedSelect:
    width = len(attributes)
    limit = max_rows + 1 if (max_rows + 1) * (width + 2) <= _ONE_FETCH_VALUES else None
    names = [f"c{i}" for i in range(1, width + 1)]
    sizes = {i: expr for i, a in enumerate(attributes, 1) if (expr := _size_of(f"q.c{i}", a.type))}
    inner = ", ".join(
        [f"q.{name}" for name in names] + [f"{expr} AS z{i}" for i, expr in sizes.items()]
    )
    kept = [
        f"CASE WHEN z.z{i} <= {max_bytes} THEN z.c{i} END AS c{i}" if i in sizes else f"z.c{i}"
        for i in range(1, width + 1)
    ]
    counted = " + ".join(f"CASE WHEN z.z{i} <= {max_bytes} THEN z.z{i} ELSE 0 END" for i in sizes)
    flags = ", ".join(f"CASE WHEN z.z{i} > {max_bytes} THEN '{i}:' || z.z{i} END" for i in sizes)
    middle = ", ".join(
        [
            *kept,
            f"({counted or '0'})::pg_catalog.int8 AS n",
            f"pg_catalog.concat_ws(',', {flags or 'NULL'}) AS omitted",
        ]
    )
    used = "pg_catalog.sum(z.n) OVER w"
    outer = ", ".join(
        [f"CASE WHEN {used} <= {max_bytes} THEN z.{name} END" for name in names]
        + [used, "z.omitted"]
    )
    text = (
        f"SELECT {outer} FROM (SELECT {middle} FROM (SELECT {inner} "
        f"FROM (\n{sql}\n) AS q({', '.join(names)}) OFFSET 0) AS z) AS z "
        "WINDOW w AS (ROWS UNBOUNDED PRECEDING)" + ("" if limit is None else f" LIMIT {limit}")
    )
    return CappedSelect(
        sql=text,
        width=width,
        max_bytes=max_bytes,
        types=tuple(a.type.oid for a in attributes),
        limit=limit,
    )


# A repeated statement is wrapped the same way every time (the key holds its column types).
_remembered = functools.lru_cache(maxsize=256)(_wrapped)


def _size_of(column: str, kind: asyncpg.Type) -> str | None:
    """SQL for the uncompressed size of a column's value in bytes; None for fixed-size types."""
    name = kind.name
    if kind.schema == "pg_catalog" and kind.kind == "scalar" and name in _FIXED:
        return None
    if kind.schema == "pg_catalog" and kind.kind == "scalar" and name in _TEXT_LIKE:
        return f"pg_catalog.octet_length({column})"
    if (
        kind.schema == "pg_catalog"
        and kind.kind in ("scalar", "array")
        and "record" not in kind.name
    ):
        # pg_column_size is the compressed size: a compressed value (pglz and lz4 shrink a
        # repeated string a hundredfold) is measured by its text instead.
        return (
            f"CASE WHEN pg_catalog.pg_column_compression({column}) IS NULL "
            f"THEN pg_catalog.pg_column_size({column}) "
            f"ELSE pg_catalog.octet_length({column}::pg_catalog.text) END"
        )
    # Records and composites may hold compressed fields that pg_column_size counts compressed.
    return f"pg_catalog.octet_length({column}::pg_catalog.text)"


async def prepare_capped(
    conn: PoolConnectionProxy[asyncpg.Record], capped: CappedSelect, *, again: bool = False
) -> Statement:
    """Prepare the wrapped statement; a write the wrapping exposed is refused as a write.

    again: the statement ran before; it is kept prepared (asyncpg's statement cache), so a
    repeat is not parsed anew (it is still planned with its values: force_custom_plan).
    PostgreSQL checks a kept statement against the schema on every run: result types that
    changed fail it (0A000) rather than slip by.

    Raises:
        UnsafeSql: the query is a WITH holding a write (rule read_only_transaction).
    """
    try:
        if again:
            return await prepare_kept(conn, capped.sql)
        # Seen once: unnamed, replaced by the next Parse, so it never costs a Close.
        return await conn.prepare(capped.sql, name="")
    except asyncpg.PostgresError as exc:
        # 0A000: of the queries the raw text allowed, only a WITH holding a write cannot be a
        # subquery. It is as much a write as READ ONLY would have refused (25006).
        if exc.sqlstate != "0A000" or "data-modifying" not in str(exc):
            raise
        raise UnsafeSql(str(exc), rule=RefusalRule.READ_ONLY_TRANSACTION) from exc


async def prepare_kept(conn: PoolConnectionProxy[asyncpg.Record], sql: str) -> Statement:
    """sql prepared through asyncpg's statement cache: parsed and described once per connection.

    PostgreSQL re-checks a kept statement on every run and fails it (0A000) when its result
    types changed under it.
    """
    # asyncpg's public prepare() always parses afresh, bypassing its statement cache.
    kept = await conn._prepare(sql, use_cache=True)  # type: ignore[attr-defined]
    return cast(Statement, kept)


async def read_capped(
    statement: Statement,
    capped: CappedSelect,
    converters: Sequence[Converter | None],
    budget: ResultBudget,
    args: Sequence[object] = (),
) -> None:
    """Fetch the capped statement's rows into budget until PostgreSQL says the cap is passed.

    args: the values of the checked statement's $1..$n, which the wrapping keeps.
    """
    if capped.limit is not None:
        records = await statement.fetch(*args)
        _take(records, capped, converters, budget, last=len(records) < capped.limit)
        return
    cursor = await statement.cursor(*args)
    while size := budget.next_batch():
        records = await cursor.fetch(size)
        _take(records, capped, converters, budget, last=len(records) < size)


def _take(
    records: Sequence[asyncpg.Record],
    capped: CappedSelect,
    converters: Sequence[Converter | None],
    budget: ResultBudget,
    *,
    last: bool,
) -> None:
    values: list[tuple[object, ...]] = []
    for record in records:
        if (total := capped.over_cap(record)) is not None:
            budget.add(render_rows(values, converters), last=False)
            budget.cut(total)
            return
        values.append(capped.values(record))
    budget.add(render_rows(values, converters), last=last)
