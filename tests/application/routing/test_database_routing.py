"""Routing: a question without a database goes to the database whose schema fits it."""

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.offline_database import OfflineDatabase
from adapters.memory.prepared_value_reader import PreparedValueReader
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.memory.table_database import TableDatabase
from application.routing.database_choice import DatabaseChoice
from application.routing.router import route_question
from domain.errors import DatabaseUnavailable
from domain.models import ColumnValue, RelationName, SchemaSnapshot
from domain.ports import Database
from tests.application.wiring import routing_choice
from tests.erp_schema import erp_snapshot

QUESTIONS = Path(__file__).parents[2] / "fixtures" / "erp" / "questions.json"
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


def _choice(
    databases: dict[str, Database], clock: FakeClock, chat: ScriptedChatModel | None = None
) -> DatabaseChoice:
    # A stalled database gets a twentieth of a second once another one is ready.
    return routing_choice(databases, chat=chat, grace=0.05)


def _fakes(clock: FakeClock) -> list[TableDatabase]:
    return [TableDatabase(name=s.database, snapshot=s, clock=clock) for s in _databases()]


@pytest.mark.anyio
async def test_a_question_without_a_database_goes_to_the_fitting_one_and_says_why() -> None:
    clock = FakeClock()
    people, supply, revenue = _fakes(clock)
    choice = _choice({"people": people, "supply": supply, "revenue": revenue}, clock)

    chosen = await choice.choose(None, "Which employees joined the payroll in 2024?")

    assert chosen.database is people
    assert chosen.schema.snapshot.database == "people"
    routing = chosen.routing.as_json()
    assert routing["reason"] == "best match"
    assert set(routing["scores"]) == {"people", "supply", "revenue"}  # type: ignore[arg-type]
    assert routing["runner_up"] in {"supply", "revenue"}


@pytest.mark.anyio
async def test_a_named_database_is_used_without_touching_the_others() -> None:
    clock = FakeClock()
    people, supply, _ = _fakes(clock)
    down = OfflineDatabase(name="down")
    choice = _choice({"people": people, "supply": supply, "down": down}, clock)

    chosen = await choice.choose("supply", "Which employees joined the payroll?")

    assert chosen.database is supply
    assert chosen.routing.as_json() == {"reason": "named"}
    assert people.introspections == 0
    assert down.calls == 0


@pytest.mark.anyio
async def test_a_down_database_is_left_out_and_named_then_not_asked_again_for_a_while() -> None:
    clock = FakeClock()
    people, supply, _ = _fakes(clock)
    down = OfflineDatabase(name="down")
    choice = _choice({"down": down, "people": people, "supply": supply}, clock)

    first = await choice.choose(None, "Which employees joined the payroll in 2024?")
    calls = down.calls
    second = await choice.choose(None, "Which employees joined the payroll in 2024?")

    assert first.database is people
    assert second.database is people
    assert "ERR_001" in second.routing.skipped["down"]
    assert "down" not in second.routing.scores
    assert down.calls <= calls + 1  # at most one probe in the background, never awaited


@pytest.mark.anyio
async def test_a_stalled_database_does_not_hold_back_an_answer_from_a_healthy_one() -> None:
    clock = FakeClock()
    people, supply, _ = _fakes(clock)
    stalled = OfflineDatabase(name="stalled", stalled=True)
    choice = _choice({"stalled": stalled, "people": people, "supply": supply}, clock)

    async with asyncio.timeout(5):
        chosen = await choice.choose(None, "Which employees joined the payroll in 2024?")
    stalled.release()

    assert chosen.database is people
    assert chosen.routing.skipped == {"stalled": "still loading"}


@pytest.mark.anyio
async def test_when_every_database_is_down_the_error_says_which_were_tried() -> None:
    clock = FakeClock()
    choice = _choice({"a": OfflineDatabase(name="a"), "b": OfflineDatabase(name="b")}, clock)

    with pytest.raises(DatabaseUnavailable) as raised:
        await choice.choose(None, "How many orders?")

    assert set(raised.value.context["routing"]["skipped"]) == {"a", "b"}  # type: ignore[index]


@pytest.mark.anyio
async def test_close_scores_are_settled_by_the_model_among_short_summaries() -> None:
    clock = FakeClock()
    people, supply, revenue = _fakes(clock)
    chat = ScriptedChatModel(['{"database": "revenue"}'])
    choice = _choice({"people": people, "supply": supply, "revenue": revenue}, clock, chat)

    # Products are bought (supply) and sold (revenue): the scores alone are close.
    chosen = await choice.choose(None, "products")

    assert chosen.database is revenue
    assert chosen.routing.reason == "model choice"
    asked = chat.conversations[0][-1].content
    assert "Database supply" in asked
    assert "Database revenue" in asked
    assert "Database people" not in asked


