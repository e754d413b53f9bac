"""The shipped lists of built-in types and operators match the server the tests run on."""

import asyncpg
import pytest

from bench.builtin_catalog_names import OPERATORS_SQL, TYPES_SQL
from domain.safety.builtin_operators import BUILTIN_OPERATORS
from domain.safety.builtin_types import BUILTIN_TYPES


@pytest.mark.anyio
async def test_the_shipped_types_and_operators_are_exactly_pg_catalogs(pg_admin_dsn: str) -> None:
    conn = await asyncpg.connect(pg_admin_dsn)
    try:
        types = {row[0] for row in await conn.fetch(TYPES_SQL)}
        operators = {row[0] for row in await conn.fetch(OPERATORS_SQL)}
    finally:
        await conn.close()

    assert types == BUILTIN_TYPES
    assert operators == BUILTIN_OPERATORS
    assert {"text", "int4", "timestamptz", "numeric", "jsonb"} <= types
    assert not {"regclass", "aclitem", "xid", "char", "record", "any"} & types
