from dataclasses import replace

import pytest

from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules, NamePart
from domain.errors import ErrorCode, UnsafeSql
from domain.models import Column, RelationKind, SchemaSnapshot, Table
from domain.safety.checked import CheckedSql
from tests.domain.gate import checked
from tests.domain.shop_snapshot import SHOP
from tests.domain.view_reads import reads

SHOP_RULES = AccessRules.from_names(
    enabled=True, blocked_tables=["credentials"], blocked_columns=["users.password", "users.ssn"]
)


def unchanged(result: CheckedSql, given: CheckedSql) -> bool:
    """Passed as written, and made runnable (relation names qualified)."""
    return result.sql == given.sql and result.runnable is not None


def refusal(
    sql: str, rules: AccessRules = SHOP_RULES, snapshot: SchemaSnapshot = SHOP
) -> UnsafeSql:
    with pytest.raises(UnsafeSql) as caught:
        AccessPolicy(rules).check(checked(sql), snapshot)
    assert caught.value.code is ErrorCode.SQL_SECURITY
    return caught.value


REFUSED = [
    ("blocked column in the select list", "SELECT password FROM users", "blocked_column"),
    ("qualified blocked column", "SELECT u.ssn FROM users u", "blocked_column"),
    ("schema-qualified column", "SELECT public.users.password FROM public.users", "blocked_column"),
    ("quoted names are exact", 'SELECT "Users"."Password" FROM public."Users"', "unknown_relation"),
    ("blocked table", "SELECT id FROM credentials", "blocked_table"),
    ("schema-qualified blocked table", "SELECT count(*) FROM public.credentials", "blocked_table"),
    ("WHERE infers a value", "SELECT id FROM users WHERE password LIKE 'a%'", "blocked_column"),
    ("ORDER BY an expression", "SELECT id FROM users ORDER BY ssn", "blocked_column"),
    (
        "ORDER BY an expression over a column shadowed by an alias",
        "SELECT username AS password FROM users ORDER BY lower(password)",
        "blocked_column",
    ),
    (
        "GROUP BY prefers the input column",
        "SELECT username AS ssn FROM users GROUP BY ssn",
        "blocked_column",
    ),
    ("HAVING", "SELECT role FROM users GROUP BY role HAVING max(ssn) > '5'", "blocked_column"),
    ("window ORDER BY", "SELECT row_number() OVER (ORDER BY ssn) FROM users", "blocked_column"),
    ("DISTINCT ON", "SELECT DISTINCT ON (ssn) username FROM users", "blocked_column"),
    (
        "JOIN ON",
        "SELECT o.id FROM orders o JOIN users u ON u.ssn = o.id::text",
        "blocked_column",
    ),
    (
        "CTE renaming the column",
        "WITH x AS (SELECT password AS p FROM users) SELECT p FROM x",
        "blocked_column",
    ),
    (
        "CTE named like a table, over a blocked table",
        "WITH users AS (SELECT * FROM credentials) SELECT * FROM users",
        "blocked_table",
    ),
    ("scalar subquery", "SELECT (SELECT ssn FROM users LIMIT 1)", "blocked_column"),
    (
        "correlated EXISTS",
        "SELECT o.id FROM orders o WHERE EXISTS "
        "(SELECT 1 FROM users u WHERE u.id = o.id AND u.password = 'x')",
        "blocked_column",
    ),
    (
        "outer reference from a subquery",
        "SELECT (SELECT count(*) FROM orders WHERE u.password = 'x') FROM users u",
        "blocked_column",
    ),
    (
        "derived table",
        "SELECT s.p FROM (SELECT password AS p FROM users) s",
        "blocked_column",
    ),
    (
        "UNION with a blocked table",
        "SELECT id, username FROM users UNION SELECT id, api_token FROM credentials",
        "blocked_table",
    ),
    (
        "INTERSECT branch reading a column",
        "SELECT username FROM users INTERSECT SELECT ssn FROM users",
        "blocked_column",
    ),
    (
        "EXISTS over a blocked table",
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM credentials)",
        "blocked_table",
    ),
    (
        "LATERAL subquery",
        "SELECT x.p FROM users u, LATERAL (SELECT u.password AS p) x",
        "blocked_column",
    ),
    (
        "CROSS JOIN LATERAL with a star",
        "SELECT * FROM users u CROSS JOIN LATERAL (SELECT u.password AS p) x",
        "blocked_column",
    ),
    (
        "JOIN USING a blocked column",
        "SELECT u.id FROM users u JOIN users v USING (ssn)",
        "blocked_column",
    ),
    (
        "NATURAL JOIN on a blocked column",
        "WITH x AS (SELECT 'hunter1' AS password) SELECT count(*) FROM users NATURAL JOIN x",
        "blocked_column",
    ),
    (
        "NATURAL JOIN with unknown columns",
        "SELECT count(*) FROM users NATURAL JOIN json_populate_record(NULL, '{}') e",
        "blocked_column",
    ),
    (
        "NATURAL JOIN from the other side",
        "WITH x AS (SELECT 'hunter1' AS password) SELECT count(*) FROM x NATURAL JOIN users",
        "blocked_column",
    ),
    ("whole row", "SELECT u FROM users u", "blocked_column"),
    ("whole row of an unaliased table", "SELECT users FROM users", "blocked_column"),
    ("json_agg of a row", "SELECT json_agg(u) FROM users u", "blocked_column"),
    ("row_to_json", "SELECT row_to_json(u) FROM users u", "blocked_column"),
    ("to_jsonb of u.*", "SELECT to_jsonb(u.*) FROM users u", "blocked_column"),
    ("hstore of a row", "SELECT hstore(u) FROM users u", "unlisted_function"),
    ("ROW(u.*)", "SELECT ROW(u.*) FROM users u", "unlisted_function"),
    ("composite field access", "SELECT (u).password FROM users u", "field_selection"),
    ("functional attribute notation", "SELECT password(u) FROM users u", "unlisted_function"),
    ("whole row in WHERE", "SELECT 1 FROM users u WHERE u::text LIKE '%hunter%'", "blocked_column"),
    (
        "whole row of an aliased parenthesised join",
        "SELECT j FROM (users u JOIN orders o ON o.id = u.id) AS j",
        "blocked_column",
    ),
    (
        "column through an aliased parenthesised join",
        "SELECT j.ssn FROM (users u JOIN orders o ON o.id = u.id) AS j",
        "blocked_column",
    ),
    ("renamed by a column alias list", "SELECT p FROM users AS u(i, n, p)", "blocked_column"),
    (
        "unresolvable name that could be blocked",
        "SELECT ssn FROM users, jsonb_each('{}') e",
        "blocked_column",
    ),
    (
        "unresolvable qualifier that could be blocked",
        "SELECT nobody.password FROM users",
        "unresolved_name",
    ),
    ("star of an unknown qualifier", "SELECT to_json(nobody.*) FROM users", "unresolved_name"),
    (
        "star over an aliased parenthesised join",
        "SELECT * FROM (users u JOIN orders o ON o.id = u.id) AS j",
        "blocked_column",
    ),
    (
        "star over a USING join with an opaque side",
        "SELECT * FROM users JOIN jsonb_each('{}') e USING (key)",
        "blocked_column",
    ),
    (
        "star next to an unaliased subquery",
        "SELECT * FROM users, (SELECT 1 AS one)",
        "blocked_column",
    ),
    (
        "star over a USING join whose column is blocked on one side",
        "WITH x AS (SELECT 1 AS id, 'a' AS ssn) SELECT * FROM x JOIN users USING (ssn)",
        "blocked_column",
    ),
    (
        "recursive CTE over a blocked column",
        "WITH RECURSIVE r AS (SELECT ssn FROM users) SELECT * FROM r",
        "blocked_column",
    ),
    ("a write is no query", "UPDATE credentials SET api_token = ''", "not_a_query"),
    (
        "star over a USING column missing on one side",
        "SELECT * FROM users JOIN customers USING (email)",
        "blocked_column",
    ),
]