@pytest.mark.anyio
async def test_without_a_model_close_scores_still_route_by_the_best_score() -> None:
    clock = FakeClock()
    people, supply, revenue = _fakes(clock)
    choice = _choice({"people": people, "supply": supply, "revenue": revenue}, clock)

    chosen = await choice.choose(None, "products")

    assert chosen.routing.reason == "best match"
    assert chosen.database.name == max(chosen.routing.scores, key=chosen.routing.scores.get)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_named_database_that_is_down_says_so_in_its_error() -> None:
    clock = FakeClock()
    people, _, _ = _fakes(clock)
    choice = _choice({"people": people, "down": OfflineDatabase(name="down")}, clock)

    with pytest.raises(DatabaseUnavailable) as raised:
        await choice.choose("down", "How many orders?")

    assert raised.value.context == {"database": "down"}
    assert people.introspections == 0


@pytest.mark.anyio
async def test_values_being_read_do_not_hold_routing_back_and_vote_once_read() -> None:
    clock = FakeClock()
    people, supply, revenue = _fakes(clock)
    apollo = ColumnValue(
        table=RelationName("crm", "campaigns"), column="name", value="Apollo Spring"
    )
    reader = PreparedValueReader([apollo], stalled=True)
    databases: dict[str, Database] = {"people": people, "supply": supply, "revenue": revenue}
    choice = routing_choice(databases, readers={"revenue": reader})
    question = "How many leads came from Apollo Spring?"

    async with asyncio.timeout(5):
        before = await choice.choose(None, question)
    reader.release()
    await choice.warm()
    after = await choice.choose(None, question)

    assert reader.reads == 1
    assert after.database is revenue
    assert after.routing.scores["revenue"] > before.routing.scores["revenue"]


@pytest.mark.anyio
async def test_a_model_that_fails_to_choose_leaves_the_choice_to_the_scores() -> None:
    clock = FakeClock()
    people, supply, revenue = _fakes(clock)
    chat = ScriptedChatModel([])  # no reply left: AIServiceUnavailable
    choice = _choice({"people": people, "supply": supply, "revenue": revenue}, clock, chat)

    chosen = await choice.choose(None, "products")

    assert len(chat.conversations) == 1
    assert chosen.routing.reason == "best match"
    assert chosen.database.name == max(chosen.routing.scores, key=chosen.routing.scores.__getitem__)


@pytest.mark.anyio
async def test_the_operator_s_description_tells_two_alike_schemas_apart() -> None:
    clock = FakeClock()
    people = _databases()[0]
    north = TableDatabase(name="north", snapshot=replace(people, database="north"), clock=clock)
    south = TableDatabase(name="south", snapshot=replace(people, database="south"), clock=clock)
    described = {"south": "Staff of the Lisbon office"}
    choice = routing_choice({"north": north, "south": south}, descriptions=described)

    chosen = await choice.choose(None, "How many employees work in the Lisbon office?")

    assert chosen.database is south
    assert chosen.routing.scores["south"] > chosen.routing.scores["north"]


@pytest.mark.anyio
async def test_a_schema_comment_speaks_for_its_database_as_a_description_does() -> None:
    clock = FakeClock()
    people = _databases()[0]
    commented = replace(people, database="south", schema_comments=(("hr", "The Lisbon office"),))
    north = TableDatabase(name="north", snapshot=replace(people, database="north"), clock=clock)
    south = TableDatabase(name="south", snapshot=commented, clock=clock)
    choice = routing_choice({"north": north, "south": south})

    chosen = await choice.choose(None, "How many employees work in the Lisbon office?")

    assert chosen.database is south


@pytest.mark.anyio
async def test_a_stale_snapshot_still_routes_while_it_reloads_in_the_background() -> None:
    clock = FakeClock()
    people, supply, _ = _fakes(clock)
    choice = routing_choice({"people": people, "supply": supply}, clock=clock)
    await choice.choose(None, "Which employees joined the payroll in 2024?")
    clock.advance(3600)  # both snapshots are past the TTL now
    supply.hold()  # and the supply catalog has become slow

    async with asyncio.timeout(5):
        chosen = await choice.choose(None, "Which employees joined the payroll in 2024?")
    supply.release()

    assert chosen.database is people
    assert chosen.schema.snapshot.loaded_at == clock.now()  # the chosen one's is fresh
    assert "supply" in chosen.routing.scores  # scored on its older snapshot
    assert supply.introspections == 2  # reloading in the background
