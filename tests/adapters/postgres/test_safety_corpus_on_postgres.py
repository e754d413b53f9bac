"""Every query the safety policy accepts really runs, read-only, on the shop database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy
from tests.domain.sql_fixtures import SqlCase, load_sql_cases

ACCEPTS = load_sql_cases("accept.sql", "own_accept.sql")


@pytest.fixture(scope="module")
async def shop(shop_dsn: str) -> AsyncIterator[asyncpg.Connection[asyncpg.Record]]:
    """One connection for the whole module: each case runs in its own read-only transaction."""
    conn = await asyncpg.connect(shop_dsn)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.mark.anyio
@pytest.mark.parametrize("case", ACCEPTS, ids=lambda case: case.id)
async def test_an_accepted_case_returns_rows_in_a_read_only_transaction(
    case: SqlCase, shop: asyncpg.Connection[asyncpg.Record]
) -> None:
    policy = SafetyPolicy(SafetyConfig(allowed_statements=case.allowed_statements))
    checked = policy.check(case.sql, extra_types=case.extra_types)

    async with asyncio.timeout(10), shop.transaction(readonly=True):
        await shop.execute("SET LOCAL statement_timeout = '5s'")
        rows = await shop.fetch(checked.sql)

    assert rows


@pytest.mark.anyio
async def test_the_canary_is_untouched_after_the_corpus_ran(
    shop: asyncpg.Connection[asyncpg.Record],
) -> None:
    async with asyncio.timeout(10):
        assert await shop.fetchval("SELECT note FROM canary WHERE id = 1") == "untouched"