@pytest.mark.parametrize(("title", "sql", "rule"), REFUSED, ids=[case[0] for case in REFUSED])
def test_reads_of_blocked_data_are_refused_with_err_005(title: str, sql: str, rule: str) -> None:
    assert refusal(sql).rule == rule


ACCEPTED = [
    "SELECT id, username FROM users",
    "SELECT count(*) FROM users",
    "SELECT id FROM public.users WHERE role = 'admin'",
    "SELECT username AS password FROM users ORDER BY password",
    "SELECT username FROM users UNION SELECT name FROM customers ORDER BY username",
    "WITH credentials AS (SELECT id, name FROM customers) SELECT * FROM credentials",
    "WITH users AS (SELECT id, name FROM customers) SELECT users.* FROM users",
    "SELECT c.name, count(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
    "GROUP BY c.name ORDER BY 2 DESC LIMIT 5",
    "SELECT u.username, o.id FROM users u JOIN orders o USING (id)",
    "SELECT * FROM orders NATURAL JOIN order_items",
    "SELECT * FROM customer_revenue ORDER BY revenue DESC",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT i FROM n",
    "SELECT g FROM generate_series(1, 3) g",
    "SELECT e.key FROM products p, jsonb_each(p.attrs) e",
    "SELECT * FROM (SELECT id, username FROM users) s",
    "SELECT s FROM (SELECT id, username FROM users) s",
    "SELECT x.username FROM users u, LATERAL (SELECT u.username) x",
    "SELECT t.a FROM (VALUES (1), (2)) AS t(a)",
    "SELECT i AS ssn FROM users AS u(i)",
    "SELECT 1",
    "SELECT now()",
    "SELECT username, rank() OVER (PARTITION BY role ORDER BY id) FROM users",
    "WITH x AS (SELECT 1 AS id) SELECT j.id FROM (customers c JOIN x ON true) AS j",
    "WITH x AS (SELECT 1 AS id) SELECT count(*) FROM (users u JOIN x ON true) AS j",
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_queries_that_read_only_permitted_data_pass_unchanged(sql: str) -> None:
    given = checked(sql)

    passed = AccessPolicy(SHOP_RULES).check(given, SHOP)

    assert passed.sql == given.sql
    assert passed.runnable is not None


REWRITTEN = [
    ("SELECT * FROM users", 'SELECT users."id", users."username", users."role" FROM users'),
    ("TABLE users", 'SELECT users."id", users."username", users."role" FROM users'),
    (
        "SELECT u.*, 1 AS one FROM users u",
        'SELECT u."id", u."username", u."role", 1 AS one FROM users AS u',
    ),
    (
        "SELECT * FROM users AS u(i, n, p)",
        'SELECT u.i, u.n, u."role" FROM users AS u(i, n, p)',
    ),
    (
        "WITH users AS (SELECT * FROM users) SELECT * FROM users",
        'WITH users AS (SELECT users."id", users."username", users."role" FROM users) '
        "SELECT * FROM users",
    ),
    (
        "SELECT * FROM users JOIN customers USING (id)",
        'SELECT users."id", users."username", users."role", customers."name", customers."email", '
        'customers."country", customers."created_at" FROM users JOIN customers USING (id)',
    ),
    (
        "SELECT * FROM users u RIGHT JOIN orders o USING (id)",
        'SELECT o."id", u."username", u."role", o."customer_id", o."status", o."placed_at" '
        "FROM users AS u RIGHT JOIN orders AS o USING (id)",
    ),
    (
        "SELECT * FROM users u FULL JOIN orders o USING (id) FULL JOIN customers c USING (id)",
        'SELECT COALESCE(COALESCE(u."id", o."id"), c."id") AS "id", u."username", u."role", '
        'o."customer_id", o."status", o."placed_at", c."name", c."email", c."country", '
        'c."created_at" FROM users AS u FULL JOIN orders AS o USING (id) '
        "FULL JOIN customers AS c USING (id)",
    ),
    (
        "SELECT * FROM users NATURAL JOIN audit_log",
        'SELECT users."id", users."username", users."role", audit_log."at", '
        'audit_log."message" FROM users NATURAL JOIN audit_log',
    ),
    (
        "SELECT * FROM (users u JOIN orders o ON o.id = u.id), generate_series(1, 2) g",
        'SELECT u."id", u."username", u."role", o."id", o."customer_id", o."status", '
        'o."placed_at", g.* FROM (users AS u JOIN orders AS o ON o.id = u.id), '
        "GENERATE_SERIES(1, 2) AS g",
    ),
    (
        "SELECT * FROM users u JOIN (SELECT 1 AS n) s ON true",
        'SELECT u."id", u."username", u."role", s.* FROM users AS u JOIN (SELECT 1 AS n) AS s '
        "ON TRUE",
    ),
]


@pytest.mark.parametrize(("sql", "expected"), REWRITTEN)
def test_stars_are_narrowed_to_the_permitted_columns(sql: str, expected: str) -> None:
    policy = AccessPolicy(SHOP_RULES)

    narrowed = policy.check(checked(sql), SHOP)

    assert narrowed.sql == expected
    assert policy.check(checked(narrowed.sql), SHOP).sql == narrowed.sql


def test_narrowing_a_star_leaves_the_callers_tree_untouched() -> None:
    given = checked("SELECT * FROM users")

    narrowed = AccessPolicy(SHOP_RULES).check(given, SHOP)

    assert given.tree.sql(dialect="postgres") == "SELECT * FROM users"
    assert narrowed.tree is not given.tree
    assert narrowed.kind == given.kind


def test_a_star_over_a_table_whose_columns_are_all_blocked_is_refused() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=["canary.id", "canary.note"])

    assert refusal("SELECT c.* FROM canary c", rules).rule == "blocked_column"


