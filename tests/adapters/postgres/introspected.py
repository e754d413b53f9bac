"""Snapshots read from a real server for the introspection tests, and lookups in them."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from domain.models import SchemaSnapshot, Table

pool_for = asynccontextmanager(open_pool)


@asynccontextmanager
async def database_at(
    dsn: str, *, role: str | None = None, clock: FakeClock | None = None
) -> AsyncIterator[AsyncpgDatabase]:
    """An AsyncpgDatabase named "shop" on its own pool, closed on exit."""
    async with pool_for(PoolConfig(name="shop", dsn=dsn)) as pool:
        yield AsyncpgDatabase(name="shop", pool=pool, clock=clock or FakeClock(), role=role)


async def introspected(
    dsn: str, *, role: str | None = None, clock: FakeClock | None = None
) -> SchemaSnapshot:
    """The snapshot of the database at dsn, read within 20 s."""
    async with asyncio.timeout(20), database_at(dsn, role=role, clock=clock) as database:
        return await database.introspect()


def table(snapshot: SchemaSnapshot, name: str) -> Table:
    """The relation called `name` or `schema.name`; the test fails when there is none."""
    found = snapshot.find_table(name)
    assert found is not None, name
    return found
