import pytest

from application.schema.name_hints import did_you_mean
from domain.models import Column, SchemaSnapshot, Table


def columns(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name=name, data_type="text") for name in names)


SHOP = SchemaSnapshot(
    database="shop",
    tables=(
        Table(schema="public", name="customers", columns=columns("id", "name", "email", "country")),
        Table(schema="public", name="orders", columns=columns("id", "customer_id", "status")),
        Table(schema="public", name="products", columns=columns("id", "sku", "title", "category")),
        Table(schema="sales", name="regions", columns=columns("code", "name")),
        Table(schema="public", name="Audit Log", columns=columns("At", "message")),
    ),
)


def test_an_unknown_quoted_column_names_the_closest_real_columns() -> None:
    assert did_you_mean('column "nme" does not exist', SHOP) == (
        "did you mean customers.name or sales.regions.name?"
    )


def test_an_unknown_column_behind_an_alias_is_looked_up_in_every_table() -> None:
    assert did_you_mean("column c.emial does not exist", SHOP) == "did you mean customers.email?"


def test_a_column_qualified_by_a_real_table_is_looked_up_in_that_table_first() -> None:
    assert did_you_mean("column regions.nme does not exist", SHOP) == (
        "did you mean sales.regions.name?"
    )


def test_a_column_typed_with_a_misspelled_table_matches_the_qualified_name() -> None:
    hint = did_you_mean('column "customer.countri" does not exist', SHOP)

    assert hint == "did you mean customers.country?"


def test_a_column_of_a_named_relation_is_looked_up_in_that_relation() -> None:
    message = 'column "stats" of relation "orders" does not exist'

    assert did_you_mean(message, SHOP) == "did you mean orders.status?"


def test_a_column_that_exists_in_another_table_is_named_with_its_table() -> None:
    assert did_you_mean('column "sku" does not exist', SHOP) == "did you mean products.sku?"


def test_suggestions_are_at_most_three_and_the_closest_come_first() -> None:
    many = SchemaSnapshot(
        database="many",
        tables=tuple(
            Table(schema="public", name=f"t{i}", columns=columns("amount", "amounts"))
            for i in range(5)
        ),
    )

    assert did_you_mean('column "amount_" does not exist', many) == (
        "did you mean t0.amount, t1.amount or t2.amount?"
    )


def test_an_unknown_relation_names_the_closest_tables() -> None:
    assert did_you_mean('relation "custmers" does not exist', SHOP) == ("did you mean customers?")


def test_an_unknown_schema_qualified_relation_names_the_table_as_it_must_be_written() -> None:
    assert did_you_mean('relation "sales.region" does not exist', SHOP) == (
        "did you mean sales.regions?"
    )
    assert did_you_mean('relation "public.ordres" does not exist', SHOP) == ("did you mean orders?")


def test_names_that_need_quotes_are_suggested_quoted() -> None:
    assert did_you_mean('relation "audit_log" does not exist', SHOP) == (
        'did you mean "Audit Log"?'
    )
    assert did_you_mean('column "at" of relation "Audit Log" does not exist', SHOP) == (
        'did you mean "Audit Log"."At"?'
    )


def test_a_missing_from_entry_names_the_closest_tables() -> None:
    message = 'missing FROM-clause entry for table "ordrs"'

    assert did_you_mean(message, SHOP) == "did you mean orders?"


def test_a_missing_from_entry_that_is_a_real_table_says_to_join_it() -> None:
    hint = did_you_mean('missing FROM-clause entry for table "orders"', SHOP)

    assert hint == "orders is a table: add it to FROM or JOIN before using its columns"


def test_the_message_may_carry_a_prefix() -> None:
    message = 'PostgreSQL rejected that query: column "titel" does not exist'

    assert did_you_mean(message, SHOP) == "did you mean products.title?"


@pytest.mark.parametrize(
    "message",
    [
        'column "zzzzqqq" does not exist',
        'relation "xyzzy" does not exist',
        'missing FROM-clause entry for table "q"',
    ],
)
def test_a_name_like_nothing_in_the_schema_gives_no_hint(message: str) -> None:
    assert did_you_mean(message, SHOP) is None


@pytest.mark.parametrize(
    "message",
    [
        "division by zero",
        'syntax error at or near "FORM"',
        'column reference "id" is ambiguous',
        "function lenght(text) does not exist",
        'invalid input value for enum order_status: "payed"',
        "",
    ],
)
def test_errors_about_something_other_than_a_name_give_no_hint(message: str) -> None:
    assert did_you_mean(message, SHOP) is None


def test_an_empty_schema_gives_no_hint() -> None:
    assert did_you_mean('column "name" does not exist', SchemaSnapshot(database="x")) is None


def test_a_misspelled_qualifier_puts_its_own_table_first_among_equal_matches() -> None:
    assert did_you_mean('column "customer.nme" does not exist', SHOP) == (
        "did you mean customers.name or sales.regions.name?"
    )
    assert did_you_mean('column "region.nme" does not exist', SHOP) == (
        "did you mean sales.regions.name or customers.name?"
    )
