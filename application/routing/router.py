"""Picks the database whose schema fits a question best, on scores alone (no model, no values)."""

from collections.abc import Sequence

from application.routing.scores import Candidate, database_scores
from domain.models import SchemaSnapshot


def route_question(question: str, snapshots: Sequence[SchemaSnapshot]) -> SchemaSnapshot:
    """The snapshot whose best-matching tables cover the question most; ties keep order."""
    if not snapshots:
        raise ValueError("no database to route to")
    scores = database_scores(question, [Candidate(snapshot=s) for s in snapshots])
    best = max(range(len(snapshots)), key=lambda i: (scores[snapshots[i].database], -i))
    return snapshots[best]