def test_a_table_missing_from_the_snapshot_is_refused_until_a_reload_finds_it() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=["ghosts.secret"])

    assert refusal("SELECT * FROM ghosts", rules).rule == "unknown_relation"
    assert refusal("SELECT g.secret FROM ghosts g", rules).rule == "unknown_relation"
    assert (
        refusal("SELECT id FROM no_such_table").message == 'relation "no_such_table" does not exist'
    )


def test_refusals_name_the_blocked_table_or_column_so_the_model_can_repair() -> None:
    assert "users.password" in refusal("SELECT password FROM users").message
    assert "credentials" in refusal("SELECT * FROM credentials").message


def test_disabled_rules_let_everything_through() -> None:
    given = checked("SELECT * FROM credentials")
    rules = AccessRules.from_names(enabled=False, blocked_tables=["credentials"])

    assert unchanged(AccessPolicy(rules).check(given, SHOP), given)


def test_blocked_table_names_may_be_schema_qualified() -> None:
    snapshot = SchemaSnapshot(
        database="two",
        tables=(
            Table(schema="public", name="users", columns=(Column(name="id", data_type="int"),)),
            Table(schema="audit", name="users", columns=(Column(name="id", data_type="int"),)),
        ),
    )
    rules = AccessRules.from_names(enabled=True, blocked_tables=["audit.users"])
    policy = AccessPolicy(rules)
    given = checked("SELECT id FROM public.users")

    assert unchanged(policy.check(given, snapshot), given)
    assert refusal("SELECT id FROM audit.users", rules, snapshot).rule == "blocked_table"
    # An unqualified name means the first table on the search path, and is run qualified.
    resolved = policy.check(checked("SELECT id FROM users"), snapshot)
    assert resolved.runnable == 'SELECT id FROM "public".users'


