"""The ValueReader port over a Database: the values of text columns that hold few of them.

Every statement goes through Database.fetch, so it runs read-only, as the configured role, with
the same statement timeout and memory limits as any query. Two sources, both bounded:
- the planner's statistics (pg_stats): no table is read, and a column whose most common values
  cover all its distinct values gives them whole;
- for small tables whose statistics do not cover a column (a unique name column has no most
  common values), SELECT DISTINCT, at most per_column + 1 values per column.
"""

from collections.abc import Sequence

from domain.models import ColumnValue, JsonValue, Parameter, RelationName, Table
from domain.ports import Database, ValueReader
from domain.safety.identifiers import quote_identifier

# A DISTINCT over a table this small costs a few milliseconds.
SMALL_TABLE_ROWS = 10_000
MAX_READ_TABLES = 500
TABLES_PER_STATEMENT = 25
COLUMNS_PER_STATS_STATEMENT = 5000
# Longer texts are descriptions, not names a question would quote.
MAX_VALUE_CHARS = 100
# Similarity search reads a column whole (no trigram index is assumed): small tables only.
SIMILAR_TABLE_ROWS = 200_000
MAX_SIMILAR_COLUMNS = 12
# pg_trgm's similarity, from 0 to 1: 'Hamburg' and 'Hamburgh' score 0.7, unrelated words 0.
MIN_SIMILARITY = 0.45
_PG_TRGM_SQL = (
    "SELECT n.nspname FROM pg_catalog.pg_extension AS e"
    " JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
)
_TEXT_TYPES = ("text", "character varying", "character", "varchar", "char", "citext", "bpchar")


