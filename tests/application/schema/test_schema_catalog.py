from dataclasses import replace

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.table_database import TableDatabase
from application.messages import AnswerRequest, DescribeRequest
from application.schema.catalog import SchemaCatalog
from domain.access.rules import AccessRules
from domain.errors import SqlExecutionFailed
from domain.models import Column, ColumnInfo, QueryResult, SchemaSnapshot, Table
from tests.application.shop import SHOP, build_world


@pytest.mark.anyio
async def test_the_schema_is_read_once_within_the_ttl() -> None:
    world = build_world([], {}, ttl=60)

    await world.describe.execute(DescribeRequest())
    world.clock.advance(59)
    await world.describe.execute(DescribeRequest())

    assert world.database.introspections == 1


@pytest.mark.anyio
async def test_the_schema_is_reloaded_after_the_ttl() -> None:
    world = build_world([], {}, ttl=60)

    await world.describe.execute(DescribeRequest())
    world.clock.advance(61)
    await world.describe.execute(DescribeRequest())

    assert world.database.introspections == 2


@pytest.mark.anyio
async def test_refresh_reloads_at_once() -> None:
    world = build_world([], {}, ttl=60)

    await world.describe.execute(DescribeRequest())
    await world.describe.execute(DescribeRequest(refresh=True))

    assert world.database.introspections == 2


@pytest.mark.anyio
@pytest.mark.parametrize("fmt", ["summary", "detailed", "ddl"])
async def test_every_format_names_the_tables(fmt: str) -> None:
    world = build_world([], {})

    description = await world.describe.execute(DescribeRequest(format=fmt))  # type: ignore[arg-type]

    assert "customers" in description.text
    assert "orders" in description.text


@pytest.mark.anyio
async def test_detailed_and_ddl_show_columns_and_keys() -> None:
    world = build_world([], {})

    detailed = await world.describe.execute(DescribeRequest(format="detailed"))
    ddl = await world.describe.execute(DescribeRequest(format="ddl"))

    assert "customer_id integer" in detailed.text
    assert "-> public.customers.id" in detailed.text
    assert "FOREIGN KEY (customer_id) REFERENCES public.customers (id)" in ddl.text
    assert "PRIMARY KEY (id)" in ddl.text


@pytest.mark.anyio
async def test_blocked_tables_and_columns_are_left_out_of_the_schema() -> None:
    rules = AccessRules.from_names(
        enabled=True, blocked_tables=("orders",), blocked_columns=("users.password",)
    )
    world = build_world([], {}, rules=rules)

    description = await world.describe.execute(DescribeRequest(format="detailed"))

    assert "orders" not in description.text
    assert "password" not in description.text
    assert "username" in description.text


LATE = "SELECT id FROM late_orders"


def with_late_table(snapshot: SchemaSnapshot) -> SchemaSnapshot:
    late = Table(schema="public", name="late_orders", columns=(Column(name="id", data_type="int"),))
    return replace(snapshot, tables=(*snapshot.tables, late))


@pytest.mark.anyio
async def test_sql_naming_a_relation_created_since_the_load_reloads_the_schema_once() -> None:
    rows = QueryResult(columns=(ColumnInfo(name="id", type="int"),), rows=((1,),))
    world = build_world([], {LATE: rows})
    await world.describe.execute(DescribeRequest())
    world.database.change_schema(with_late_table(SHOP))

    answer = await world.answer.execute(AnswerRequest(question=LATE))

    assert answer.result is not None
    assert answer.result.rows == ((1,),)
    assert world.database.introspections == 2


@pytest.mark.anyio
async def test_made_up_relations_reload_the_schema_at_most_once_in_two_seconds() -> None:
    world = build_world([LATE, LATE, LATE], {}, max_repairs=2)

    with pytest.raises(SqlExecutionFailed) as failed:
        await world.answer.execute(AnswerRequest(question="late orders?"))

    assert failed.value.message == 'relation "late_orders" does not exist'
    assert failed.value.sqlstate == "42P01"
    assert world.database.introspections == 2  # the load, then one reload for three drafts
    world.clock.advance(2.5)
    with pytest.raises(SqlExecutionFailed):
        await world.answer.execute(AnswerRequest(question=LATE))
    assert world.database.introspections == 3


@pytest.mark.anyio
async def test_a_snapshot_is_prepared_once_and_again_only_after_a_reload() -> None:
    clock = FakeClock()
    database = TableDatabase(name="shop", snapshot=SHOP, clock=clock)
    rules = AccessRules.from_names(enabled=True, blocked_columns=["users.password"])
    catalog = SchemaCatalog(store=InMemorySchemaStore(), clock=clock, ttl=60, rules=rules)

    first = await catalog.schema(database)
    clock.advance(30)
    again = await catalog.schema(database)
    reloaded = await catalog.schema(database, refresh=True)

    assert again is first
    assert reloaded is not first
    assert reloaded.snapshot is not first.snapshot
    users = reloaded.visible.find_table("users")
    assert users is not None
    assert "password" not in [column.name for column in users.columns]
