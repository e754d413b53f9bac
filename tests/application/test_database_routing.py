"""Routing: a question without a database goes to the database whose schema fits it."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.table_database import TableDatabase
from application.database_choice import DatabaseChoice
from application.database_router import route_question
from application.databases import DatabaseDirectory
from application.schema_catalog import SchemaCatalog
from application.visible_schemas import VisibleSchemas
from domain.access.rules import AccessRules
from domain.models import SchemaSnapshot
from tests.erp_schema import erp_snapshot

QUESTIONS = Path(__file__).parents[1] / "fixtures" / "erp" / "questions.json"
# Three databases of distinct domains, as a company would split them, cut from the ERP.
GROUPS = {
    "people": {"hr"},
    "supply": {"inventory", "purchasing", "logistics"},
    "revenue": {"crm", "sales", "finance"},
}


def _databases() -> list[SchemaSnapshot]:
    erp = erp_snapshot()
    return [
        replace(erp, database=name, tables=tuple(t for t in erp.tables if t.schema in schemas))
        for name, schemas in GROUPS.items()
    ]


def _labelled_questions() -> list[tuple[str, str]]:
    labelled = []
    for entry in json.loads(QUESTIONS.read_text()):
        schemas = {table.split(".")[0] for table in entry["tables"]}
        homes = [name for name, group in GROUPS.items() if schemas <= group]
        if entry["database"] == "erp" and homes:
            labelled.append((entry["question"], homes[0]))
    return labelled


def test_routing_sends_at_least_95_percent_of_questions_to_their_database() -> None:
    databases = _databases()
    questions = _labelled_questions()

    routed = [(q, route_question(q, databases).database, home) for q, home in questions]
    wrong = [(q, got, home) for q, got, home in routed if got != home]

    assert len(questions) >= 40
    assert len(wrong) / len(questions) <= 0.05, wrong


def test_routing_is_deterministic_and_ties_keep_configuration_order() -> None:
    databases = _databases()

    first = route_question("hello there", databases)

    assert first.database == "people"
    assert route_question("hello there", databases) is first


@pytest.mark.anyio
async def test_a_question_without_a_database_goes_to_the_fitting_one_and_says_so() -> None:
    clock = FakeClock()
    people, supply, revenue = (
        TableDatabase(name=s.database, snapshot=s, clock=clock) for s in _databases()
    )
    choice = DatabaseChoice(
        databases=DatabaseDirectory({"people": people, "supply": supply, "revenue": revenue}),
        catalog=SchemaCatalog(store=InMemorySchemaStore(), clock=clock, ttl=60),
        visible=VisibleSchemas(AccessRules()),
    )

    database, snapshot = await choice.choose(None, "Which employees joined the payroll in 2024?")

    assert database is people
    assert snapshot.database == "people"


@pytest.mark.anyio
async def test_a_named_database_is_used_without_routing() -> None:
    clock = FakeClock()
    people, supply, _ = (
        TableDatabase(name=s.database, snapshot=s, clock=clock) for s in _databases()
    )
    choice = DatabaseChoice(
        databases=DatabaseDirectory({"people": people, "supply": supply}),
        catalog=SchemaCatalog(store=InMemorySchemaStore(), clock=clock, ttl=60),
        visible=VisibleSchemas(AccessRules()),
    )

    database, _ = await choice.choose("supply", "Which employees joined the payroll?")

    assert database is supply
    assert people.introspections == 0
