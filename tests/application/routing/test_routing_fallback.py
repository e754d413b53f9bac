"""A routed question whose SQL names a relation missing there is tried where the relation is."""

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.memory.table_database import TableDatabase
from application.answer_question import AnswerQuestion
from application.explain_query import ExplainQuery
from application.messages import AnswerRequest, ExplainRequest
from domain.errors import PgMcpError
from domain.models import ColumnInfo, QueryResult
from tests.application.shop import SHOP
from tests.application.wiring import answering, routing_choice, sql_author
from tests.erp_schema import small_erp_snapshot

COUNT = "SELECT count(*) AS n FROM orders"
ROWS = QueryResult(columns=(ColumnInfo(name="n", type="int8"),), rows=((1000,),))


def _answer(replies: list[str], max_repairs: int = 0) -> tuple[AnswerQuestion, ScriptedChatModel]:
    clock = FakeClock()
    erp = TableDatabase(name="erp", snapshot=small_erp_snapshot(), clock=clock)
    shop = TableDatabase(name="shop", snapshot=SHOP, clock=clock, results={COUNT: ROWS})
    choice = routing_choice({"erp": erp, "shop": shop})
    chat = ScriptedChatModel(replies)
    return answering(choice, chat, max_repairs=max_repairs), chat


@pytest.mark.anyio
async def test_sql_naming_a_relation_only_another_database_has_is_answered_there() -> None:
    answer, chat = _answer([COUNT, COUNT], max_repairs=2)

    done = await answer.execute(AnswerRequest(question="How many sales order headers?"))

    # No repair is spent on the database that lacks the relation: the other is tried at once.
    assert len(chat.conversations) == 2
    assert done.database == "shop"
    assert done.result == ROWS
    assert done.routing is not None
    assert done.routing["reason"] == "fallback"
    assert "'orders' is not in 'erp'" in str(done.routing["note"])


@pytest.mark.anyio
async def test_a_named_database_gets_no_fallback_and_its_error_says_where() -> None:
    answer, chat = _answer([COUNT])

    with pytest.raises(PgMcpError) as raised:
        await answer.execute(AnswerRequest(question="How many orders?", database="erp"))

    assert raised.value.code == "ERR_006"
    assert raised.value.context["database"] == "erp"
    assert "routing" not in raised.value.context  # named: nothing was routed
    assert len(chat.conversations) == 1


@pytest.mark.anyio
async def test_explain_falls_back_to_the_database_holding_the_relation_too() -> None:
    clock = FakeClock()
    erp = TableDatabase(name="erp", snapshot=small_erp_snapshot(), clock=clock)
    shop = TableDatabase(name="shop", snapshot=SHOP, clock=clock, results={COUNT: ROWS})
    chat = ScriptedChatModel([COUNT, COUNT])
    explain = ExplainQuery(
        choice=routing_choice({"erp": erp, "shop": shop}),
        author=sql_author(chat, max_repairs=2),
        timeout=5,
    )

    done = await explain.execute(ExplainRequest(question="How many sales order headers?"))

    assert done.database == "shop"
    assert done.routing is not None
    assert done.routing["reason"] == "fallback"
    assert len(chat.conversations) == 2