class PostgresValueReader(ValueReader):
    """Reads few-valued text columns of one database through its Database port."""

    def __init__(self, database: Database, *, timeout: float) -> None:
        self._database = database
        self._timeout = timeout
        self._trgm_checked = False
        self._trgm_schema: str | None = None

    async def similar_values(
        self, columns: Sequence[tuple[Table, str]], phrases: Sequence[str], *, per_phrase: int
    ) -> list[ColumnValue]:
        """pg_trgm's closest values of each column to each phrase; none without pg_trgm.

        Only tables of at most SIMILAR_TABLE_ROWS rows are searched: without a trigram index
        each phrase reads the column whole.
        """
        schema = await self._pg_trgm()
        types = {(t.relation_name, c.name): c.data_type for t, _ in columns for c in t.columns}
        wanted = [
            (table, column)
            for table, column in columns
            if _is_text(types.get((table.relation_name, column), ""))
            and table.row_estimate is not None
            and table.row_estimate <= SIMILAR_TABLE_ROWS
        ][:MAX_SIMILAR_COLUMNS]
        if schema is None or not wanted or not phrases:
            return []
        similarity = f"{quote_identifier(schema)}.similarity"
        # The phrases are the caller's text: bound as parameters, never written into the SQL.
        bound = [Parameter(name=f"phrase{n}", value=phrase) for n, phrase in enumerate(phrases, 1)]
        pairs = [(t, c, n) for t, c in wanted for n in range(1, len(phrases) + 1)]
        parts = [
            f"(SELECT {position} AS k, v FROM (SELECT DISTINCT {quote_identifier(column)}::text"
            f" AS v FROM {quote_identifier(table.schema)}.{quote_identifier(table.name)}"
            f" WHERE {similarity}({quote_identifier(column)}::text, ${n}::text)"
            f" >= {MIN_SIMILARITY}) AS d"
            f" ORDER BY {similarity}(v, ${n}::text) DESC LIMIT {int(per_phrase)})"
            for position, (table, column, n) in enumerate(pairs)
        ]
        cap = len(pairs) * per_phrase
        result = await self._database.fetch(
            " UNION ALL ".join(parts), max_rows=cap, timeout=self._timeout, parameters=bound
        )
        return [
            ColumnValue(
                table=pairs[int(str(key))][0].relation_name,
                column=pairs[int(str(key))][1],
                value=str(value),
            )
            for key, value in result.rows
            if value is not None and len(str(value)) <= MAX_VALUE_CHARS
        ]

    async def _pg_trgm(self) -> str | None:
        """The schema pg_trgm is installed in, looked up once; None when it is not."""
        if not self._trgm_checked:
            result = await self._database.fetch(_PG_TRGM_SQL, max_rows=1, timeout=self._timeout)
            self._trgm_schema = str(result.rows[0][0]) if result.rows else None
            self._trgm_checked = True
        return self._trgm_schema

    async def few_values(self, tables: Sequence[Table], *, per_column: int) -> list[ColumnValue]:
        """Values of the text columns with at most per_column distinct values, stats first."""
        wanted = [(t, c.name) for t in tables for c in t.columns if _is_text(c.data_type)]
        found: dict[tuple[RelationName, str], list[str]] = {}
        for start in range(0, len(wanted), COLUMNS_PER_STATS_STATEMENT):
            chunk = wanted[start : start + COLUMNS_PER_STATS_STATEMENT]
            found.update(await self._from_stats(chunk, per_column))
        small = [
            (table, column)
            for table, column in wanted
            if (table.relation_name, column) not in found
            and table.row_estimate is not None
            and table.row_estimate <= SMALL_TABLE_ROWS
        ]
        found.update(await self._distinct(small, per_column))
        return [
            ColumnValue(table=table, column=column, value=value)
            for (table, column), values in found.items()
            for value in values
            if len(value) <= MAX_VALUE_CHARS
        ]

    async def _from_stats(
        self, columns: list[tuple[Table, str]], per_column: int
    ) -> dict[tuple[RelationName, str], list[str]]:
        if not columns:
            return {}
        keys = ", ".join(
            f"({_literal(t.schema)}, {_literal(t.name)}, {_literal(c)})" for t, c in columns
        )
        # pg_stats is a view with a privilege check per row: read once (MATERIALIZED), then
        # joined, or the planner walks it again for every column asked about.
        sql = (
            "WITH s AS MATERIALIZED (SELECT schemaname, tablename, attname, n_distinct,"
            " most_common_vals::text::text[] AS vals FROM pg_catalog.pg_stats"
            " WHERE NOT inherited AND most_common_vals IS NOT NULL"
            f" AND (n_distinct BETWEEN 1 AND {int(per_column)} OR n_distinct < 0))"
            " SELECT s.schemaname, s.tablename, s.attname, s.n_distinct, s.vals FROM s"
            f" JOIN (VALUES {keys}) AS k (schemaname, tablename, attname)"
            " USING (schemaname, tablename, attname)"
        )
        result = await self._database.fetch(sql, max_rows=len(columns), timeout=self._timeout)
        rows = {(t.schema, t.name): t.row_estimate for t, _ in columns}
        found: dict[tuple[RelationName, str], list[str]] = {}
        for schema, table, column, n_distinct, vals in result.rows:
            values = _strings(vals)
            distinct = _distinct_count(n_distinct, rows.get((str(schema), str(table))))
            # Complete only when the most common values are all the distinct ones.
            if distinct is not None and distinct <= min(len(values), per_column):
                found[(RelationName(str(schema), str(table)), str(column))] = values
        return found

    async def _distinct(
        self, columns: list[tuple[Table, str]], per_column: int
    ) -> dict[tuple[RelationName, str], list[str]]:
        by_table: dict[RelationName, list[tuple[Table, str]]] = {}
        for table, column in columns:
            by_table.setdefault(table.relation_name, []).append((table, column))
        groups = list(by_table.values())[:MAX_READ_TABLES]
        found: dict[tuple[RelationName, str], list[str]] = {}
        for start in range(0, len(groups), TABLES_PER_STATEMENT):
            batch = [
                pair for group in groups[start : start + TABLES_PER_STATEMENT] for pair in group
            ]
            found.update(await self._distinct_batch(batch, per_column))
        return found

    async def _distinct_batch(
        self, columns: list[tuple[Table, str]], per_column: int
    ) -> dict[tuple[RelationName, str], list[str]]:
        parts = [
            f"(SELECT {position} AS k, v FROM (SELECT DISTINCT {quote_identifier(column)}::text"
            f" AS v FROM {quote_identifier(table.schema)}.{quote_identifier(table.name)}"
            f" WHERE {quote_identifier(column)} IS NOT NULL LIMIT {int(per_column) + 1}) AS d)"
            for position, (table, column) in enumerate(columns)
        ]
        sql = " UNION ALL ".join(parts)
        cap = len(columns) * (per_column + 1)
        result = await self._database.fetch(sql, max_rows=cap, timeout=self._timeout)
        values: dict[int, list[str]] = {}
        for key, value in result.rows:
            values.setdefault(int(str(key)), []).append(str(value))
        return {
            (columns[key][0].relation_name, columns[key][1]): sorted(found)
            for key, found in values.items()
            if len(found) <= per_column  # more than that: not a column of few values
        }


def _distinct_count(n_distinct: JsonValue, row_estimate: int | None) -> int | None:
    """Distinct values from pg_stats: a count, or minus a fraction of the rows when negative."""
    if not isinstance(n_distinct, int | float):
        return None
    if n_distinct >= 0:
        return round(n_distinct)
    return None if row_estimate is None else round(-n_distinct * row_estimate)


def _is_text(data_type: str) -> bool:
    base = data_type.split("(", 1)[0].strip().removeprefix("pg_catalog.")
    return base in _TEXT_TYPES


def _literal(text: str) -> str:
    # An E'' string reads the same whatever standard_conforming_strings says.
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _strings(values: JsonValue) -> list[str]:
    return [str(v) for v in values] if isinstance(values, list) else []
