from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import anyio.to_thread
import asyncpg
import pytest

import adapters.postgres.demo as demo
from tests.pg import create_database

DEMO_SQL = tuple(Path(demo.__file__).parent / name for name in demo.DEMO_SQL_FILES)
TABLES = (
    "public.countries",
    "public.customers",
    "public.suppliers",
    "public.categories",
    "public.products",
    "public.orders",
    "public.order_items",
    "public.payments",
    "public.returns",
    "hr.departments",
    "hr.employees",
)
RELATIONS = (*TABLES, "public.order_totals", "public.monthly_category_sales")
TOP_CUSTOMERS_2025_Q4 = """
SELECT c.name, sum(t.net_amount) AS revenue
FROM order_totals AS t JOIN customers AS c USING (customer_id)
WHERE t.status <> 'cancelled'
  AND t.ordered_at >= '2025-10-01 00:00+00' AND t.ordered_at < '2026-01-01 00:00+00'
GROUP BY c.customer_id, c.name
ORDER BY revenue DESC
LIMIT 6
"""


@pytest.fixture(scope="module")
def demo_dsn(pg_admin_dsn: str) -> str:
    return create_database(pg_admin_dsn, DEMO_SQL, prefix="demo")


@pytest.fixture
async def conn(demo_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(demo_dsn)
    try:
        yield connection
    finally:
        await connection.close()


async def fingerprint(dsn: str) -> list[str]:
    """An md5 of every row of every table, in a fixed order."""
    connection = await asyncpg.connect(dsn)
    try:
        return [
            await connection.fetchval(
                f"SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {t} AS t"
            )
            for t in TABLES
        ]
    finally:
        await connection.close()


@pytest.mark.anyio
async def test_the_demo_tables_hold_a_small_business_worth_of_rows(
    conn: asyncpg.Connection,
) -> None:
    counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}

    assert counts == {
        "public.countries": 16,
        "public.customers": 1500,
        "public.suppliers": 18,
        "public.categories": 15,
        "public.products": 132,
        "public.orders": 6000,
        "public.order_items": 14606,
        "public.payments": 5703,
        "public.returns": 300,
        "hr.departments": 7,
        "hr.employees": 48,
    }


@pytest.mark.anyio
async def test_loading_the_demo_twice_gives_identical_rows(
    demo_dsn: str, pg_admin_dsn: str
) -> None:
    again = await anyio.to_thread.run_sync(create_database, pg_admin_dsn, DEMO_SQL, "demo_again")

    assert await fingerprint(again) == await fingerprint(demo_dsn)


@pytest.mark.anyio
async def test_the_demo_leaves_no_helper_objects_behind(conn: asyncpg.Connection) -> None:
    relations = await conn.fetch(
        "SELECT n.nspname || '.' || c.relname AS name FROM pg_class AS c"
        " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'v', 'm') AND n.nspname IN ('public', 'hr')"
    )
    functions = await conn.fetchval(
        "SELECT count(*) FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace"
        " WHERE n.nspname IN ('public', 'hr')"
    )

    assert sorted(r["name"] for r in relations) == sorted(RELATIONS)
    assert functions == 0


@pytest.mark.anyio
async def test_every_table_and_view_has_a_comment(conn: asyncpg.Connection) -> None:
    uncommented = [
        name
        for name in RELATIONS
        if not await conn.fetchval("SELECT obj_description($1::regclass, 'pg_class')", name)
    ]

    assert uncommented == []


@pytest.mark.anyio
async def test_most_columns_have_comments(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "SELECT a.attrelid::regclass::text AS rel, a.attname,"
        " col_description(a.attrelid, a.attnum) IS NOT NULL AS commented"
        " FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid"
        " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
        " WHERE n.nspname IN ('public', 'hr') AND c.relkind IN ('r', 'v', 'm')"
        " AND a.attnum > 0 AND NOT a.attisdropped"
    )
    per_relation: dict[str, list[bool]] = {}
    for row in rows:
        per_relation.setdefault(row["rel"], []).append(row["commented"])

    assert sum(r["commented"] for r in rows) / len(rows) > 0.7
    assert all(any(flags) for flags in per_relation.values())


@pytest.mark.anyio
async def test_the_foreign_keys_connect_the_business(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent"
        " FROM pg_constraint WHERE contype = 'f'"
    )

    assert {(r["child"], r["parent"]) for r in rows} == {
        ("hr.employees", "hr.departments"),
        ("hr.employees", "hr.employees"),
        ("hr.employees", "countries"),
        ("customers", "countries"),
        ("customers", "hr.employees"),
        ("suppliers", "countries"),
        ("categories", "categories"),
        ("products", "categories"),
        ("products", "suppliers"),
        ("orders", "customers"),
        ("order_items", "orders"),
        ("order_items", "products"),
        ("payments", "orders"),
        ("returns", "order_items"),
    }


