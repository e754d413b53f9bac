"""The caller's identity inside each transaction, so row-level security can filter by it."""

from __future__ import annotations

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from application.caller import current_caller

# set_config(..., true) is SET LOCAL with bound values: a claim never becomes SQL text.
# Setting `role` is what SET ROLE does, checked by PostgreSQL against the login's memberships.
_SET_ROLE = "SELECT pg_catalog.set_config('role', $1, true)"
_SET_USER = "SELECT pg_catalog.set_config('pg_mcp.user', $1, true)"
_SET_BOTH = (
    "SELECT pg_catalog.set_config('role', $1, true), pg_catalog.set_config('pg_mcp.user', $2, true)"
)


async def apply_caller(conn: PoolConnectionProxy[asyncpg.Record]) -> None:
    """SET LOCAL the current caller's role and pg_mcp.user, when the caller carries them."""
    caller = current_caller()
    if caller is None:
        return
    role, user = caller.db_role, caller.db_user
    if role is not None and user is not None:
        await conn.execute(_SET_BOTH, role, user)
    elif role is not None:
        await conn.execute(_SET_ROLE, role)
    elif user is not None:
        await conn.execute(_SET_USER, user)
