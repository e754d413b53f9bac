"""Routing and value linking on a mixed-size set: a big ERP beside a small shop and HR database.

    python -m bench.routing                 # the ERP at 2,000 and 10,000 tables

Routing accuracy is on scores alone (no model settles the close calls; their count is shown).
Value linking: the share of the reference SQL's literals ('games', 'Engineering') present in
the prompt's schema context, with value linking and without, and the context's size.
Shop and HR are real PostgreSQL databases (an embedded cluster unless PG_MCP_TEST_DSN is set).
"""

import argparse
import asyncio
import statistics
import time
from contextlib import AsyncExitStack, asynccontextmanager

from adapters.memory.fake_clock import FakeClock
from adapters.memory.in_memory_schema_store import InMemorySchemaStore
from adapters.memory.table_database import TableDatabase
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.column_values import PostgresValueReader
from adapters.postgres.pool import PoolConfig, open_pool
from application.routing.database_choice import CLOSE_SHARE, DatabaseChoice
from application.routing.databases import DatabaseDirectory
from application.schema.catalog import SchemaCatalog
from application.schema.prepared import PreparedSchema
from application.schema.retrieval.ranking import DEFAULT_CONTEXT_TOKENS, select_schema_context
from application.schema.retrieval.tokens import estimate_tokens
from application.values.value_catalog import ValueCatalog
from application.values.value_lines import schema_with_values
from domain.access.rules import AccessRules
from domain.ports import Database, ValueReader
from tests.erp_schema import erp_snapshot
from tests.pg import FIXTURES, create_database, running_cluster
from tests.routing_set import descriptions, labelled_questions, questions_with_literals


async def route_all(databases: dict[str, Database], readers: dict[str, ValueReader]) -> None:
    """Route every labelled question; print accuracy, close calls, misses and time."""
    clock = FakeClock()
    choice = DatabaseChoice(
        databases=DatabaseDirectory(databases, descriptions()),
        catalog=SchemaCatalog(store=InMemorySchemaStore(), clock=clock, ttl=3600),
        values=ValueCatalog(readers),
        clock=clock,
    )
    started = time.perf_counter()
    await choice.warm()
    print(f"  snapshots and value indexes loaded in {time.perf_counter() - started:.2f} s")
    right, close, timings, misses = 0, 0, [], []
    for question, meant in labelled_questions():
        started = time.perf_counter()
        chosen = await choice.choose(None, question)
        timings.append(time.perf_counter() - started)
        scores = sorted(chosen.routing.scores.values())
        close += scores[-2] >= CLOSE_SHARE * scores[-1] > 0
        if chosen.database.name in meant:
            right += 1
        else:
            misses.append(f"    {question!r} -> {chosen.database.name} {chosen.routing.scores}")
    total = len(timings)
    print(
        f"  routing: {right}/{total} right ({right / total:.1%}) on scores alone;"
        f" {close} close calls a model would settle;"
        f" median {statistics.median(timings) * 1000:.1f} ms per question"
    )
    print("\n".join(misses))


async def link_values(databases: dict[str, Database], readers: dict[str, ValueReader]) -> None:
    """Print the share of literals in the context, with and without value linking, and sizes."""
    values = ValueCatalog(readers)
    found, baseline, count, sizes, plain_sizes, missed = 0, 0, 0, [], [], []
    for question, name, literals in questions_with_literals():
        schema = PreparedSchema(await databases[name].introspect(), AccessRules())
        index = await values.index(schema)
        linked = schema_with_values(
            schema.index, question, index, max_tokens=DEFAULT_CONTEXT_TOKENS
        )
        plain = select_schema_context(schema.index, question, max_tokens=DEFAULT_CONTEXT_TOKENS)
        sizes.append(estimate_tokens(linked))
        plain_sizes.append(estimate_tokens(plain))
        for literal in literals:
            quoted = "'" + literal.replace("'", "''") + "'"  # as the SQL writes it
            count += 1
            found += quoted in linked
            baseline += quoted in plain
            if quoted not in linked:
                missed.append(f"    {literal!r} of {question!r}")
    print(
        f"  value linking: {found}/{count} literals in the context ({found / count:.0%});"
        f" without it {baseline}/{count} ({baseline / count:.0%});"
        f" context median {statistics.median(sizes)} tokens"
        f" (without {statistics.median(plain_sizes)})"
    )
    print("\n".join(missed))


def main(sizes: list[int]) -> None:
    """Create the small databases, then measure value linking and routing per ERP size."""
    with running_cluster() as admin:
        dsns = {
            "shop": create_database(admin, (FIXTURES / "shop_schema.sql",), prefix="bshop"),
            "hr": create_database(admin, (FIXTURES / "hr_schema.sql",), prefix="bhr"),
        }
        asyncio.run(measure(dsns, sizes))


async def measure(dsns: dict[str, str], sizes: list[int]) -> None:
    """Value linking on the small databases, then routing beside an ERP of each size."""
    async with AsyncExitStack() as stack:
        small: dict[str, Database] = {}
        for name, dsn in dsns.items():
            config = PoolConfig(name=name, dsn=dsn, pool_min=1, pool_max=2)
            pool = await stack.enter_async_context(asynccontextmanager(open_pool)(config))
            small[name] = AsyncpgDatabase(name=name, pool=pool, clock=FakeClock())
        readers: dict[str, ValueReader] = {
            name: PostgresValueReader(db, timeout=30) for name, db in small.items()
        }
        await link_values(small, readers)
        for size in sizes:
            erp = TableDatabase(name="erp", snapshot=erp_snapshot(size), clock=FakeClock())
            print(f"ERP of {size} tables beside the shop and HR databases:")
            await route_all({"erp": erp, **small}, readers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[2000, 10000])
    main(parser.parse_args().sizes)
