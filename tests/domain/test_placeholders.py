"""Placeholders stay values: `:name` found where PostgreSQL's scanner sees it, `$n` as values."""

import pytest

from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules
from domain.errors import ErrorCode, InvalidRequest, PgMcpError, UnsafeSql
from domain.models import Given, JsonValue
from domain.refusal_rules import RefusalRule
from domain.safety.checked import CheckedSql
from domain.safety.placeholders import (
    MAX_PARAMETERS,
    bind_placed,
    place_parameters,
)
from tests.domain.gate import checked
from tests.domain.shop_snapshot import SHOP
from tests.domain.sql_fixtures import SqlCase, load_sql_cases

ACCEPTS = load_sql_cases("accept.sql", "own_accept.sql", "resolution_accept.sql")
RULES = AccessRules.from_names(
    enabled=True, blocked_tables=["credentials"], blocked_columns=["users.password"]
)


def runnable(sql: str, given: Given | None) -> CheckedSql:
    """The statement as the server would run it: placed, gated, access-checked, bound."""
    placed = place_parameters(sql, given)
    policy = AccessPolicy(RULES)
    result = policy.check(checked(placed.sql), SHOP)
    if result.runnable is None:
        result = policy.check(checked(result.sql), SHOP)
    return bind_placed(result, placed)


def refusal(sql: str, given: Given | None) -> PgMcpError:
    with pytest.raises(PgMcpError) as caught:
        runnable(sql, given)
    return caught.value


def bound(result: CheckedSql) -> list[tuple[str, JsonValue]]:
    return [(p.name, p.value) for p in result.arguments]


KEPT_AS_TEXT = [
    ("inside a string", "SELECT id FROM users WHERE username = ':n' AND id = :n"),
    ("inside an escape string", "SELECT id FROM users WHERE username = E'\\' :m' AND id = :n"),
    ("inside a dollar quote", "SELECT id FROM users WHERE username = $q$ :m $q$ AND id = :n"),
    ("inside a quoted name", 'SELECT id AS ":m" FROM users WHERE id = :n'),
    ("inside a line comment", "SELECT id FROM users WHERE id = :n -- AND id = :m\n"),
    ("inside a block comment", "SELECT id FROM users /* :m /* :m */ */ WHERE id = :n"),
    ("a cast to a type named like a parameter", "SELECT id::text::name FROM users WHERE id = :n"),
    ("a slice bound naming a column", "SELECT (ARRAY[1, 2])[1:id] FROM users WHERE id = :n"),
    ("inside bit and hex strings", "SELECT B'101', X'1F' FROM users WHERE id = :n"),
    ("inside a Unicode string", "SELECT U&':m' FROM users WHERE id = :n"),
    (
        "inside a JSON path",
        "SELECT jsonb_path_exists('{}', '$ ? (@ == $m)') AND id = :n FROM users",
    ),
    ("after a named argument's :=", "SELECT id FROM users WHERE id = round(x:=:n)"),
]


@pytest.mark.parametrize(("title", "sql"), KEPT_AS_TEXT, ids=[t for t, _ in KEPT_AS_TEXT])
def test_a_colon_word_that_postgresql_reads_as_text_is_no_placeholder(title: str, sql: str) -> None:
    result = runnable(sql, {"n": 7})

    assert result.placeholders == (1,)
    assert bound(result) == [("n", 7)]


def test_named_placeholders_become_numbered_in_order_of_first_use() -> None:
    sql = "SELECT id FROM users WHERE role = :role OR id = ANY(:ids) OR username = :role"

    result = runnable(sql, {"ids": [1, 2], "role": "admin"})

    assert result.to_run == (
        'SELECT id FROM "public".users WHERE role = $1 OR id = ANY($2) OR username = $1'
    )
    assert result.placeholders == (1, 2, 1)
    assert bound(result) == [("role", "admin"), ("ids", [1, 2])]


def test_positional_placeholders_take_a_list_in_order() -> None:
    result = runnable("SELECT id FROM users WHERE id = $2 OR role = $1", ["admin", 3])

    assert result.to_run == 'SELECT id FROM "public".users WHERE id = $2 OR role = $1'
    assert bound(result) == [("$1", "admin"), ("$2", 3)]


