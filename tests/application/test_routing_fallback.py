"""A routed question whose SQL names a relation missing there is tried where the relation is."""

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.memory.table_database import TableDatabase
from application.answer_question import AnswerQuestion, AnswerRequest
from domain.errors import PgMcpError
from domain.models import ColumnInfo, QueryResult
from tests.application.shop import SHOP
from tests.application.wiring import answering, routing_choice
from tests.erp_schema import small_erp_snapshot

COUNT = "SELECT count(*) AS n FROM orders"
ROWS = QueryResult(columns=(ColumnInfo(name="n", type="int8"),), rows=((1000,),))


def _answer(replies: list[str]) -> tuple[AnswerQuestion, TableDatabase]:
    clock = FakeClock()
    erp = TableDatabase(name="erp", snapshot=small_erp_snapshot(), clock=clock)
    shop = TableDatabase(name="shop", snapshot=SHOP, clock=clock, results={COUNT: ROWS})
    choice = routing_choice({"erp": erp, "shop": shop})
    return answering(choice, ScriptedChatModel(replies)), shop


@pytest.mark.anyio
async def test_sql_naming_a_relation_only_another_database_has_is_answered_there() -> None:
    answer, _ = _answer([COUNT, COUNT])

    done = await answer.execute(AnswerRequest(question="How many sales order headers?"))

    assert done.database == "shop"
    assert done.result == ROWS
    assert done.routing is not None
    assert done.routing["reason"] == "fallback"
    assert "'orders' is not in 'erp'" in str(done.routing["note"])


@pytest.mark.anyio
async def test_a_named_database_gets_no_fallback_and_its_error_says_where() -> None:
    answer, shop = _answer([COUNT])

    with pytest.raises(PgMcpError) as raised:
        await answer.execute(AnswerRequest(question="How many orders?", database="erp"))

    assert raised.value.code == "ERR_006"
    assert raised.value.context["database"] == "erp"
    assert raised.value.context["routing"] == {"reason": "named"}
    assert shop.introspections == 0
