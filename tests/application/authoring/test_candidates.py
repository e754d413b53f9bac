"""PG_MCP_CANDIDATES: several drafts, run on a few rows, the one most agree with answers."""

import pytest

from adapters.memory.table_database import Outcome
from application.messages import AnswerRequest
from domain.errors import SqlExecutionFailed
from domain.models import ColumnInfo, QueryResult
from tests.application.shop import build_world

BY_NAME = "SELECT name FROM customers ORDER BY name"
BY_ID = "SELECT name FROM customers ORDER BY id"
WRONG = "SELECT email FROM customers"
BROKEN = "SELECT nme FROM customers"
ADA_BOB = QueryResult(columns=(ColumnInfo(name="name", type="text"),), rows=(("Ada",), ("Bob",)))
BOB_ADA = QueryResult(columns=ADA_BOB.columns, rows=(("Bob",), ("Ada",)))
EMAILS = QueryResult(columns=(ColumnInfo(name="email", type="text"),), rows=(("a@x",),))
RESULTS: dict[str, Outcome] = {
    BY_NAME: ADA_BOB,
    BY_ID: BOB_ADA,
    WRONG: EMAILS,
    BROKEN: SqlExecutionFailed("column nme does not exist", sqlstate="42703"),
}


@pytest.mark.anyio
async def test_the_draft_most_others_agree_with_answers_and_the_cost_is_reported() -> None:
    world = build_world([WRONG, BY_NAME, BY_ID], RESULTS, candidates=3)

    answer = await world.answer.execute(AnswerRequest(question="Who are our customers?"))

    # The same rows in another order agree: two drafts against one.
    assert answer.sql.endswith("ORDER BY name")
    assert answer.result is not None
    assert answer.result.rows == (("Ada",), ("Bob",))
    assert answer.candidates == {
        "drafted": 3,
        "distinct": 3,
        "ran": 3,
        "agreeing": 2,
        "probe_rows": 50,
    }
    assert len(world.chat.conversations) == 3


@pytest.mark.anyio
async def test_when_drafts_disagree_the_first_that_runs_answers() -> None:
    world = build_world([BROKEN, "DROP TABLE customers", WRONG], RESULTS, candidates=3)

    answer = await world.answer.execute(AnswerRequest(question="Who are our customers?"))

    assert "email" in answer.sql
    assert answer.candidates is not None
    assert answer.candidates["ran"] == 1


@pytest.mark.anyio
async def test_sql_mode_never_runs_candidates() -> None:
    world = build_world([BY_NAME, BY_ID], RESULTS, candidates=2)

    answer = await world.answer.execute(
        AnswerRequest(question="Who are our customers?", return_mode="sql")
    )

    assert answer.candidates is None
    assert len(world.chat.conversations) == 1
    assert all(sql.startswith("EXPLAIN") for sql in world.database.executed)


@pytest.mark.anyio
async def test_by_default_one_draft_is_asked_for() -> None:
    world = build_world([BY_NAME], RESULTS)

    answer = await world.answer.execute(AnswerRequest(question="Who are our customers?"))

    assert answer.candidates is None
    assert len(world.chat.conversations) == 1
