from __future__ import annotations

import uuid

import asyncpg
import pytest

from application.schema.name_hints import did_you_mean
from domain.access.rules import AccessRules
from domain.access.visibility import visible_schema
from domain.errors import SqlExecutionFailed
from domain.models import Column, Index, SchemaSnapshot
from tests.adapters.postgres.introspected import database_at, introspected, table

COUNTRIES = {"FR", "DE", "US", "JP", "BR", "IN", "GB", "ES"}


async def admin_run(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def introspect(dsn: str, *, setup: str = "", role: str | None = None) -> SchemaSnapshot:
    await admin_run(dsn, f"{setup}\nANALYZE;")
    return await introspected(dsn, role=role)


def column(snapshot: SchemaSnapshot, dotted: str) -> Column:
    table_name, column_name = dotted.split(".")
    return next(c for c in table(snapshot, table_name).columns if c.name == column_name)


@pytest.mark.anyio
async def test_a_low_cardinality_text_column_carries_its_most_common_values(
    fresh_shop_dsn: str,
) -> None:
    snapshot = await introspect(fresh_shop_dsn)

    examples = column(snapshot, "customers.country").examples
    assert len(examples) == 5
    assert set(examples) <= COUNTRIES
    assert column(snapshot, "products.category").examples != ()
    assert set(column(snapshot, "products.category").examples) <= {
        "books",
        "games",
        "tools",
        "food",
    }


@pytest.mark.anyio
async def test_unique_numeric_and_enum_columns_carry_no_examples(fresh_shop_dsn: str) -> None:
    snapshot = await introspect(fresh_shop_dsn)

    for dotted in ("customers.email", "customers.name", "customers.id", "orders.status"):
        assert column(snapshot, dotted).examples == (), dotted
    # The enum's labels are listed once, with the type.
    assert snapshot.enums[0].labels == ("pending", "paid", "shipped", "cancelled")


@pytest.mark.anyio
async def test_a_table_never_analyzed_carries_no_examples(fresh_shop_dsn: str) -> None:
    await admin_run(fresh_shop_dsn, "ANALYZE")
    await admin_run(
        fresh_shop_dsn,
        "CREATE TABLE tickets (state text);"
        "INSERT INTO tickets SELECT (ARRAY['open','closed'])[1 + g % 2]"
        " FROM generate_series(1, 100) g;",
    )
    async with database_at(fresh_shop_dsn) as database:
        snapshot = await database.introspect()

    assert column(snapshot, "tickets.state").examples == ()
    assert column(snapshot, "customers.country").examples != ()


@pytest.mark.anyio
async def test_a_small_table_and_a_partitioned_table_carry_examples_too(
    fresh_shop_dsn: str,
) -> None:
    # 20 rows of 4 values: ANALYZE stores n_distinct as a fraction of the rows (-0.2).
    # The parent of partitions has only statistics of the whole tree.
    snapshot = await introspect(
        fresh_shop_dsn,
        setup="CREATE TABLE plans (tier text);"
        "INSERT INTO plans SELECT (ARRAY['free','pro','team','max'])[1 + g % 4]"
        " FROM generate_series(1, 20) g;"
        "CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);"
        "CREATE TABLE events_2024 PARTITION OF events"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "CREATE TABLE events_2025 PARTITION OF events"
        " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"
        "INSERT INTO events SELECT date '2024-06-01' + g, (ARRAY['click','view'])[1 + g % 2]"
        " FROM generate_series(1, 400) g;",
    )

    assert set(column(snapshot, "plans.tier").examples) == {"free", "pro", "team", "max"}
    assert set(column(snapshot, "events.kind").examples) == {"click", "view"}
    partition = snapshot.find_table("events_2024")
    assert partition is not None
    assert partition.parents == (("public", "events"),)


@pytest.mark.anyio
async def test_long_example_values_are_cut_to_sixty_characters(fresh_shop_dsn: str) -> None:
    snapshot = await introspect(
        fresh_shop_dsn,
        setup="CREATE TABLE notes (kind varchar(200));"
        "INSERT INTO notes SELECT repeat(chr(97 + g % 3), 100) FROM generate_series(1, 90) g;",
    )

    examples = column(snapshot, "notes.kind").examples
    assert len(examples) == 3
    assert all(len(value) == 60 and value.endswith("…") for value in examples)
    assert {value[:3] for value in examples} == {"aaa", "bbb", "ccc"}


@pytest.mark.anyio
async def test_columns_the_role_may_not_read_carry_no_examples(fresh_shop_dsn: str) -> None:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    snapshot = await introspect(
        fresh_shop_dsn,
        setup=f"CREATE ROLE {role} NOLOGIN;"
        f"GRANT SELECT (id, title, category) ON products TO {role};",
        role=role,
    )

    assert column(snapshot, "products.category").examples != ()
    assert column(snapshot, "customers.country").examples == ()


@pytest.mark.anyio
async def test_a_blocked_column_and_its_examples_leave_the_visible_schema(
    fresh_shop_dsn: str,
) -> None:
    snapshot = await introspect(fresh_shop_dsn)
    rules = AccessRules.from_names(
        enabled=True, blocked_tables=(), blocked_columns=("customers.country",)
    )

    visible = visible_schema(snapshot, rules)

    assert "country" not in {c.name for c in table(visible, "customers").columns}
    shown = {value for t in visible.tables for c in t.columns for value in c.examples}
    assert not shown & COUNTRIES
    assert column(snapshot, "customers.country").examples != ()


@pytest.mark.anyio
async def test_indexes_list_primary_keys_unique_constraints_and_plain_indexes(
    fresh_shop_dsn: str,
) -> None:
    snapshot = await introspect(fresh_shop_dsn)

    assert table(snapshot, "orders").indexes == (
        Index(name="orders_customer_idx", columns=("customer_id",), unique=False, method="btree"),
        Index(name="orders_pkey", columns=("id",), unique=True, method="btree"),
    )
    assert table(snapshot, "order_items").indexes == (
        Index(
            name="order_items_pkey",
            columns=("order_id", "product_id"),
            unique=True,
            method="btree",
        ),
    )
    assert {i.name for i in table(snapshot, "customers").indexes} == {
        "customers_pkey",
        "customers_email_key",
    }
    assert table(snapshot, "customer_revenue").indexes == ()


@pytest.mark.anyio
async def test_expression_gin_and_covering_indexes_are_described(fresh_shop_dsn: str) -> None:
    snapshot = await introspect(
        fresh_shop_dsn,
        setup="CREATE INDEX customers_lower_email_idx ON customers (lower(email));"
        "CREATE INDEX products_attrs_idx ON products USING gin (attrs);"
        "CREATE UNIQUE INDEX products_sku_cover_idx ON products (sku, category) INCLUDE (price)"
        " WHERE price > 10;",
    )

    indexes = {i.name: i for t in snapshot.tables for i in t.indexes}
    assert indexes["customers_lower_email_idx"].columns == ("lower(email)",)
    assert indexes["products_attrs_idx"] == Index(
        name="products_attrs_idx", columns=("attrs",), unique=False, method="gin"
    )
    assert indexes["products_sku_cover_idx"].columns == ("sku", "category")
    assert indexes["products_sku_cover_idx"].unique


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sql", "suggested"),
    [
        ("SELECT nme FROM public.customers", "customers.name"),
        ("SELECT c.emial FROM public.customers c", "customers.email"),
        ("SELECT id FROM custmers", "customers"),
        ("SELECT ordrs.id FROM public.orders o", "orders"),
    ],
)
async def test_postgresql_messages_about_unknown_names_get_a_hint_from_the_snapshot(
    shop_dsn: str, sql: str, suggested: str
) -> None:
    async with database_at(shop_dsn) as database:
        snapshot = await database.introspect()
        with pytest.raises(SqlExecutionFailed) as failure:
            await database.fetch(sql, max_rows=1, timeout=5)

    hint = did_you_mean(failure.value.message, snapshot)

    assert hint is not None
    names = hint.removeprefix("did you mean ").removesuffix("?").replace(" or ", ", ")
    assert suggested in names.split(", ")
