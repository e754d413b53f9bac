"""Picks the part of a large schema that a question needs, within a token budget.

When the whole schema fits, it is returned as render_schema_context writes it. Otherwise tables
are ranked by BM25 against the question; the best fill about 70% of the budget, then tables
linked to them by a foreign key (either direction) join so the model can still write the joins,
then any room left goes to the next best. Enums used by a chosen column come along. Output keeps
the snapshot's order and ends with a line saying how many tables were left out.
"""

from collections.abc import Callable, Collection, Sequence

from application.schema.retrieval.index import SchemaIndex
from application.schema.retrieval.tokens import estimate_tokens, question_terms
from domain.models import RelationName

DEFAULT_CONTEXT_TOKENS = 6000
PRIMARY_SHARE = 0.7
NEIGHBOUR_GROUP = 10
FOOTER = "-- {count} more tables not shown; ask get_schema for others"


def select_schema_context(
    index: SchemaIndex,
    question: str,
    *,
    max_tokens: int = DEFAULT_CONTEXT_TOKENS,
    linked: Collection[RelationName] = (),
    notes: Sequence[str] = (),
) -> str:
    """The schema for `question`: all of it if it fits in max_tokens, else the relevant part.

    linked: tables that must come first (they hold values the question
    names); notes: lines that end the context (those values), counted in the budget.
    """
    budget = max_tokens - sum(estimate_tokens(note) + 1 for note in notes)
    if index.full_tokens <= budget:
        # The same text render_schema_context writes, from blocks the index already holds.
        return "\n".join([*index.enum_blocks, *index.blocks, *notes])
    chosen, enums = _choose(index, question, budget, linked)
    parts = [index.enum_blocks[i] for i in sorted(enums)]
    parts.extend(index.blocks[i] for i in sorted(chosen))
    left_out = len(index.blocks) - len(chosen)
    if left_out:
        parts.append(FOOTER.format(count=left_out))
    return "\n".join([*parts, *notes])


class _Selection:
    """Tables and enums chosen so far, and the tokens they cost."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index
        self.tables: set[int] = set()
        self.enums: set[int] = set()
        self.used = 0

    def try_add(self, table: int, limit: int) -> bool:
        """Add `table` (and its enums) if the total stays within `limit` tokens."""
        if table in self.tables:
            return False
        new_enums = [e for e in self.index.enums_used[table] if e not in self.enums]
        cost = self.index.block_tokens[table] + sum(self.index.enum_tokens[e] for e in new_enums)
        if self.used + cost > limit:
            return False
        self.tables.add(table)
        self.enums.update(new_enums)
        self.used += cost
        return True


def _choose(
    index: SchemaIndex, question: str, max_tokens: int, linked: Collection[RelationName]
) -> tuple[set[int], set[int]]:
    scores = index.bm25.scores(question_terms(question))
    names = [table.qualified_name for table in index.snapshot.tables]
    top = max(scores, default=0.0) + 1.0
    for position, relation in enumerate(index.snapshot.tables):
        if relation.relation_name in linked:
            scores[position] += top  # holds a value the question names: needed for its WHERE

    def rank(table: int) -> tuple[float, int, str]:
        return (-scores[table], -len(index.children[table]), names[table])

    ranked = sorted(range(len(names)), key=rank)
    selection = _Selection(index)
    primary = [
        table
        for table in ranked
        if scores[table] > 0 and selection.try_add(table, int(max_tokens * PRIMARY_SHARE))
    ]
    limit = max_tokens - _footer_tokens(len(names))
    for table in _neighbours(index, primary, rank):
        selection.try_add(table, limit)
    for table in ranked:
        selection.try_add(table, limit)
    return selection.tables, selection.enums


def _neighbours(
    index: SchemaIndex, primary: list[int], rank: Callable[[int], tuple[float, int, str]]
) -> list[int]:
    """Tables linked to the chosen ones, ten chosen tables at a time, best first: for each ten,
    the tables they reference (a join needs them to name things), then those referencing them."""
    best: dict[int, tuple[int, int]] = {}
    for position, table in enumerate(primary):
        for direction, linked in enumerate((index.parents[table], index.children[table])):
            key = (position // NEIGHBOUR_GROUP, direction)
            for other in linked:
                if other not in best or key < best[other]:
                    best[other] = key
    return sorted(best, key=lambda table: (best[table], rank(table)))


def _footer_tokens(table_count: int) -> int:
    return estimate_tokens(FOOTER.format(count=table_count)) + 1
