from dataclasses import replace

from domain.access.rules import AccessRules
from domain.access.visibility import visible_schema
from domain.models import Column, ForeignKey, Index, SchemaSnapshot, Table
from tests.domain.shop_snapshot import SHOP
from tests.domain.view_reads import reads

SHOP_RULES = AccessRules.from_names(
    enabled=True, blocked_tables=["credentials"], blocked_columns=["users.password", "users.ssn"]
)


def columns(snapshot: SchemaSnapshot, table: str) -> list[str]:
    found = snapshot.find_table(table)
    assert found is not None
    return [column.name for column in found.columns]


def test_blocked_tables_and_columns_are_not_shown() -> None:
    shown = visible_schema(SHOP, SHOP_RULES)

    assert shown.find_table("credentials") is None
    assert columns(shown, "users") == ["id", "username", "role"]
    assert columns(shown, "customers") == columns(SHOP, "customers")
    assert shown.database == SHOP.database


def test_disabled_rules_show_everything() -> None:
    rules = AccessRules.from_names(enabled=False, blocked_tables=["credentials"])

    assert visible_schema(SHOP, rules) is SHOP


def test_foreign_keys_to_hidden_tables_or_columns_are_dropped() -> None:
    snapshot = SchemaSnapshot(
        database="keys",
        tables=(
            Table(
                schema="public",
                name="people",
                columns=(Column(name="id", data_type="int"), Column(name="ssn", data_type="text")),
                primary_key=("id",),
                unique_keys=(("ssn",), ("id",)),
            ),
            Table(
                schema="public",
                name="cards",
                columns=(
                    Column(name="person_id", data_type="int"),
                    Column(name="person_ssn", data_type="text"),
                    Column(name="vault_id", data_type="int"),
                ),
                foreign_keys=(
                    ForeignKey(
                        name="by_id",
                        columns=("person_id",),
                        ref_schema="public",
                        ref_table="people",
                        ref_columns=("id",),
                    ),
                    ForeignKey(
                        name="by_ssn",
                        columns=("person_ssn",),
                        ref_schema="public",
                        ref_table="people",
                        ref_columns=("ssn",),
                    ),
                    ForeignKey(
                        name="to_vault",
                        columns=("vault_id",),
                        ref_schema="public",
                        ref_table="vault",
                        ref_columns=("id",),
                    ),
                ),
            ),
            Table(schema="public", name="vault", columns=(Column(name="id", data_type="int"),)),
        ),
    )
    rules = AccessRules.from_names(
        enabled=True, blocked_tables=["vault"], blocked_columns=["people.ssn"]
    )

    shown = visible_schema(snapshot, rules)

    cards = shown.find_table("cards")
    people = shown.find_table("people")
    assert cards is not None
    assert people is not None
    assert [fk.name for fk in cards.foreign_keys] == ["by_id"]
    assert people.unique_keys == (("id",),)
    assert people.primary_key == ("id",)


def test_a_key_over_a_hidden_column_is_dropped_from_its_table() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=["users.id"])

    users = visible_schema(SHOP, rules).find_table("users")

    assert users is not None
    assert users.primary_key == ()
    assert "id" not in [column.name for column in users.columns]


def test_allow_list_shows_only_the_allowed_tables_and_columns() -> None:
    rules = AccessRules.from_names(
        enabled=True, allowed_tables=["orders"], allowed_columns=["users.id", "users.username"]
    )

    shown = visible_schema(SHOP, rules)

    assert [table.name for table in shown.tables] == ["orders", "users"]
    assert columns(shown, "users") == ["id", "username"]
    orders = shown.find_table("orders")
    assert orders is not None
    assert orders.foreign_keys == ()


def test_views_over_blocked_data_are_hidden_when_their_sources_are_known() -> None:
    reading = tuple(
        replace(t, depends_on=reads("public.users.ssn")) if t.name == "customer_revenue" else t
        for t in SHOP.tables
    )

    shown = visible_schema(replace(SHOP, tables=reading), SHOP_RULES)

    assert shown.find_table("customer_revenue") is None
    assert visible_schema(SHOP, SHOP_RULES).find_table("customer_revenue") is not None


def test_an_index_on_a_hidden_column_is_left_out_even_inside_an_expression() -> None:
    users = Table(
        schema="public",
        name="users",
        columns=(Column(name="id", data_type="integer"), Column(name="ssn", data_type="text")),
        indexes=(
            Index(name="users_pkey", columns=("id",), unique=True),
            Index(name="users_ssn_idx", columns=("lower(ssn)",)),
        ),
    )
    rules = AccessRules.from_names(enabled=True, blocked_columns=("users.ssn",))

    visible = visible_schema(SchemaSnapshot(database="db", tables=(users,)), rules)

    assert [index.name for index in visible.tables[0].indexes] == ["users_pkey"]
