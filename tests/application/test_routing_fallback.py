"""A routed question whose SQL names a relation missing there is tried where the relation is."""

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.memory.table_database import TableDatabase
from application.answer_question import AnswerQuestion, AnswerRequest
from application.database_choice import DatabaseChoice
from application.databases import DatabaseDirectory
from application.schema_catalog import SchemaCatalog
from application.sql_author import SqlAuthor
from application.validate_result import ResultValidator
from application.values.value_catalog import ValueCatalog
from application.visible_schemas import VisibleSchemas
from domain.access.rules import AccessRules
from domain.errors import PgMcpError
from domain.models import ColumnInfo, QueryResult
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy
from tests.application.shop import SHOP
from tests.erp_schema import small_erp_snapshot

COUNT = "SELECT count(*) AS n FROM orders"
ROWS = QueryResult(columns=(ColumnInfo(name="n", type="int8"),), rows=((1000,),))


def _answer(replies: list[str], *, named: bool = False) -> tuple[AnswerQuestion, TableDatabase]:
    clock = FakeClock()
    erp = TableDatabase(name="erp", snapshot=small_erp_snapshot(), clock=clock)
    shop = TableDatabase(name="shop", snapshot=SHOP, clock=clock, results={COUNT: ROWS})
    visible = VisibleSchemas(AccessRules())
    chat = ScriptedChatModel(replies)
    choice = DatabaseChoice(
        databases=DatabaseDirectory({"erp": erp, "shop": shop}),
        catalog=SchemaCatalog(store=InMemorySchemaStore(), clock=clock, ttl=60),
        visible=visible,
        values=ValueCatalog({}),
        clock=clock,
    )
    author = SqlAuthor(
        chat_model=chat,
        safety=SafetyPolicy(SafetyConfig()),
        visible=visible,
        max_repairs=0,
        context_tokens=6000,
    )
    use_case = AnswerQuestion(
        choice=choice,
        author=author,
        validator=ResultValidator(chat, enabled=False, strict=False),
        max_rows=100,
        timeout=5.0,
    )
    return use_case, shop


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
