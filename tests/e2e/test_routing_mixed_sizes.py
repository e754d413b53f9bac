"""A 2,000-table ERP beside a small shop and a small HR database, on real PostgreSQL."""

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp import Client

from adapters.mcp.server import UseCases, build_server
from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.offline_database import OfflineDatabase
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.column_values import PostgresValueReader
from adapters.postgres.pool import PoolConfig, open_pool
from application.describe_schema import DescribeSchema
from application.explain_query import ExplainQuery
from application.messages import AnswerRequest
from application.routing.database_choice import DatabaseChoice
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from domain.models import ChatMessage
from domain.ports import Database, ValueReader
from tests.application.wiring import answering, routing_choice, sql_author
from tests.erp_database import erp_sql
from tests.erp_schema import erp_snapshot
from tests.pg import FIXTURES, create_database
from tests.routing_set import descriptions, labelled_questions

GAMES = "How many products in the games category cost more than 100?"
GAMES_SQL = "SELECT count(*) AS n FROM products WHERE category = 'games' AND price > 100"
WIDGETS = "How many widgets are in the warehouse?"
SQL_FOR = {GAMES: GAMES_SQL, WIDGETS: "SELECT 1 FROM widgets"}


@pytest.fixture(scope="module")
def dsns(
    pg_admin_dsn: str, shop_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    erp_file = tmp_path_factory.mktemp("erp") / "erp.sql"
    erp_file.write_text(erp_sql(erp_snapshot(2000)))
    return {
        "erp": create_database(pg_admin_dsn, (erp_file,), prefix="erp"),
        "shop": shop_dsn,
        "hr": create_database(pg_admin_dsn, (FIXTURES / "hr_schema.sql",), prefix="hrm"),
    }


@asynccontextmanager
async def _databases(dsns: dict[str, str]) -> AsyncIterator[dict[str, Database]]:
    async with AsyncExitStack() as stack:
        found: dict[str, Database] = {}
        for name, dsn in dsns.items():
            config = PoolConfig(name=name, dsn=dsn, pool_min=1, pool_max=2)
            pool = await stack.enter_async_context(asynccontextmanager(open_pool)(config))
            found[name] = AsyncpgDatabase(name=name, pool=pool, clock=FakeClock())
        yield found


def _choice(databases: dict[str, Database], chat: ScriptedChatModel | None) -> DatabaseChoice:
    readers: dict[str, ValueReader] = {
        name: PostgresValueReader(db, timeout=10)
        for name, db in databases.items()
        if isinstance(db, AsyncpgDatabase)
    }
    return routing_choice(databases, chat=chat, readers=readers, descriptions=descriptions())


def _drafts(messages: Sequence[ChatMessage]) -> str:
    asked = messages[-1].content.rsplit("Question:", 1)[-1].strip()
    return SQL_FOR.get(asked, '{"database": "erp"}')


def _use_cases(databases: dict[str, Database]) -> UseCases:
    chat = ScriptedChatModel(responder=_drafts)
    choice = _choice(databases, chat)
    explain = ExplainQuery(choice=choice, author=sql_author(chat), timeout=10)
    catalog = SchemaCatalog(store=InMemorySchemaStore(), clock=FakeClock(), ttl=60)
    describe = DescribeSchema(databases=DatabaseDirectory(databases), catalog=catalog)
    return UseCases(answer=answering(choice, chat), explain=explain, describe=describe)


@pytest.mark.anyio
async def test_at_least_95_percent_of_questions_without_a_database_go_where_they_belong(
    dsns: dict[str, str],
) -> None:
    labelled = labelled_questions()
    async with _databases(dsns) as databases:
        choice = _choice(databases, chat=None)  # the scores alone, no model to settle close calls
        await choice.warm()
        routed = [(q, (await choice.choose(None, q)).database.name, right) for q, right in labelled]

    wrong = [(q, got) for q, got, right in routed if got not in right]
    assert len(labelled) >= 100
    assert len(wrong) / len(labelled) <= 0.05, wrong


@pytest.mark.anyio
async def test_a_shop_question_beside_the_big_erp_is_answered_by_the_shop_and_says_why(
    dsns: dict[str, str],
) -> None:
    async with _databases(dsns) as databases:
        databases["archive"] = OfflineDatabase(name="archive")
        answer = _use_cases(databases).answer
        done = await answer.execute(AnswerRequest(question=GAMES))
        qualified = GAMES_SQL.replace("FROM products", "FROM public.products")
        expected = await databases["shop"].fetch(qualified, max_rows=1, timeout=5)

    assert done.database == "shop"
    assert done.result is not None
    assert done.result.rows == expected.rows
    assert done.routing is not None
    assert done.routing["runner_up"] == "erp"
    scores: Any = done.routing["scores"]
    assert set(scores) == {"erp", "shop", "hr"}
    assert scores["shop"] > scores["erp"]
    assert "ERR_001" in str(done.routing["skipped"])


@pytest.mark.anyio
async def test_a_routed_error_names_the_database_and_why_and_validates_against_the_schema(
    dsns: dict[str, str],
) -> None:
    async with (
        _databases(dsns) as databases,
        Client(build_server(_use_cases(databases))) as client,
    ):
        tools = {t.name: t.output_schema for t in (await client.list_tools()).tools}
        result = await client.call_tool("query", {"query": WIDGETS})

    assert result.is_error
    data: Any = result.structured_content
    assert data["error"]["code"] == "ERR_006"
    assert data["error"]["database"] == "erp"
    assert data["error"]["routing"]["reason"] in {"best match", "model choice"}
    assert set(data["error"]["routing"]["scores"]) == {"erp", "shop", "hr"}
    schema = tools["query"]
    assert schema is not None
    assert [e.message for e in Draft202012Validator(schema).iter_errors(data)] == []
