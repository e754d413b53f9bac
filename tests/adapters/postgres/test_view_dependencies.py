"""Views over blocked data, found in the real catalog: refused and hidden with no extra wiring."""

from __future__ import annotations

from contextlib import asynccontextmanager

import asyncpg
import pytest

from adapters.postgres.pool import open_pool
from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules
from domain.access.visibility import visible_schema
from domain.errors import ErrorCode, UnsafeSql
from domain.models import Dependency, RelationName, SchemaSnapshot
from tests.adapters.postgres.introspected import introspected, table
from tests.domain.gate import checked
from tests.domain.view_reads import reads

pool_for = asynccontextmanager(open_pool)

VIEWS = """
CREATE VIEW user_logins AS SELECT id, password FROM users;
CREATE VIEW login_ids AS SELECT id FROM user_logins;
CREATE VIEW user_names AS SELECT id, username FROM users;
CREATE MATERIALIZED VIEW user_json AS SELECT row_to_json(u) AS doc FROM users u;
CREATE SCHEMA vault;
CREATE TABLE vault."key.ring" (id int, secret text);
CREATE VIEW vault.peek AS SELECT secret FROM vault."key.ring";
"""

# "*.secret" reaches the table whose name holds a dot, which rules cannot name one by one.
RULES = AccessRules.from_names(enabled=True, blocked_columns=["users.password", "*.secret"])


async def with_views(dsn: str) -> SchemaSnapshot:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(VIEWS)
    finally:
        await conn.close()
    return await introspected(dsn)


@pytest.mark.anyio
async def test_introspection_lists_the_columns_and_whole_rows_each_view_reads(
    fresh_shop_dsn: str,
) -> None:
    snapshot = await with_views(fresh_shop_dsn)

    assert table(snapshot, "customer_revenue").depends_on == reads(
        "public.customers.id",
        "public.customers.name",
        "public.order_items.order_id",
        "public.order_items.quantity",
        "public.order_items.unit_price",
        "public.orders.customer_id",
        "public.orders.id",
        "public.orders.status",
    )
    assert table(snapshot, "user_logins").depends_on == reads(
        "public.users.id", "public.users.password"
    )
    assert table(snapshot, "login_ids").depends_on == reads("public.user_logins.id")
    assert table(snapshot, "user_json").depends_on == reads("public.users")
    assert table(snapshot, "vault.peek").depends_on == (
        Dependency(RelationName("vault", "key.ring"), "secret"),
    )
    assert table(snapshot, "users").depends_on == ()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM user_logins",
        "SELECT id FROM login_ids",
        "SELECT count(*) FROM user_json",
        "SELECT * FROM vault.peek",
    ],
)
async def test_a_view_over_a_blocked_table_or_column_is_refused(
    fresh_shop_dsn: str, sql: str
) -> None:
    snapshot = await with_views(fresh_shop_dsn)

    with pytest.raises(UnsafeSql) as caught:
        AccessPolicy(RULES).check(checked(sql), snapshot)

    assert caught.value.code is ErrorCode.SQL_SECURITY
    assert caught.value.rule == "blocked_table"


@pytest.mark.anyio
async def test_views_over_permitted_columns_stay_usable(fresh_shop_dsn: str) -> None:
    snapshot = await with_views(fresh_shop_dsn)
    policy = AccessPolicy(RULES)

    for sql in ("SELECT * FROM user_names", "SELECT * FROM customer_revenue"):
        given = checked(sql)
        assert policy.check(given, snapshot).sql == given.sql


@pytest.mark.anyio
async def test_the_visible_schema_hides_views_over_blocked_data(fresh_shop_dsn: str) -> None:
    snapshot = await with_views(fresh_shop_dsn)

    shown = {table.qualified_name for table in visible_schema(snapshot, RULES).tables}

    assert {"public.user_names", "public.customer_revenue", "public.users"} <= shown
    hidden = {"public.user_logins", "public.login_ids", "public.user_json", "vault.peek"}
    assert not hidden & shown
