"""Introspection on a real server: partitions and inheritance children with their ancestors, and
the functions of trusted extensions."""

from pathlib import Path

import asyncpg
import pytest

from domain.models import RelationKind, SchemaSnapshot, Table
from tests.adapters.postgres.introspected import introspected
from tests.pg import create_database

FAMILY = """
CREATE SCHEMA "Sales";
CREATE TABLE "Sales"."Events" (at date NOT NULL, secret text) PARTITION BY RANGE (at);
CREATE TABLE "Sales"."Events_2024" PARTITION OF "Sales"."Events"
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (at);
CREATE TABLE public.events_2024_h1 PARTITION OF "Sales"."Events_2024"
  FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE INDEX ON "Sales"."Events" (at);
CREATE TABLE people (id int PRIMARY KEY, name text);
CREATE TABLE staff (salary int) INHERITS (people);
CREATE TABLE managers (reports int) INHERITS (staff);
CREATE TABLE contractors (rate int) INHERITS (people, staff);
CREATE EXTENSION pg_trgm;
CREATE EXTENSION fuzzystrmatch;
CREATE EXTENSION hstore;
"""


@pytest.fixture
def family_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    extra = tmp_path / "family.sql"
    extra.write_text(FAMILY)
    shop = Path(__file__).parents[2] / "fixtures" / "shop_schema.sql"
    return create_database(pg_admin_dsn, (shop, extra), prefix="family")


def _table(snapshot: SchemaSnapshot, schema: str, name: str) -> Table:
    return next(t for t in snapshot.tables if (t.schema, t.name) == (schema, name))


@pytest.mark.anyio
async def test_partitions_at_every_level_are_listed_with_every_ancestor_nearest_first(
    family_dsn: str,
) -> None:
    snapshot = await introspected(family_dsn)

    events = _table(snapshot, "Sales", "Events")
    middle = _table(snapshot, "Sales", "Events_2024")
    leaf = _table(snapshot, "public", "events_2024_h1")
    assert events.parents == ()
    assert middle.kind is RelationKind.PARTITIONED_TABLE
    assert middle.parents == (("Sales", "Events"),)
    assert leaf.parents == (("Sales", "Events_2024"), ("Sales", "Events"))
    assert [c.name for c in leaf.columns] == ["at", "secret"]


@pytest.mark.anyio
async def test_inheritance_children_are_listed_with_every_ancestor_once(family_dsn: str) -> None:
    snapshot = await introspected(family_dsn)

    assert _table(snapshot, "public", "people").parents == ()
    assert _table(snapshot, "public", "staff").parents == (("public", "people"),)
    assert _table(snapshot, "public", "managers").parents == (
        ("public", "staff"),
        ("public", "people"),
    )
    assert _table(snapshot, "public", "contractors").parents == (
        ("public", "people"),
        ("public", "staff"),
    )
    assert [c.name for c in _table(snapshot, "public", "managers").columns][-1] == "reports"


@pytest.mark.anyio
async def test_functions_of_trusted_extensions_are_listed_where_they_were_installed(
    family_dsn: str,
) -> None:
    functions = set((await introspected(family_dsn)).extension_functions)

    wanted = {"similarity", "word_similarity", "show_trgm", "levenshtein", "soundex", "metaphone"}
    assert {("public", name) for name in wanted} <= functions
    names = {name for _, name in functions}
    assert "set_limit" not in names  # changes a setting
    assert "gtrgm_in" not in names  # an I/O function
    assert not names & {"akeys", "hstore", "exist"}  # hstore is not trusted


@pytest.mark.anyio
async def test_an_extension_function_someone_overloaded_is_no_longer_listed(
    family_dsn: str,
) -> None:
    conn = await asyncpg.connect(family_dsn)
    try:
        await conn.execute(
            "CREATE FUNCTION public.similarity(varchar, varchar) RETURNS real"
            " LANGUAGE sql AS 'SELECT 1::real'"
        )
    finally:
        await conn.close()

    names = {name for _, name in (await introspected(family_dsn)).extension_functions}

    assert "similarity" not in names
    assert "word_similarity" in names
