"""Value linking on real PostgreSQL: what is read, what never is, and what the model is shown."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.column_values import PostgresValueReader
from adapters.postgres.pool import PoolConfig, open_pool
from application.values.value_catalog import ValueCatalog
from application.visible_schemas import VisibleSchemas
from domain.access.rules import AccessRules
from domain.models import QueryResult
from domain.safety.checked import CheckedSql
from tests.application.wiring import sql_author
from tests.pg import FIXTURES, create_database

pool_for = asynccontextmanager(open_pool)
BLOCKED = AccessRules.from_names(
    enabled=True, blocked_tables=("credentials",), blocked_columns=("users.role",)
)


@pytest.fixture(scope="module")
def hr_dsn(pg_admin_dsn: str) -> str:
    return create_database(pg_admin_dsn, (FIXTURES / "hr_schema.sql",), prefix="hrv")


async def _database(dsn: str, name: str) -> AsyncIterator[AsyncpgDatabase]:
    async with pool_for(PoolConfig(name=name, dsn=dsn, pool_min=1, pool_max=2)) as pool:
        yield AsyncpgDatabase(name=name, pool=pool, clock=FakeClock())


@pytest.fixture
async def shop(shop_dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    async for database in _database(shop_dsn, "shop"):
        yield database


@pytest.fixture
async def hr(hr_dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    async for database in _database(hr_dsn, "hr"):
        yield database


@pytest.mark.anyio
async def test_few_valued_columns_are_read_whole_even_unique_names_of_a_small_table(
    hr: AsyncpgDatabase, shop: AsyncpgDatabase
) -> None:
    hr_values = await PostgresValueReader(hr, timeout=10).few_values(
        (await hr.introspect()).tables, per_column=100
    )
    shop_values = await PostgresValueReader(shop, timeout=10).few_values(
        (await shop.introspect()).tables, per_column=100
    )

    departments = {v.value for v in hr_values if v.table == "public.departments"}
    categories = {v.value for v in shop_values if v.column == "category"}
    assert departments == {"Engineering", "Sales", "Finance"}
    assert categories == {"books", "games", "tools", "food"}
    # 200 distinct customer e-mails are not a column of few values.
    assert not any(v.column == "email" for v in shop_values)


@pytest.mark.anyio
async def test_values_of_blocked_tables_and_columns_are_never_indexed(
    shop: AsyncpgDatabase,
) -> None:
    visible = VisibleSchemas(BLOCKED).of(await shop.introspect())
    catalog = ValueCatalog({"shop": PostgresValueReader(shop, timeout=10)})

    index = await catalog.index(visible)

    assert index.values_of("public.users", "username")  # the rest of users is read
    assert index.values_of("public.users", "role") == ()
    assert not any(table == "public.credentials" for table, _ in index.by_column)
    assert index.match("Which users are admin?") == []


@pytest.mark.anyio
async def test_the_prompt_shows_the_column_holding_a_value_the_question_names(
    hr: AsyncpgDatabase,
) -> None:
    chat = ScriptedChatModel(["SELECT count(*) FROM employees"])
    values = ValueCatalog({"hr": PostgresValueReader(hr, timeout=10)})
    author = sql_author(chat, values=values)

    async def run(checked: CheckedSql) -> QueryResult:
        return await hr.fetch(checked.to_run, max_rows=10, timeout=5)

    await author.author("How many employees work in Engineering?", await hr.introspect(), run)

    prompt = chat.conversations[0][-1].content
    assert "-- public.departments.name: 'Engineering' (others: 'Finance', 'Sales')" in prompt