@pytest.mark.anyio
async def test_the_rows_obey_the_business_rules(conn: asyncpg.Connection) -> None:
    violations = {
        "order without lines": "SELECT count(*) FROM orders AS o"
        " WHERE NOT EXISTS (SELECT 1 FROM order_items AS i WHERE i.order_id = o.order_id)",
        "order before sign-up": "SELECT count(*) FROM orders JOIN customers USING (customer_id)"
        " WHERE ordered_at < signed_up_at",
        "sold before launch": "SELECT count(*) FROM orders JOIN order_items USING (order_id)"
        " JOIN products USING (product_id) WHERE ordered_at::date < launched_on",
        "sold after discontinuation": "SELECT count(*) FROM orders"
        " JOIN order_items USING (order_id) JOIN products USING (product_id)"
        " WHERE discontinued AND ordered_at >= '2025-10-01'",
        "payment not the order total": "SELECT count(*) FROM payments AS p"
        " JOIN order_totals AS t USING (order_id) WHERE p.amount <> t.total_amount",
        "payment for unpaid order": "SELECT count(*) FROM payments JOIN orders USING (order_id)"
        " WHERE status IN ('pending', 'cancelled')",
        "return beyond the ordered units": "SELECT count(*) FROM returns AS r"
        " JOIN order_items AS i USING (order_id, line_no) WHERE r.quantity > i.quantity",
        "return without returned status": "SELECT count(*) FROM returns"
        " JOIN orders USING (order_id) WHERE status <> 'returned'",
        "delivered without dates": "SELECT count(*) FROM orders"
        " WHERE status = 'delivered' AND (shipped_at IS NULL OR delivered_at IS NULL)",
        "inactive account manager": "SELECT count(*) FROM customers AS c"
        " JOIN hr.employees AS e ON e.employee_id = c.account_manager_id"
        " WHERE e.left_on IS NOT NULL",
        "future dates": "SELECT count(*) FROM orders WHERE ordered_at >= '2027-01-01 00:00+00'"
        " OR delivered_at >= '2027-01-01 00:00+00'",
    }

    found = {rule: await conn.fetchval(sql) for rule, sql in violations.items()}

    assert found == dict.fromkeys(violations, 0)


@pytest.mark.anyio
async def test_every_quarter_from_2024_to_2026_has_hundreds_of_orders(
    conn: asyncpg.Connection,
) -> None:
    rows = await conn.fetch(
        "SELECT date_trunc('quarter', ordered_at AT TIME ZONE 'UTC')::date AS quarter,"
        " count(*) AS n FROM orders GROUP BY 1 ORDER BY 1"
    )

    assert [r["quarter"] for r in rows] == [
        date(year, month, 1) for year in (2024, 2025, 2026) for month in (1, 4, 7, 10)
    ]
    assert all(r["n"] > 300 for r in rows)
    assert rows[-1]["n"] > rows[0]["n"]


@pytest.mark.anyio
async def test_customers_come_from_many_countries_in_three_regions(
    conn: asyncpg.Connection,
) -> None:
    countries = await conn.fetchval("SELECT count(DISTINCT country_code) FROM customers")
    regions = await conn.fetch(
        "SELECT DISTINCT region FROM customers JOIN countries USING (country_code) ORDER BY 1"
    )

    assert countries >= 15
    assert [r["region"] for r in regions] == ["Asia Pacific", "Europe", "North America"]


@pytest.mark.anyio
async def test_every_order_status_occurs(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "SELECT e.enumlabel, count(o.order_id) AS n FROM pg_enum AS e"
        " LEFT JOIN orders AS o ON o.status::text = e.enumlabel"
        " WHERE e.enumtypid = 'order_status'::regtype GROUP BY e.enumlabel, e.enumsortorder"
        " ORDER BY e.enumsortorder"
    )

    assert [r["enumlabel"] for r in rows] == [
        "pending",
        "paid",
        "shipped",
        "delivered",
        "cancelled",
        "returned",
    ]
    assert all(r["n"] > 0 for r in rows)


@pytest.mark.anyio
async def test_the_view_and_the_materialized_view_agree_on_revenue(
    conn: asyncpg.Connection,
) -> None:
    from_view = await conn.fetchval(
        "SELECT sum(net_amount) FROM order_totals WHERE status <> 'cancelled'"
    )
    from_matview = await conn.fetchval("SELECT sum(net_revenue) FROM monthly_category_sales")
    months = await conn.fetchval("SELECT count(DISTINCT month) FROM monthly_category_sales")

    assert from_view > Decimal(5_000_000)
    assert abs(from_view - from_matview) < Decimal(5)
    assert months == 36


@pytest.mark.anyio
async def test_top_five_customers_by_revenue_in_2025_q4_are_well_defined(
    conn: asyncpg.Connection,
) -> None:
    rows = await conn.fetch(TOP_CUSTOMERS_2025_Q4)
    revenues = [r["revenue"] for r in rows]

    assert len(rows) == 6
    assert revenues == sorted(set(revenues), reverse=True)
    assert rows[0]["name"] == "Olsen & Jensen Resorts Group"