def test_a_blocked_column_may_be_named_in_every_table_with_a_wildcard() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=["*.email"])

    assert refusal("SELECT email FROM customers", rules).rule == "blocked_column"


def test_schema_qualified_blocked_columns_match_only_that_schema() -> None:
    rules = AccessRules.from_names(enabled=True, blocked_columns=["public.users.ssn"])
    other = AccessRules.from_names(enabled=True, blocked_columns=["audit.users.ssn"])
    given = checked("SELECT ssn FROM users")

    assert refusal("SELECT ssn FROM users", rules).rule == "blocked_column"
    assert unchanged(AccessPolicy(other).check(given, SHOP), given)


def test_allow_list_refuses_tables_not_listed() -> None:
    rules = AccessRules.from_names(enabled=True, allowed_tables=["orders", "public.customers"])
    policy = AccessPolicy(rules)
    given = checked("SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id")

    assert unchanged(policy.check(given, SHOP), given)
    assert refusal("SELECT id FROM products", rules).rule == "blocked_table"
    assert refusal("SELECT id FROM ghosts", rules).rule == "blocked_table"


def test_allowed_columns_restrict_a_table_to_the_listed_columns() -> None:
    rules = AccessRules.from_names(
        enabled=True, allowed_tables=["orders"], allowed_columns=["users.id", "users.username"]
    )
    policy = AccessPolicy(rules)

    assert policy.check(checked("SELECT * FROM users"), SHOP).sql == (
        'SELECT users."id", users."username" FROM users'
    )
    assert refusal("SELECT role FROM users", rules).rule == "blocked_column"
    assert refusal("SELECT id FROM customers", rules).rule == "blocked_table"


