"""What a view reads, taken from the snapshot (Table.depends_on)."""

from dataclasses import replace

import pytest

from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules
from domain.access.visibility import visible_schema
from domain.errors import ErrorCode, UnsafeSql
from domain.models import Column, Dependency, RelationKind, RelationName, SchemaSnapshot, Table
from tests.domain.gate import checked
from tests.domain.shop_snapshot import SHOP
from tests.domain.view_reads import reads

BLOCKED = AccessRules.from_names(enabled=True, blocked_columns=["users.password"])
REVENUE_READS = reads("public.customers.id", "public.customers.name", "public.orders.status")


def view(name: str, *read: str | Dependency, schema: str = "public") -> Table:
    return Table(
        schema=schema,
        name=name,
        kind=RelationKind.VIEW,
        columns=(Column(name="v", data_type="text"),),
        depends_on=tuple(
            r for d in read for r in ((d,) if isinstance(d, Dependency) else reads(d))
        ),
    )


def with_views(*views: Table) -> SchemaSnapshot:
    tables = tuple(
        replace(t, depends_on=REVENUE_READS) if t.name == "customer_revenue" else t
        for t in SHOP.tables
    )
    return replace(SHOP, tables=tables + views)


def assert_refused(rules: AccessRules, snapshot: SchemaSnapshot, sql: str) -> None:
    with pytest.raises(UnsafeSql) as caught:
        AccessPolicy(rules).check(checked(sql), snapshot)
    assert caught.value.code is ErrorCode.SQL_SECURITY


def assert_allowed(rules: AccessRules, snapshot: SchemaSnapshot, sql: str) -> None:
    given = checked(sql)
    assert AccessPolicy(rules).check(given, snapshot).sql == given.sql


VIEWS = with_views(
    view("logins", "public.users.id", "public.users.password"),
    view("names", "public.users.username"),
    view("rows", "public.users"),
    view("logins_again", "public.logins.id"),
)


@pytest.mark.parametrize("name", ["logins", "rows", "logins_again"])
def test_a_view_reading_a_blocked_column_is_refused_from_the_snapshot_alone(name: str) -> None:
    assert_refused(BLOCKED, VIEWS, f"SELECT * FROM {name}")


def test_a_view_reading_permitted_columns_is_allowed() -> None:
    assert_allowed(BLOCKED, VIEWS, "SELECT * FROM names")


def test_the_visible_schema_drops_views_over_blocked_columns_from_the_snapshot_alone() -> None:
    shown = [table.name for table in visible_schema(VIEWS, BLOCKED).tables]

    assert "names" in shown
    assert not {"logins", "rows", "logins_again"} & set(shown)


def test_an_allowed_view_may_read_tables_left_off_the_allow_list() -> None:
    rules = AccessRules.from_names(enabled=True, allowed_tables=["customer_revenue", "names"])

    assert_allowed(rules, VIEWS, "SELECT * FROM customer_revenue")
    assert_allowed(rules, VIEWS, "SELECT * FROM names")
    assert_refused(rules, VIEWS, "SELECT * FROM customers")


def test_an_allowed_view_over_a_blocked_column_is_still_refused() -> None:
    rules = AccessRules.from_names(
        enabled=True, allowed_tables=["logins_again"], blocked_columns=["users.password"]
    )

    assert_refused(rules, VIEWS, "SELECT * FROM logins_again")


KEY_RING_SECRET = Dependency(RelationName("vault", "key.ring"), "secret")


def test_a_dependency_whose_name_holds_a_dot_is_resolved_whole() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=["*.secret"])
    ring = Table(schema="vault", name="key.ring", columns=(Column(name="secret", data_type="t"),))
    snapshot = replace(SHOP, tables=(ring, view("peek", KEY_RING_SECRET, schema="vault")))

    assert_refused(rules, snapshot, "SELECT * FROM vault.peek")
