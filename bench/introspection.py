"""Time AsyncpgDatabase.introspect() on databases of many tables; prints the median of a few runs.

    python -m bench.introspection            # 1,000 and 10,000 tables
    python -m bench.introspection 1000 --runs 7

Uses PG_MCP_TEST_DSN when set, else an embedded PostgreSQL for the run.
"""

import argparse
import asyncio
import statistics
import time
from contextlib import asynccontextmanager

import asyncpg

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from domain.models import SchemaSnapshot
from tests.pg import running_cluster, with_database


def schema_sql(first: int, last: int) -> str:
    """Tables chained by foreign keys, with comments, defaults, an enum, an index and 20 rows."""
    statements = ["CREATE TYPE mood AS ENUM ('calm', 'busy', 'angry');"] if first == 0 else []
    for i in range(first, last):
        parent = f"parent_id int REFERENCES t{i - 1}(id)," if i else ""
        statements.append(
            f"CREATE TABLE t{i} (id serial PRIMARY KEY, {parent} code text NOT NULL UNIQUE,"
            f" amount numeric(10,2) DEFAULT 0, mood mood, region text,"
            f" created_at timestamptz DEFAULT now());"
            f" CREATE INDEX t{i}_region_idx ON t{i} (region, lower(code));"
            f" COMMENT ON TABLE t{i} IS 'Table number {i}';"
            f" COMMENT ON COLUMN t{i}.code IS 'Business code of t{i}';"
            f" INSERT INTO t{i} (code, mood, region) SELECT 'c' || g, 'calm',"
            f" (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4] FROM generate_series(1, 20) g;"
        )
    return "\n".join(statements)


async def create(admin_dsn: str, tables: int) -> str:
    name = f"bench_{tables}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = with_database(admin_dsn, name)
    conn = await asyncpg.connect(dsn)
    try:
        for first in range(0, tables, 500):  # one batch is one transaction: bounded locks
            await conn.execute(schema_sql(first, min(first + 500, tables)))
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return dsn


async def measure(dsn: str, runs: int) -> tuple[float, SchemaSnapshot]:
    async with asynccontextmanager(open_pool)(PoolConfig(name="bench", dsn=dsn)) as pool:
        database = AsyncpgDatabase(name="bench", pool=pool, clock=FakeClock())
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            snapshot = await database.introspect()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), snapshot


async def main(sizes: list[int], runs: int) -> None:
    with running_cluster() as admin_dsn:
        for tables in sizes:
            started = time.perf_counter()
            dsn = await create(admin_dsn, tables)
            built = time.perf_counter() - started
            median, snapshot = await measure(dsn, runs)
            print(
                f"{tables:>6} tables ({describe(snapshot)}, built in {built:.1f} s):"
                f" introspect() median of {runs} runs = {median * 1000:.0f} ms"
            )


def describe(snapshot: SchemaSnapshot) -> str:
    """What introspect() found: tables, columns, indexes and columns with example values."""
    columns = [c for t in snapshot.tables for c in t.columns]
    indexes = sum(len(t.indexes) for t in snapshot.tables)
    examples = sum(1 for c in columns if c.examples)
    return (
        f"{len(snapshot.tables)} found, {len(columns)} columns, {indexes} indexes,"
        f" {examples} columns with examples"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sizes, arguments.runs))
