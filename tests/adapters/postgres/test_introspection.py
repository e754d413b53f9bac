from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.pool import open_pool
from domain.errors import ErrorCode, SchemaLoadFailed
from domain.models import Column, EnumType, ForeignKey, RelationKind, SchemaSnapshot
from tests.adapters.postgres.introspected import database_at, introspected, table
from tests.pg import create_database

pool_for = asynccontextmanager(open_pool)

EXTRA_SCHEMA = """
CREATE SCHEMA sales;
CREATE TYPE sales.tier AS ENUM ('gold', 'silver', 'bronze');
ALTER TYPE sales.tier ADD VALUE 'platinum' BEFORE 'gold';
CREATE TABLE sales.regions (code text, year int, name text NOT NULL, PRIMARY KEY (code, year));
CREATE TABLE sales.targets (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  region_year int NOT NULL, region_code text NOT NULL,
  tier sales.tier, amount numeric(12, 2) DEFAULT 0,
  FOREIGN KEY (region_code, region_year) REFERENCES sales.regions (code, year),
  UNIQUE (region_code, region_year, tier)
);
CREATE TABLE sales.events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE sales.events_2024 PARTITION OF sales.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE MATERIALIZED VIEW sales.region_names AS SELECT code, name FROM sales.regions;
CREATE TABLE sales.fresh (id int);
ALTER TABLE sales.fresh DROP COLUMN id;
ALTER TABLE sales.fresh ADD COLUMN kept text;
"""


@pytest.fixture
def extended_shop_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    """The shop plus a second schema with composite keys, partitions and a materialized view."""
    extra = tmp_path / "extra.sql"
    extra.write_text(EXTRA_SCHEMA)
    shop = Path(__file__).parents[2] / "fixtures" / "shop_schema.sql"
    return create_database(pg_admin_dsn, (shop, extra), prefix="shopplus")


@pytest.fixture
async def snapshot(shop_dsn: str) -> SchemaSnapshot:
    return await introspected(shop_dsn, clock=FakeClock(start=42.0))


@pytest.mark.anyio
async def test_introspection_finds_every_table_and_the_view_of_the_shop(
    snapshot: SchemaSnapshot,
) -> None:
    assert snapshot.database == "shop"
    assert snapshot.loaded_at == 42.0
    assert {(t.qualified_name, t.kind) for t in snapshot.tables} == {
        ("public.customers", RelationKind.TABLE),
        ("public.products", RelationKind.TABLE),
        ("public.orders", RelationKind.TABLE),
        ("public.order_items", RelationKind.TABLE),
        ("public.users", RelationKind.TABLE),
        ("public.credentials", RelationKind.TABLE),
        ("public.audit_log", RelationKind.TABLE),
        ("public.canary", RelationKind.TABLE),
        ("public.customer_revenue", RelationKind.VIEW),
    }


@pytest.mark.anyio
async def test_columns_carry_types_nullability_defaults_and_comments_in_order(
    snapshot: SchemaSnapshot,
) -> None:
    customers = table(snapshot, "customers")
    products = table(snapshot, "products")

    assert [c.name for c in customers.columns] == ["id", "name", "email", "country", "created_at"]
    assert customers.columns[0] == Column(
        name="id",
        data_type="integer",
        nullable=False,
        default="nextval('customers_id_seq'::regclass)",
    )
    assert customers.columns[3].comment == "ISO 3166-1 alpha-2 country code"
    assert customers.comment == "People who buy from the shop"
    assert products.columns[4].data_type == "numeric(10,2)"
    assert products.columns[5].default == "'{}'::jsonb"
    assert table(snapshot, "orders").columns[2].data_type == "order_status"
    assert table(snapshot, "customer_revenue").columns[2].nullable


@pytest.mark.anyio
async def test_keys_and_foreign_keys_are_resolved_to_column_names(
    snapshot: SchemaSnapshot,
) -> None:
    orders = table(snapshot, "orders")
    items = table(snapshot, "order_items")

    assert orders.primary_key == ("id",)
    assert orders.foreign_keys == (
        ForeignKey(
            name="orders_customer_id_fkey",
            columns=("customer_id",),
            ref_schema="public",
            ref_table="customers",
            ref_columns=("id",),
        ),
    )
    assert items.primary_key == ("order_id", "product_id")
    assert {fk.ref_table for fk in items.foreign_keys} == {"orders", "products"}
    assert table(snapshot, "customers").unique_keys == (("email",),)
    assert table(snapshot, "customer_revenue").primary_key == ()


@pytest.mark.anyio
async def test_enums_keep_their_labels_in_declared_order(snapshot: SchemaSnapshot) -> None:
    assert snapshot.enums == (
        EnumType(
            schema="public", name="order_status", labels=("pending", "paid", "shipped", "cancelled")
        ),
    )


@pytest.mark.anyio
async def test_row_estimates_come_from_statistics_and_views_have_none(
    snapshot: SchemaSnapshot,
) -> None:
    assert table(snapshot, "customers").row_estimate == 200
    assert table(snapshot, "orders").row_estimate == 1000
    assert table(snapshot, "customer_revenue").row_estimate is None


@pytest.mark.anyio
async def test_other_schemas_composite_keys_partitions_and_materialized_views_are_read(
    extended_shop_dsn: str,
) -> None:
    async with database_at(extended_shop_dsn) as database:
        snapshot = await database.introspect()

    targets = table(snapshot, "sales.targets")
    assert targets.foreign_keys[0].columns == ("region_code", "region_year")
    assert targets.foreign_keys[0].ref_columns == ("code", "year")
    assert targets.foreign_keys[0].ref_schema == "sales"
    assert targets.unique_keys == (("region_code", "region_year", "tier"),)
    assert targets.columns[3].data_type == "sales.tier"
    assert targets.columns[4].default == "0"
    assert table(snapshot, "sales.regions").primary_key == ("code", "year")
    assert table(snapshot, "sales.events").kind is RelationKind.PARTITIONED_TABLE
    assert table(snapshot, "sales.events_2024").parents == (("sales", "events"),)
    assert table(snapshot, "sales.region_names").kind is RelationKind.MATERIALIZED_VIEW
    assert table(snapshot, "sales.fresh").columns == (Column(name="kept", data_type="text"),)
    assert table(snapshot, "sales.fresh").row_estimate is None
    tier = next(e for e in snapshot.enums if e.name == "tier")
    assert tier.labels == ("platinum", "gold", "silver", "bronze")


@pytest.fixture
def catalog_denied_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    """A database where a fresh login role may not read pg_constraint."""
    role = f"nocat_{tmp_path.name[-8:].lower().replace('-', '_')}"
    grants = tmp_path / "grants.sql"
    grants.write_text(
        f"CREATE ROLE {role} LOGIN; REVOKE SELECT ON pg_catalog.pg_constraint FROM PUBLIC;"
    )
    parts = urlsplit(create_database(pg_admin_dsn, (grants,), prefix="nocat"))
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


@pytest.mark.anyio
async def test_a_catalog_the_role_may_not_read_is_reported_as_err_002(
    catalog_denied_dsn: str,
) -> None:
    async with database_at(catalog_denied_dsn) as database:
        with pytest.raises(SchemaLoadFailed) as caught:
            await database.introspect()

    assert caught.value.code is ErrorCode.SCHEMA_LOAD