def test_allowed_columns_of_a_table_missing_from_the_snapshot_refuse_it() -> None:
    rules = AccessRules.from_names(enabled=True, allowed_columns=["ghosts.id"])

    assert refusal("SELECT id FROM ghosts", rules).rule == "blocked_table"


VIEW_READS = {
    "customer_revenue": reads(
        "public.customers.id", "public.customers.name", "public.orders", "public.order_items"
    ),
    "user_names": reads("public.users.username"),
    "user_secrets": reads("public.users.id", "public.users.ssn"),
    "user_rows": reads("public.users"),
    "tokens": reads("public.credentials.api_token"),
    "secrets_again": reads("public.user_names", "public.user_secrets"),
    "names_again": reads("public.user_names", "public.customer_revenue"),
    "loop_a": reads("public.loop_b"),
    "loop_b": reads("public.loop_a", "public.user_names"),
}
VIEWS = SchemaSnapshot(
    database="shop",
    tables=SHOP.tables
    + tuple(
        Table(
            schema="public",
            name=name,
            kind=RelationKind.MATERIALIZED_VIEW,
            columns=(Column(name="v", data_type="text"),),
        )
        for name in (
            "user_names",
            "user_secrets",
            "user_rows",
            "tokens",
            "secrets_again",
            "names_again",
            "loop_a",
            "loop_b",
        )
    ),
)


VIEWS_READING = replace(
    VIEWS,
    tables=tuple(replace(t, depends_on=VIEW_READS.get(t.name, ())) for t in VIEWS.tables),
)


@pytest.mark.parametrize(
    ("view", "allowed"),
    [
        ("customer_revenue", True),
        ("user_names", True),
        ("names_again", True),
        ("loop_a", True),
        ("user_secrets", False),
        ("user_rows", False),
        ("tokens", False),
        ("secrets_again", False),
    ],
)
def test_views_over_blocked_data_are_refused_when_their_sources_are_known(
    view: str, allowed: bool
) -> None:
    given = checked(f"SELECT * FROM {view}")
    policy = AccessPolicy(SHOP_RULES)

    if allowed:
        assert unchanged(policy.check(given, VIEWS_READING), given)
    else:
        with pytest.raises(UnsafeSql) as caught:
            policy.check(given, VIEWS_READING)
        assert caught.value.rule == "blocked_table"


def test_a_view_whose_reads_are_unknown_is_judged_by_its_name() -> None:
    given = checked("SELECT * FROM user_secrets")

    assert unchanged(AccessPolicy(SHOP_RULES).check(given, VIEWS), given)


def test_from_names_normalises_case_quotes_and_blanks() -> None:
    rules = AccessRules.from_names(
        enabled=True,
        blocked_tables=[' Public."Credentials" ', ""],
        blocked_columns=['"Users".Password', "*.SSN"],
        allowed_tables=["Orders"],
        allowed_columns=["public.users.id"],
    )

    assert rules.blocked_tables == {(NamePart("public"), NamePart("Credentials", quoted=True))}
    assert rules.blocked_columns == {
        (NamePart("Users", quoted=True), NamePart("password")),
        (NamePart("*"), NamePart("ssn")),
    }
    assert rules.allowed_tables == {(NamePart("orders"),)}
    assert rules.allowed_columns == {(NamePart("public"), NamePart("users"), NamePart("id"))}


@pytest.mark.parametrize(
    ("field", "name"),
    [
        ("blocked_tables", "a.b.c"),
        ("blocked_tables", "*"),
        ("blocked_columns", "password"),
        ("blocked_columns", "a.b.c.d"),
        ("blocked_columns", "public.*.ssn"),
        ("allowed_columns", "*.id"),
        ("blocked_tables", 'users"'),
        ("blocked_tables", "public..users"),
    ],
)
def test_from_names_rejects_malformed_names(field: str, name: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        AccessRules.from_names(enabled=True, **{field: [name]})
