"""get_schema stays small whatever the schema, and lists databases when several."""

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.table_database import TableDatabase
from application.describe_schema import DescribeSchema
from application.messages import DescribeRequest
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from application.schema.formats import DETAILED_CHARS, SUMMARY_CHARS
from domain.errors import DatabaseUnavailable
from domain.models import SchemaSnapshot
from tests.domain.shop_snapshot import SHOP
from tests.erp_schema import erp_snapshot


class UnreachableDatabase(TableDatabase):
    """A database whose server is down."""

    async def introspect(self) -> SchemaSnapshot:
        raise DatabaseUnavailable("down")


def _describe(*databases: TableDatabase) -> DescribeSchema:
    return DescribeSchema(
        databases=DatabaseDirectory({d.name: d for d in databases}),
        catalog=SchemaCatalog(store=InMemorySchemaStore(), clock=FakeClock(), ttl=60),
    )


@pytest.fixture(scope="module")
def huge() -> TableDatabase:
    return TableDatabase(name="erp", snapshot=erp_snapshot(10_000), clock=FakeClock())


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fmt", "budget"),
    [("summary", SUMMARY_CHARS), ("detailed", DETAILED_CHARS), ("ddl", DETAILED_CHARS)],
)
async def test_a_10000_table_schema_never_exceeds_the_budget(
    huge: TableDatabase, fmt: str, budget: int
) -> None:
    description = await _describe(huge).execute(DescribeRequest(format=fmt))  # type: ignore[arg-type]

    assert len(description.text) <= budget
    assert "more relations not shown" in description.text
    assert 0 < len(description.snapshot.tables) < 10_000
    # The structured part lists only the relations the text shows.
    for table in description.snapshot.tables:
        assert table.qualified_name in description.text


@pytest.mark.anyio
async def test_a_small_schema_is_shown_whole() -> None:
    shop = TableDatabase(name="shop", snapshot=SHOP, clock=FakeClock())

    description = await _describe(shop).execute(DescribeRequest(format="detailed"))

    assert "more relations not shown" not in description.text
    assert len(description.snapshot.tables) == len(SHOP.tables)


@pytest.mark.anyio
async def test_several_databases_without_a_name_are_listed_one_line_each() -> None:
    clock = FakeClock()
    shop = TableDatabase(name="shop", snapshot=SHOP, clock=clock)
    down = UnreachableDatabase(name="archive", snapshot=SHOP, clock=clock)

    description = await _describe(shop, down).execute(DescribeRequest())

    listed = {d.name: d for d in description.databases}
    assert listed["shop"].relations == len(SHOP.tables)
    assert listed["archive"].relations is None
    assert "ERR_001" in listed["archive"].summary
    assert "- shop:" in description.text
