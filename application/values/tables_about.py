"""The few tables a question is most about, and the tables they reference (names live there)."""

from application.schema.retrieval.index import SchemaIndex
from application.schema.retrieval.tokens import question_terms
from domain.models import Table

BEST_TABLES = 4


def about(index: SchemaIndex, question: str) -> list[Table]:
    """The best-matching tables for `question` and their foreign-key parents, best first."""
    scores = index.bm25.scores(question_terms(question))
    best = sorted((i for i, score in enumerate(scores) if score > 0), key=lambda i: -scores[i])
    chosen: dict[int, None] = {}
    for table in best[:BEST_TABLES]:
        chosen[table] = None
        chosen.update(dict.fromkeys(index.parents[table]))
    return [index.snapshot.tables[i] for i in chosen]
