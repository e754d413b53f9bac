"""Partitions are in the snapshot (the access policy needs them) but not in what the model reads."""

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.table_database import TableDatabase
from application.describe_schema import DescribeSchema
from application.messages import DescribeRequest
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from application.schema.prepared import PreparedSchema
from application.schema.retrieval.context import render_schema_context
from domain.access.rules import AccessRules
from domain.models import Column, RelationKind, RelationName, SchemaSnapshot, Table

EVENTS = RelationName("public", "events")
COLUMNS = (Column(name="at", data_type="date"), Column(name="what", data_type="text"))


def _snapshot() -> SchemaSnapshot:
    partitioned = RelationKind.PARTITIONED_TABLE
    yearly = tuple(
        Table(schema="public", name=f"events_{year}", kind=partitioned, parents=(EVENTS,))
        for year in range(2000, 2030)
    )
    daily = tuple(
        Table(
            schema="public",
            name=f"events_{2000 + day % 30}_d{day}",
            columns=COLUMNS,
            parents=(RelationName("public", f"events_{2000 + day % 30}"), EVENTS),
        )
        for day in range(300)
    )
    return SchemaSnapshot(
        database="shop",
        tables=(
            Table(schema="public", name="events", kind=partitioned, columns=COLUMNS),
            *yearly,
            *daily,
            Table(schema="public", name="cities", columns=COLUMNS),
            Table(
                schema="public",
                name="capitals",
                columns=COLUMNS,
                parents=(RelationName("public", "cities"),),
            ),
        ),
    )


def test_the_visible_schema_keeps_partitioned_parents_and_inheritance_children_only() -> None:
    visible = PreparedSchema(_snapshot(), AccessRules()).visible

    assert [t.name for t in visible.tables] == ["events", "cities", "capitals"]


def test_the_schema_context_of_the_prompt_names_no_partition() -> None:
    context = render_schema_context(PreparedSchema(_snapshot(), AccessRules()).visible)

    assert "events" in context
    assert "capitals" in context
    assert "events_20" not in context


@pytest.mark.anyio
async def test_get_schema_lists_the_parent_and_not_its_330_partitions() -> None:
    describe = DescribeSchema(
        databases=DatabaseDirectory(
            {"shop": TableDatabase(name="shop", snapshot=_snapshot(), clock=FakeClock())}
        ),
        catalog=SchemaCatalog(store=InMemorySchemaStore(), clock=FakeClock(), ttl=60),
    )

    description = await describe.execute(DescribeRequest(format="detailed"))

    assert [t.name for t in description.snapshot.tables] == ["events", "cities", "capitals"]
    assert "events_20" not in description.text