def test_a_star_is_narrowed_around_placeholders_and_keeps_them() -> None:
    result = runnable("SELECT * FROM users WHERE id = :id", {"id": 1})

    assert "password" not in result.to_run
    assert result.to_run.endswith("WHERE id = $1")


ALLOWED_AS_VALUES = [
    ("an array constructor", "SELECT ARRAY[:a, :b]", {"a": 1, "b": 2}),
    ("nested array constructors", "SELECT ARRAY[[:a], [:b]]", {"a": 1, "b": 2}),
    ("a subscript in parentheses", "SELECT (ARRAY[1, 2])[(:a)]", {"a": 1}),
    ("a slice bound in parentheses", "SELECT (ARRAY[1, 2])[1:(:a)]", {"a": 1}),
    ("a JSON operator's key", "SELECT '{\"a\": 1}'::jsonb ->> :a", {"a": "a"}),
    ("a cast of a placeholder", "SELECT :a::int, CAST(:b AS date)", {"a": 1, "b": "2024-01-01"}),
    ("a keyword as a name", "SELECT :select, :from", {"select": 1, "from": 2}),
    ("ORDER BY a value, not a position", "SELECT id FROM users ORDER BY :a", {"a": 1}),
    ("a qualified operator", "SELECT :a OPERATOR(pg_catalog.+) 1", {"a": 1}),
    ("a name beside non-ASCII text", "SELECT 'é' || :a", {"a": "x"}),
    ("a typed literal's value", "SELECT INTERVAL :a", {"a": "1 day"}),
    ("a subscript of a placeholder", "SELECT :a[1]", {"a": [1]}),
    (
        "IN and LIKE ... ESCAPE",
        "SELECT 1 WHERE 1 IN (:a) AND 'x' LIKE :b ESCAPE :c",
        {"a": 1, "b": "x", "c": "!"},
    ),
    (
        "a CTE's and a LATERAL's value",
        "WITH x AS (SELECT :a AS v) SELECT v FROM x, LATERAL (SELECT :b AS w) s",
        {"a": 1, "b": 2},
    ),
    ("a table function's argument", "SELECT * FROM generate_series(1, :a)", {"a": 3}),
    ("a LIMIT and an OFFSET", "SELECT id FROM users LIMIT :n OFFSET :skip", {"n": 5, "skip": 10}),
    ("a cast LIMIT", "SELECT id FROM users LIMIT :n::bigint", {"n": 5}),
]


@pytest.mark.parametrize(
    ("title", "sql", "given"), ALLOWED_AS_VALUES, ids=[t for t, _, _ in ALLOWED_AS_VALUES]
)
def test_a_placeholder_where_a_value_stands_passes(
    title: str, sql: str, given: dict[str, JsonValue]
) -> None:
    result = runnable(sql, given)

    assert set(result.placeholders) == set(range(1, len(given) + 1))
    assert [name for name, _ in bound(result)] == list(given)


REFUSED = [
    ("a table name", "SELECT id FROM :t", {"t": "users"}, "unparseable"),
    ("a schema name", "SELECT id FROM :s.users", {"s": "public"}, "unparseable"),
    ("a function name", "SELECT :f(1)", {"f": "lower"}, "unparseable"),
    ("a type name", "SELECT id:::t FROM users", {"t": "int"}, "unparseable"),
    ("a column after a qualifier", "SELECT u.:c FROM users u", {"c": "password"}, "unparseable"),
    ("run into a name", "SELECT id:c FROM users", {"c": 1}, RefusalRule.PLACEHOLDER_NOT_A_VALUE),
    ("run into a number", "SELECT 1:c", {"c": 1}, "unparseable"),
    ("run into the next one", "SELECT :a:b", {"a": 1, "b": 2}, "unparseable"),
    ("a field call", "SELECT (:x).pg_read_file", {"x": "/etc/passwd"}, "function_on_value"),
    ("a case twin of a built-in", 'SELECT (:x)."Lower"', {"x": "a"}, "function_on_value"),
    ("a field of a placeholder", "SELECT :x.upper", {"x": "a"}, "field_selection"),
    (
        "a LIMIT computed from a value",
        "SELECT 1 LIMIT (SELECT :n)",
        {"n": 1},
        "unestimable_row_count",
    ),
    (
        "a blocked column still",
        "SELECT password FROM users WHERE id = :n",
        {"n": 1},
        "blocked_column",
    ),
]


