"""Whether a database answers at all: the readiness probe of an HTTP replica."""

from __future__ import annotations

import asyncio

import asyncpg
import asyncpg.exceptions as pg

_UNREACHABLE = (OSError, TimeoutError, pg.PostgresError, pg.InterfaceError)


async def unreachable(pool: asyncpg.Pool[asyncpg.Record], *, timeout: float) -> str | None:
    """Why the pool's database does not answer a trivial query in time, or None when it does."""
    try:
        async with asyncio.timeout(timeout), pool.acquire() as conn:
            await conn.fetchval("SELECT 1")
    except _UNREACHABLE as exc:
        return f"unreachable ({type(exc).__name__})"
    return None
