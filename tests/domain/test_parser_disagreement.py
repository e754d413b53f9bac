"""When sqlglot's reading and PostgreSQL's differ on a name, the statement is refused."""

from dataclasses import replace

import pytest
import sqlglot
from sqlglot import exp

from domain.access.catalog import AccessCatalog
from domain.access.inspection import StatementInspection
from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules
from domain.errors import UnsafeSql
from domain.safety.dialect import parse_statements
from domain.safety.identifiers import fold_identifiers
from domain.safety.name_agreement import reject_parser_disagreement
from domain.safety.pg_names import NameRef
from tests.domain.gate import checked, mixed_context
from tests.domain.shop_snapshot import SHOP


def mixed_reading(postgres_reads: str, checker_reads: str) -> str | None:
    """The disagreement rule's verdict when PostgreSQL reads one text and sqlglot another."""
    tree = parse_statements(checker_reads)[0]
    fold_identifiers(tree.find_all(exp.Identifier))
    violation = reject_parser_disagreement(tree, mixed_context(postgres_reads, tree))
    return violation.message if violation else None


@pytest.mark.parametrize(
    ("postgres_reads", "checker_reads", "named"),
    [
        ("SELECT id FROM orders o", "SELECT id FROM orders p", "'o'"),
        ("SELECT 1 AS a", "SELECT 1 AS b", "'a'"),
        ("SELECT u.id FROM users u", "SELECT u.ix FROM users u", "'u.id'"),
        ("SELECT id FROM users", "SELECT id FROM userz", "'users'"),
        (
            "SELECT x FROM unnest(ARRAY[1]) WITH ORDINALITY AS t(x, n)",
            "SELECT x FROM unnest(ARRAY[1]) WITH ORDINALITY AS t(x, m)",
            "'m'",
        ),
    ],
)
def test_any_name_read_differently_is_refused_and_named(
    postgres_reads: str, checker_reads: str, named: str
) -> None:
    message = mixed_reading(postgres_reads, checker_reads)

    assert message is not None
    assert named in message


def test_a_name_sqlglot_builds_from_something_else_never_agrees() -> None:
    tree = parse_statements("SELECT id FROM orders")[0]
    column = next(tree.find_all(exp.Column))
    column.set("table", exp.Literal.string("orders"))  # not an identifier
    ctx = mixed_context("SELECT id FROM orders", tree)

    assert reject_parser_disagreement(tree, ctx) is not None


def test_a_table_postgresql_reads_as_a_cte_but_sqlglot_does_not_is_refused() -> None:
    given = checked("SELECT id FROM orders")
    ((position, ref),) = given.relations.items()
    as_cte = replace(given, relations={position: NameRef(ref.location, ref.parts, cte=True)})

    with pytest.raises(UnsafeSql) as refused:
        StatementInspection(AccessCatalog(SHOP, AccessRules()), as_cte.relations).run(as_cte.tree)

    assert refused.value.rule == "unresolved_name"
    assert "orders is a CTE for PostgreSQL" in refused.value.message


def test_a_column_outside_every_query_scope_is_refused() -> None:
    tree = sqlglot.parse_one("UPDATE users SET role = ssn", read="postgres")

    with pytest.raises(UnsafeSql) as refused:
        StatementInspection(AccessCatalog(SHOP, AccessRules()), {}).run(tree)

    assert refused.value.rule == "unresolved_name"


def test_a_schema_qualified_column_must_name_its_relation_s_schema() -> None:
    with pytest.raises(UnsafeSql) as refused:
        AccessPolicy(AccessRules()).check(checked("SELECT other.orders.id FROM orders"), SHOP)

    assert refused.value.rule == "unresolved_name"
