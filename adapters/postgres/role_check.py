"""Whether the login role may assume PG_MCP_DB_ROLE, asked of the database itself."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import asyncpg.exceptions as pg
from asyncpg.pool import PoolConnectionProxy

logger = logging.getLogger(__name__)

_ROLE_SQL = """
SELECT r.oid IS NOT NULL AS found,
       coalesce(pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER'), false) AS member,
       current_user AS login
FROM (SELECT $1::text AS name) wanted
LEFT JOIN pg_catalog.pg_roles r ON r.rolname = wanted.name
"""

_UNREACHABLE = (OSError, TimeoutError, pg.PostgresError, pg.InterfaceError)


async def role_problem(
    name: str, pool: asyncpg.Pool[asyncpg.Record], role: str, *, timeout: float
) -> str | None:
    """Why `role` cannot be assumed in database `name`, or None (also when it is unreachable)."""
    try:
        async with asyncio.timeout(timeout), pool.acquire() as conn:
            return await role_problem_on(conn, name, role)
    except _UNREACHABLE as exc:
        # A database that is down is reported by the calls that need it; nothing to judge yet.
        logger.warning("role %s not checked on database %s (%s)", role, name, type(exc).__name__)
        return None


async def role_problem_on(
    conn: asyncpg.Connection[Any] | PoolConnectionProxy[Any], name: str, role: str
) -> str | None:
    """Why `role` cannot be assumed over `conn` (a connection to database `name`), or None."""
    row = await conn.fetchrow(_ROLE_SQL, role)
    if row is None or not row["found"]:  # the query returns one row; None only to please mypy
        return f'role "{role}" does not exist in database {name}'
    if not row["member"]:
        return f'login role "{row["login"]}" may not SET ROLE to "{role}" in database {name}'
    return None
