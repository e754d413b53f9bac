"""Names are judged as PostgreSQL resolves them: column notation, U&"" names, case, lineage."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules
from domain.errors import UnsafeSql
from domain.models import Column, EnumType, RelationName, SchemaSnapshot, Table
from domain.safety.checked import SafetyConfig
from domain.safety.policy import SafetyPolicy
from tests.domain.gate import checked
from tests.domain.shop_snapshot import SHOP

RULES = AccessRules.from_names(
    enabled=True, blocked_tables=["credentials"], blocked_columns=["users.password", "users.ssn"]
)
ALLOW = AccessRules.from_names(enabled=True, allowed_tables=["orders", "customers"])
OFF = AccessRules()


def outcome(sql: str, rules: AccessRules = RULES, snapshot: SchemaSnapshot = SHOP) -> str:
    """The rule that refused the statement, or "ok"."""
    try:
        AccessPolicy(rules).check(checked(sql), snapshot)
    except UnsafeSql as refusal:
        return refusal.rule
    return "ok"


# Functions PostgreSQL would call on a whole row (or a column) written as a column name.
ROW_FUNCTIONS = ["to_json", "row_to_json", "text", "length", "md5", "upper", "setseed", "lo_get"]


@pytest.mark.parametrize("function", ROW_FUNCTIONS)
@pytest.mark.parametrize(
    "template",
    [
        "SELECT u.{f} FROM users u",
        "SELECT users.{f} FROM users",
        "SELECT 1 FROM users u WHERE u.{f} LIKE '%x%'",
        "SELECT c.id FROM customers c JOIN users u ON u.{f} IS NOT NULL",
        "SELECT s.{f} FROM (SELECT * FROM users) s",
        "SELECT g.{f} FROM generate_series(1, 3) g",
        "SELECT j.{f} FROM (users u JOIN orders o ON o.id = u.id) AS j",
        "SELECT u.id.{f} FROM users u",
        "SELECT public.users.{f} FROM public.users",
    ],
)
@pytest.mark.parametrize("rules", [RULES, ALLOW, OFF], ids=["block", "allow", "off"])
def test_a_qualified_name_that_is_no_column_is_refused_as_a_function_call(
    template: str, function: str, rules: AccessRules
) -> None:
    assert outcome(template.format(f=function), rules) in {
        "unresolved_name",
        "blocked_table",
        "function_on_value",
    }


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT (u).md5 FROM users u",
        "SELECT (c.name).upper FROM customers c",
        "SELECT ((0.5)).setseed",
    ],
)
def test_a_field_of_a_parenthesised_value_is_refused(sql: str) -> None:
    with pytest.raises(UnsafeSql):
        AccessPolicy(OFF).check(checked(sql), SHOP)


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT U&"p\\0061ssword" FROM users',
        "SELECT U&\"p!0061ssword\" UESCAPE '!' FROM users",
        'SELECT id FROM U&"cr\\0065dentials"',
        'SELECT u.U&"\\0073sn" FROM users u',
        'WITH U&"x" AS (SELECT 1) SELECT * FROM U&"x"',
    ],
)
@pytest.mark.parametrize("rules", [RULES, ALLOW], ids=["block", "allow"])
def test_unicode_escaped_names_are_refused_where_the_parsers_read_them_differently(
    sql: str, rules: AccessRules
) -> None:
    assert outcome(sql, rules) != "ok"


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        # A quoted upper-case CTE is another name than the table it seems to shadow.
        ('WITH "Users" AS (SELECT 1 AS password) SELECT password FROM users', "blocked_column"),
        # The alias "U" is not u: u.ssn then names the table's column.
        ('SELECT u.ssn FROM users u, customers "U"', "blocked_column"),
        ('SELECT "U".password FROM users "U"', "blocked_column"),
        # An output name in upper case does not hide the input column ssn from ORDER BY.
        ('SELECT username AS "SSN" FROM users ORDER BY ssn', "blocked_column"),
        ('SELECT "Password" FROM users', "ok"),
    ],
)
def test_names_compare_exactly_as_postgresql_folds_them(sql: str, rule: str) -> None:
    assert outcome(sql) == rule


def test_a_cte_that_reads_the_table_it_shadows_has_its_star_narrowed() -> None:
    # A CTE may not read itself unless RECURSIVE: the inner users is the table.
    sql = "WITH users AS (SELECT * FROM users) SELECT password FROM users"

    narrowed = AccessPolicy(RULES).check(checked(sql), SHOP)

    # The CTE no longer carries password: PostgreSQL then finds no such column.
    assert narrowed.sql == (
        'WITH users AS (SELECT users."id", users."username", users."role" FROM users) '
        "SELECT password FROM users"
    )


PARTITIONED = SchemaSnapshot(
    database="p",
    tables=(
        Table(schema="public", name="payroll", columns=(Column(name="id", data_type="int"),)),
        Table(
            schema="public",
            name="payroll_2026",
            columns=(Column(name="id", data_type="int"), Column(name="ssn", data_type="text")),
            parents=(RelationName("public", "payroll"),),
        ),
        Table(
            schema="public",
            name="payroll_2026_q1",
            columns=(Column(name="id", data_type="int"), Column(name="ssn", data_type="text")),
            parents=(RelationName("public", "payroll_2026"), RelationName("public", "payroll")),
        ),
        Table(
            schema="public",
            name="people_child",
            columns=(Column(name="id", data_type="int"), Column(name="ssn", data_type="text")),
            parents=(RelationName("public", "people"),),
        ),
        Table(
            schema="public",
            name="people",
            columns=(Column(name="id", data_type="int"), Column(name="ssn", data_type="text")),
        ),
    ),
)


@pytest.mark.parametrize("child", ["payroll_2026", "payroll_2026_q1"])
def test_partitions_and_children_of_a_blocked_table_are_blocked(child: str) -> None:
    rules = AccessRules.from_names(enabled=True, blocked_tables=["payroll"])

    assert outcome(f"SELECT id FROM {child}", rules, PARTITIONED) == "blocked_table"


def test_a_blocked_column_of_a_parent_is_hidden_in_its_children() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=["people.ssn"])

    assert outcome("SELECT ssn FROM people_child", rules, PARTITIONED) == "blocked_column"
    assert outcome("SELECT id FROM people_child", rules, PARTITIONED) == "ok"


def test_the_allow_list_hides_partitions_it_does_not_list() -> None:
    rules = AccessRules.from_names(enabled=True, allowed_tables=["payroll"])

    assert outcome("SELECT id FROM payroll", rules, PARTITIONED) == "ok"
    assert outcome("SELECT id FROM payroll_2026", rules, PARTITIONED) == "blocked_table"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM users_id_seq",
        "SELECT * FROM made_after_the_load",
        "SELECT 1 FROM db.public.users",
    ],
)
def test_a_relation_the_snapshot_lacks_is_refused(sql: str) -> None:
    assert outcome(sql, OFF) == "unknown_relation"


ODD = SchemaSnapshot(
    database="odd",
    tables=(
        Table(schema="my.schema", name="Pay.Roll", columns=(Column(name="id", data_type="int"),)),
        Table(schema="public", name='we"ird', columns=(Column(name="Secret", data_type="text"),)),
        Table(schema="public", name="Users", columns=(Column(name="id", data_type="int"),)),
    ),
)


@pytest.mark.parametrize(
    ("blocked", "sql"),
    [
        ('"my.schema"."Pay.Roll"', 'SELECT id FROM "my.schema"."Pay.Roll"'),
        ('"we""ird"', 'SELECT 1 FROM "we""ird"'),
        ("users", 'SELECT id FROM "Users"'),
    ],
)
def test_block_lists_hold_for_names_with_dots_quotes_and_upper_case(blocked: str, sql: str) -> None:
    rules = AccessRules.from_names(enabled=True, blocked_tables=[blocked])

    assert outcome(sql, rules, ODD) == "blocked_table"


def test_a_hidden_column_with_upper_case_is_hidden_exactly() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=['"we""ird".secret'])

    assert outcome('SELECT "Secret" FROM "we""ird"', rules, ODD) == "blocked_column"


def test_the_runnable_text_names_every_relation_and_enum_with_its_schema() -> None:
    snapshot = SchemaSnapshot(
        database="s",
        tables=SHOP.tables,
        enums=(EnumType(schema="public", name="order_status", labels=("paid",)),),
    )
    sql = "WITH o AS (SELECT * FROM orders) SELECT 'paid'::order_status, 1::int FROM o, customers c"

    gate = SafetyPolicy(SafetyConfig())

    runnable = AccessPolicy(OFF).check(gate.check(sql, extra_types={"order_status"}), snapshot)

    assert runnable.runnable == (
        'WITH o AS (SELECT * FROM "public".orders) '
        'SELECT \'paid\'::"public".order_status, 1::int FROM o, "public".customers c'
    )
    assert runnable.to_run == runnable.runnable
    assert gate.check(sql, extra_types={"order_status"}).to_run == sql  # not yet resolved


def test_a_type_the_snapshot_does_not_know_is_left_to_postgresql_to_refuse() -> None:
    given = SafetyPolicy(SafetyConfig()).check("SELECT 'x'::mood", extra_types={"mood"})

    assert AccessPolicy(OFF).check(given, SHOP).runnable == "SELECT 'x'::mood"


def test_a_trusted_extension_function_is_called_in_its_own_schema() -> None:
    snapshot = replace(SHOP, extension_functions=(("ext", "similarity"), ("ext", "lower")))
    sql = "SELECT similarity(name, 'x'), lower(name) FROM customers"
    gate = SafetyPolicy(SafetyConfig())

    given = gate.check(sql, extension_functions=snapshot.extension_functions)
    runnable = AccessPolicy(OFF).check(given, snapshot).runnable

    # lower stays pg_catalog's own even where an extension names a function alike.
    assert runnable == ('SELECT "ext".similarity(name, \'x\'), lower(name) FROM "public".customers')


@given(st.sampled_from(["users", "Users", "USERS", "uSeRs"]), st.booleans())
def test_quoting_decides_the_name_never_the_checker_s_guess(spelling: str, quote: bool) -> None:
    name = f'"{spelling}"' if quote else spelling
    expected = "blocked_column" if not quote or spelling == "users" else "unknown_relation"

    assert outcome(f"SELECT ssn FROM {name}") == expected


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("SELECT é.id FROM users é", "ok"),
        ("SELECT é.ssn FROM users é WHERE é.id > 1", "blocked_column"),
        ("SELECT s.id FROM (SELECT users.* FROM users) s", "ok"),
        ("SELECT s.id FROM (SELECT x.* FROM users) s", "unresolved_name"),
        ("SELECT j.id FROM (users u JOIN generate_series(1, 2) g ON true) AS j", "unresolved_name"),
        ("SELECT public.orders.id FROM orders o", "unresolved_name"),
        ("SELECT a.id FROM (SELECT 1 AS id UNION SELECT 2) a", "ok"),
        ("SELECT u.x FROM unnest(ARRAY[1]) WITH ORDINALITY AS u(x, n)", "ok"),
        ("SELECT t.key, t.value FROM json_each(NULL) t", "ok"),
        ("SELECT t.k FROM json_each(NULL) t", "unresolved_name"),
        ("SELECT u.u FROM unnest(ARRAY[1]) u", "ok"),
        ("SELECT x.a FROM jsonb_to_recordset('[]') AS x(a int, b text)", "ok"),
        ("SELECT a FROM json_to_record('{}') AS (a int)", "ok"),
        ("SELECT j.id FROM (generate_series(1, 2) g JOIN users u ON true) AS j", "unresolved_name"),
    ],
)
def test_qualified_names_resolve_through_every_kind_of_source(sql: str, rule: str) -> None:
    assert outcome(sql) == rule


def test_a_name_table_rule_matches_a_quoted_part_exactly() -> None:
    exact = AccessRules.from_names(enabled=True, blocked_tables=['"Users"'])

    assert outcome('SELECT id FROM "Users"', exact, ODD) == "blocked_table"
    assert outcome("SELECT id FROM users", exact) == "ok"


@pytest.mark.parametrize("name", ['"open', "a..b", '""'])
def test_malformed_configured_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        AccessRules.from_names(enabled=True, blocked_tables=[name])
