"""What ranking needs to know about one snapshot, prepared once: blocks, costs, terms, links."""

from dataclasses import dataclass
from typing import Self

from application.schema.retrieval.bm25 import Bm25Index
from application.schema.retrieval.context import render_enum_line, render_table_block
from application.schema.retrieval.tokens import estimate_tokens, terms
from domain.models import SchemaSnapshot, Table

# A table's own name says most about it, its comment next; columns add detail (a BM25F-style
# field weighting, so `employees` beats a table that merely has an employee_id column).
NAME_WEIGHT = 3.0
TABLE_COMMENT_WEIGHT = 2.0
COLUMN_WEIGHT = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaIndex:
    """A snapshot rendered block by block, with token costs, a BM25 index and FK links.

    full_tokens is what render_schema_context(snapshot) costs whole: estimates add up line by line.
    """

    snapshot: SchemaSnapshot
    full_tokens: int
    blocks: tuple[str, ...]
    block_tokens: tuple[int, ...]
    enum_blocks: tuple[str, ...]
    enum_tokens: tuple[int, ...]
    enums_used: tuple[tuple[int, ...], ...]
    parents: tuple[tuple[int, ...], ...]
    children: tuple[tuple[int, ...], ...]
    bm25: Bm25Index

    @classmethod
    def build(cls, snapshot: SchemaSnapshot) -> Self:
        """Prepare `snapshot` for repeated selections."""
        blocks = tuple(render_table_block(table) for table in snapshot.tables)
        enum_blocks = tuple(render_enum_line(enum) for enum in snapshot.enums)
        parents, children = _links(snapshot.tables)
        block_tokens = tuple(estimate_tokens(block) + 1 for block in blocks)
        enum_tokens = tuple(estimate_tokens(block) + 1 for block in enum_blocks)
        return cls(
            snapshot=snapshot,
            # Each cost counts one joining newline; the whole text has one fewer.
            full_tokens=max(sum(block_tokens) + sum(enum_tokens) - 1, 0),
            blocks=blocks,
            block_tokens=block_tokens,
            enum_blocks=enum_blocks,
            enum_tokens=enum_tokens,
            enums_used=_enums_used(snapshot),
            parents=parents,
            children=children,
            bm25=Bm25Index.build([table_terms(table) for table in snapshot.tables]),
        )


def table_terms(table: Table) -> dict[str, float]:
    """The weighted terms of one table: its name, schema, comment, column names and comments."""
    counts: dict[str, float] = {}
    for term in terms(table.name):
        counts[term] = counts.get(term, 0.0) + NAME_WEIGHT
    for term in terms(table.schema):
        counts[term] = counts.get(term, 0.0) + COLUMN_WEIGHT
    for term in terms(table.comment or ""):
        counts[term] = counts.get(term, 0.0) + TABLE_COMMENT_WEIGHT
    for column in table.columns:
        for term in terms(f"{column.name} {column.comment or ''}"):
            counts[term] = counts.get(term, 0.0) + COLUMN_WEIGHT
    return counts


def _links(tables: tuple[Table, ...]) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """For each table, the tables its foreign keys reference and the tables referencing it."""
    position = {(t.schema, t.name): i for i, t in enumerate(tables)}
    parents: list[set[int]] = [set() for _ in tables]
    children: list[set[int]] = [set() for _ in tables]
    for source, table in enumerate(tables):
        for fk in table.foreign_keys:
            target = position.get((fk.ref_schema, fk.ref_table))
            if target is not None and target != source:
                parents[source].add(target)
                children[target].add(source)
    return tuple(tuple(sorted(p)) for p in parents), tuple(tuple(sorted(c)) for c in children)


def _enums_used(snapshot: SchemaSnapshot) -> tuple[tuple[int, ...], ...]:
    by_name: dict[str, list[int]] = {}
    for i, enum in enumerate(snapshot.enums):
        by_name.setdefault(f"{enum.schema}.{enum.name}", []).append(i)
        # format_type() leaves the schema off when the enum's schema is on the search path.
        by_name.setdefault(enum.name, []).append(i)
    used: list[tuple[int, ...]] = []
    for table in snapshot.tables:
        found: set[int] = set()
        for column in table.columns:
            found.update(by_name.get(_type_name(column.data_type), ()))
        used.append(tuple(sorted(found)))
    return tuple(used)


def _type_name(data_type: str) -> str:
    return data_type.removesuffix("[]").replace('"', "")
