"""The mixed-size routing set: a big ERP beside a small shop and a small HR database.

Shop and HR are introspected from real PostgreSQL (their example values included); the ERP is
the synthetic snapshot. Its questions come from tests/fixtures/erp/questions.json.
"""

import json
from collections.abc import Mapping
from pathlib import Path

from application.routing.scores import Candidate
from domain.models import SchemaSnapshot

FIXTURES = Path(__file__).parent / "fixtures"
ROUTING = FIXTURES / "routing" / "questions.json"
ERP_QUESTIONS = FIXTURES / "erp" / "questions.json"


def descriptions() -> dict[str, str]:
    """The description an operator gave each database of the set."""
    return dict(json.loads(ROUTING.read_text("utf-8"))["descriptions"])


def labelled_questions() -> list[tuple[str, frozenset[str]]]:
    """(question, databases that answer it) for the shop, HR and ERP questions of the set.

    A question is meant for one database; a few can be answered as well by another, which
    holds every table and column it needs (listed under also_right).
    """
    routing = json.loads(ROUTING.read_text("utf-8"))
    erp = json.loads(ERP_QUESTIONS.read_text("utf-8"))
    meant = [(q["question"], q["database"]) for q in routing["questions"]]
    meant += [(q["question"], "erp") for q in erp if q["database"] == "erp"]
    also = routing["also_right"]
    return [(question, frozenset([home, *also.get(question, [])])) for question, home in meant]


def questions_with_literals() -> list[tuple[str, str, list[str]]]:
    """(question, database, literals of its reference SQL) where the SQL has literals."""
    routing = json.loads(ROUTING.read_text("utf-8"))
    return [
        (q["question"], q["database"], q["literals"])
        for q in routing["questions"]
        if q.get("literals")
    ]


def candidates(snapshots: Mapping[str, SchemaSnapshot]) -> list[Candidate]:
    """The set's databases as routing candidates, each with its description."""
    described = descriptions()
    return [
        Candidate(snapshot=snapshot, description=described.get(name, ""))
        for name, snapshot in snapshots.items()
    ]