@pytest.mark.parametrize(
    ("title", "sql", "given", "rule"), REFUSED, ids=[t for t, _, _, _ in REFUSED]
)
def test_a_placeholder_where_no_value_can_stand_is_refused_with_err_005(
    title: str, sql: str, given: dict[str, JsonValue], rule: str
) -> None:
    refused = refusal(sql, given)

    assert isinstance(refused, UnsafeSql)
    assert refused.rule == rule


INVALID = [
    ("a placeholder without a value", "SELECT :a, :b", {"a": 1}, ":b"),
    ("a value no placeholder uses", "SELECT :a", {"a": 1, "unused": 2}, "unused"),
    ("names compare exactly", "SELECT :Big", {"big": 1}, ":Big"),
    ("a value whose name is only in a string", "SELECT ':a'", {"a": 1}, "a"),
    ("$n with an object", "SELECT $1", {"a": 1}, "$1"),
    ("a value only in a comment", "SELECT :a -- :b\n", {"a": 1, "b": 2}, "b"),
    (":name with a list", "SELECT :a", [1], ":a"),
    ("$n past the list", "SELECT $1, $3", [1, 2, 3], "$2"),
    ("$n without a value", "SELECT $2", [1], "$2"),
    ("a slice bound named like a parameter", "SELECT (ARRAY[1])[1:a]", {"a": 1}, "(:a)"),
    ("a name :name cannot spell", "SELECT 1", {"a-b": 1}, "a-b"),
    ("a name of too many bytes", "SELECT 1", {"a" * 64: 1}, "at most 63"),
    ("$n without parameters", "SELECT $1", None, "$1"),
    (":name without parameters", "SELECT :a", None, ":a"),
    ("too many parameters", "SELECT 1", list(range(MAX_PARAMETERS + 1)), "At most"),
]


@pytest.mark.parametrize(
    ("title", "sql", "given", "named"), INVALID, ids=[t for t, _, _, _ in INVALID]
)
def test_placeholders_and_values_that_do_not_match_are_err_008_naming_one(
    title: str, sql: str, given: Given | None, named: str
) -> None:
    refused = refusal(sql, given)

    assert refused.code is ErrorCode.INVALID_REQUEST
    assert named in refused.message


def test_a_value_never_appears_in_an_error_message() -> None:
    secret = "s3cr3t' OR '1'='1"

    messages = [
        refusal("SELECT :a, :b", {"a": secret}).message,
        refusal("SELECT :a", {"a": 1, "b": secret}).message,
        refusal("SELECT id FROM :a", {"a": secret}).message,
        refusal("SELECT $1", [secret, secret]).message,
    ]

    assert all(secret not in message and "s3cr3t" not in message for message in messages)


def test_positional_placeholders_inside_strings_and_quoted_names_are_not_counted() -> None:
    result = runnable("SELECT '$2', id AS \"$3\" FROM users WHERE id = $1", [5])

    assert result.placeholders == (1,)
    assert bound(result) == [("$1", 5)]


def test_text_without_placeholders_or_values_passes_unchanged() -> None:
    result = runnable("SELECT id FROM users WHERE username = ':a'", None)

    assert result.arguments == ()
    assert result.placeholders == ()


def test_text_postgresql_cannot_scan_is_left_for_the_gate_to_refuse() -> None:
    refused = refusal("SELECT :a, 'unterminated", {"a": 1})

    assert isinstance(refused, UnsafeSql)
    assert refused.rule == "unparseable"


def test_a_value_is_not_shown_in_the_parameter_it_travels_in() -> None:
    result = runnable("SELECT :a", {"a": "secret"})

    assert "secret" not in repr(result.arguments)
    assert isinstance(refusal("SELECT :a", {"b": 1}), InvalidRequest)


@pytest.mark.parametrize("case", ACCEPTS, ids=lambda case: case.id)
def test_no_accepted_statement_is_read_as_holding_placeholders(case: SqlCase) -> None:
    placed = place_parameters(case.sql, None)

    assert placed.sql == case.sql
    assert placed.arguments == ()
