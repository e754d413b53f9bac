"""Value linking on real PostgreSQL: what is read, what never is, and what the model is shown."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.scripted_chat_model import ScriptedChatModel
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.column_values import PostgresValueReader
from adapters.postgres.pool import PoolConfig, open_pool
from application.schema.prepared import PreparedSchema
from application.values.value_catalog import ValueCatalog
from domain.access.rules import AccessRules
from domain.models import QueryResult, RelationName
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


@asynccontextmanager
async def _database(dsn: str, name: str) -> AsyncIterator[AsyncpgDatabase]:
    async with pool_for(PoolConfig(name=name, dsn=dsn, pool_min=1, pool_max=2)) as pool:
        yield AsyncpgDatabase(name=name, pool=pool, clock=FakeClock())


@pytest.fixture
async def shop(shop_dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    async with _database(shop_dsn, "shop") as database:
        yield database


@pytest.fixture
async def hr(hr_dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    async with _database(hr_dsn, "hr") as database:
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

    departments = {v.value for v in hr_values if v.table == RelationName("public", "departments")}
    categories = {v.value for v in shop_values if v.column == "category"}
    assert departments == {"Engineering", "Sales", "Finance"}
    assert categories == {"books", "games", "tools", "food"}
    # 200 distinct customer e-mails are not a column of few values.
    assert not any(v.column == "email" for v in shop_values)


@pytest.mark.anyio
async def test_values_of_blocked_tables_and_columns_are_never_indexed(
    shop: AsyncpgDatabase,
) -> None:
    schema = PreparedSchema(await shop.introspect(), BLOCKED)
    catalog = ValueCatalog({"shop": PostgresValueReader(shop, timeout=10)})

    index = await catalog.index(schema)

    users = RelationName("public", "users")
    assert index.values_of(users, "username")  # the rest of users is read
    assert index.values_of(users, "role") == ()
    assert not any(table == RelationName("public", "credentials") for table, _ in index.by_column)
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

    schema = PreparedSchema(await hr.introspect(), AccessRules())
    await author.author("How many employees work in Engineering?", schema, run)

    prompt = chat.conversations[0][-1].content
    assert "-- public.departments.name: 'Engineering' (others: 'Finance', 'Sales')" in prompt


NAMES = """
CREATE EXTENSION pg_trgm;
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, city text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), total int);
INSERT INTO customers
SELECT g, CASE g WHEN 77 THEN 'Apollo Industries' ELSE 'Customer ' || g END, 'City ' || g % 300
FROM generate_series(1, 2000) AS g;
INSERT INTO orders SELECT g, 1 + g % 2000, g FROM generate_series(1, 5000) AS g;
ANALYZE;
"""


@pytest.fixture(scope="module")
def names_dsn(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("names") / "names.sql"
    path.write_text(NAMES)
    return create_database(pg_admin_dsn, (path,), prefix="names")


async def _prompt(dsn: str, question: str, rules: AccessRules | None = None) -> str:
    chat = ScriptedChatModel(["SELECT count(*) FROM orders"])
    async with _database(dsn, "names") as database:
        values = ValueCatalog({"names": PostgresValueReader(database, timeout=10)})
        author = sql_author(chat, values=values)

        async def run(checked: CheckedSql) -> QueryResult:
            return await database.fetch(checked.to_run, max_rows=10, timeout=5)

        schema = PreparedSchema(await database.introspect(), rules or AccessRules())
        await author.author(question, schema, run)
    return chat.conversations[0][-1].content


@pytest.mark.anyio
async def test_a_name_among_thousands_is_found_with_pg_trgm_and_shown(names_dsn: str) -> None:
    prompt = await _prompt(names_dsn, "How many orders did Apolo Industries place?")

    assert "-- public.customers.name: 'Apollo Industries'" in prompt


@pytest.mark.anyio
async def test_a_blocked_column_is_never_searched_for_a_name(names_dsn: str) -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=("customers.name",))

    prompt = await _prompt(names_dsn, "How many orders did Apolo Industries place?", rules)

    assert "Apollo" not in prompt


@pytest.mark.anyio
async def test_a_quoted_phrase_with_a_backslash_and_a_quote_is_searched_as_text(
    names_dsn: str,
) -> None:
    # The phrase is bound as a parameter: were it written into the SQL unescaped, the search
    # would fail and nothing would be found.
    prompt = await _prompt(names_dsn, 'Orders of "Apollo Industries\\\' --" please?')

    assert "-- public.customers.name: 'Apollo Industries'" in prompt
