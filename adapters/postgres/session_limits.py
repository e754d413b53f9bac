"""Whether the login role may SET temp_file_limit, and what to tell the operator when not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from domain.safety.identifiers import quote_identifier

# temp_file_limit is PGC_SUSET: a superuser, or since PostgreSQL 15 a role granted
# SET ON PARAMETER, may change it; for anyone else SET LOCAL fails (42501) and aborts the call.
_PROBE_15 = """
SELECT pg_catalog.has_parameter_privilege('temp_file_limit', 'SET') AS may_set,
       pg_catalog.current_setting('temp_file_limit') AS shown, s.setting::pg_catalog.int8 AS kb,
       current_user AS role
FROM pg_catalog.pg_settings AS s WHERE s.name = 'temp_file_limit'
"""
_PROBE_OLD = """
SELECT r.rolsuper AS may_set, pg_catalog.current_setting('temp_file_limit') AS shown,
       s.setting::pg_catalog.int8 AS kb, current_user AS role
FROM pg_catalog.pg_settings AS s, pg_catalog.pg_roles AS r
WHERE s.name = 'temp_file_limit' AND r.rolname = current_user
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class TempFileLimit:
    """What the login role may do about temp_file_limit and its effective value (kB, -1 none)."""

    may_set: bool
    role: str
    effective_kb: int
    shown: str

    def advice(self, wanted_kb: int) -> str | None:
        """A line for the operator when the limit can be neither set nor is already tight."""
        if self.may_set or 0 <= self.effective_kb <= wanted_kb:
            return None
        quoted = quote_identifier(self.role)
        return (
            f"role {self.role} may not SET temp_file_limit (superuser only) and its own is "
            f"{self.shown}; run ALTER ROLE {quoted} SET temp_file_limit = '{wanted_kb}kB'"
        )


async def probe_temp_file_limit(
    conn: asyncpg.Connection[Any] | PoolConnectionProxy[Any],
) -> TempFileLimit:
    """Ask the server, outside any SET ROLE, what the login role may do (one round trip)."""
    sql = _PROBE_15 if conn.get_server_version().major >= 15 else _PROBE_OLD
    row = await conn.fetchrow(sql)
    if row is None:  # the login role is not in pg_roles: assume the worst
        return TempFileLimit(may_set=False, role="(unknown)", effective_kb=-1, shown="unknown")
    return TempFileLimit(
        may_set=bool(row["may_set"]),
        role=str(row["role"]),
        effective_kb=int(row["kb"]),
        shown=str(row["shown"]),
    )
