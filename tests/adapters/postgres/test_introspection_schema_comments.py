"""A schema's comment is read with the snapshot: routing weighs it with the description."""

from contextlib import asynccontextmanager

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from tests.pg import create_database

SCHEMA = """
CREATE SCHEMA payroll;
COMMENT ON SCHEMA payroll IS 'Salaries and payslips of the Lisbon office';
CREATE SCHEMA plain;
CREATE TABLE payroll.runs (id int PRIMARY KEY);
"""


@pytest.fixture(scope="module")
def comments_dsn(pg_admin_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("comments") / "schema.sql"
    path.write_text(SCHEMA)
    return create_database(pg_admin_dsn, (path,), prefix="comments")


@pytest.mark.anyio
async def test_schema_comments_are_part_of_the_snapshot(comments_dsn: str) -> None:
    config = PoolConfig(name="c", dsn=comments_dsn, pool_min=1, pool_max=1)

    async with asynccontextmanager(open_pool)(config) as pool:
        snapshot = await AsyncpgDatabase(name="c", pool=pool, clock=FakeClock()).introspect()

    assert snapshot.schema_comments == (("payroll", "Salaries and payslips of the Lisbon office"),)
