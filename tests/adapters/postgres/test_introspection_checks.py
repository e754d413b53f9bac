"""CHECK constraints that list a column's values are read as lists and always shown."""

from contextlib import asynccontextmanager

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from application.schema.retrieval.context import render_schema_context
from domain.models import SchemaSnapshot
from tests.pg import create_database

SCHEMA = """
CREATE TABLE tickets (
  id int PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('open', 'partially_received', 'it''s done')),
  code varchar(3) CHECK (code IN ('A', 'B')),
  kind text CHECK (kind = 'x' OR kind = 'y'),
  price numeric CHECK (price > 0),
  label text CHECK (char_length(label) = 3),
  pair_a text, pair_b text, CHECK (pair_a = 'p' OR pair_b = 'q')
);
"""


@pytest.fixture(scope="module")
def checks_dsn(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("checks") / "schema.sql"
    path.write_text(SCHEMA)
    return create_database(pg_admin_dsn, (path,), prefix="checks")


async def _snapshot(dsn: str) -> SchemaSnapshot:
    config = PoolConfig(name="checks", dsn=dsn, pool_min=1, pool_max=1)
    async with asynccontextmanager(open_pool)(config) as pool:
        return await AsyncpgDatabase(name="checks", pool=pool, clock=FakeClock()).introspect()


@pytest.mark.anyio
async def test_a_check_listing_values_gives_the_column_its_allowed_values(checks_dsn: str) -> None:
    table = (await _snapshot(checks_dsn)).tables[0]

    allowed = {column.name: column.allowed for column in table.columns}

    assert allowed["status"] == ("open", "partially_received", "it's done")
    assert allowed["code"] == ("A", "B")
    assert allowed["kind"] == ("x", "y")
    # Other rules are not lists, and a constraint over two columns belongs to neither.
    assert allowed["price"] == allowed["label"] == allowed["pair_a"] == allowed["pair_b"] == ()


@pytest.mark.anyio
async def test_the_schema_the_model_reads_shows_the_listed_values(checks_dsn: str) -> None:
    text = render_schema_context(await _snapshot(checks_dsn))

    assert "status text not null  -- one of 'open', 'partially_received', 'it''s done'" in text
