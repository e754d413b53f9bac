"""Time and memory of the value index on databases of many tables (bench.introspection's schema).

    python -m bench.value_index            # 1,000 and 10,000 tables
    python -m bench.value_index 1000

Each table has 20 rows, a unique text code, a region of four values and an enum. Reading goes
through AsyncpgDatabase.fetch as in the server. Uses PG_MCP_TEST_DSN or an embedded PostgreSQL.
"""

import argparse
import asyncio
import time
import tracemalloc
from contextlib import asynccontextmanager

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.column_values import PostgresValueReader
from adapters.postgres.pool import PoolConfig, open_pool
from application.values.known_values import snapshot_values
from application.values.value_catalog import PER_COLUMN
from application.values.value_index import ValueIndex
from bench.introspection import create
from tests.pg import running_cluster


async def measure(dsn: str) -> str:
    """Read and index the values of one database; the figures as one line."""
    async with asynccontextmanager(open_pool)(PoolConfig(name="bench", dsn=dsn)) as pool:
        database = AsyncpgDatabase(name="bench", pool=pool, clock=FakeClock())
        snapshot = await database.introspect()
        reader = PostgresValueReader(database, timeout=60)
        started = time.perf_counter()
        values = await reader.few_values(snapshot.tables, per_column=PER_COLUMN)
        read = time.perf_counter() - started
        known = list(snapshot_values(snapshot))
        started = time.perf_counter()
        index = ValueIndex.build([*known, *values])
        built = time.perf_counter() - started
        tracemalloc.start()
        index = ValueIndex.build([*known, *values])
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        started = time.perf_counter()
        index.match("Which tables hold code c7 in the north region?")
        matched = time.perf_counter() - started
    return (
        f"{len(values)} values read in {read:.2f} s ({len(known)} known from the snapshot);"
        f" {index.size} indexed over {len(index.by_column)} columns in {built * 1000:.0f} ms,"
        f" {held / 2**20:.1f} MiB held (peak {peak / 2**20:.1f} MiB); one match"
        f" {matched * 1000:.2f} ms"
    )


async def main(sizes: list[int]) -> None:
    with running_cluster() as admin_dsn:
        for tables in sizes:
            dsn = await create(admin_dsn, tables)
            print(f"{tables:>6} tables: {await measure(dsn)}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    asyncio.run(main(parser.parse_args().sizes))
