"""Names PostgreSQL would resolve to another role's code: case twins, other schemas, user
operators and user types are refused however they are spelt; built-ins pass."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pglast.parser import ParseError

from domain.errors import ErrorCode, UnsafeSql
from domain.safety.builtin_operators import BUILTIN_OPERATORS
from domain.safety.builtin_types import BUILTIN_TYPES
from domain.safety.checked import SafetyConfig
from domain.safety.dialect import parse_statements
from domain.safety.functions import ALLOWED_FUNCTIONS
from domain.safety.pg_facts import PgFacts, read_pg_facts
from domain.safety.policy import SafetyPolicy
from domain.safety.rule_context import RuleContext, index_nodes
from domain.safety.rules import (
    SafetyRule,
    reject_unlisted_functions,
    reject_unlisted_operators,
    reject_unlisted_types,
)
from tests.domain.gate import mixed_context
from tests.domain.sql_fixtures import SqlCase, load_sql_cases

POLICY = SafetyPolicy(SafetyConfig())
QUERIES = [
    case
    for case in load_sql_cases("accept.sql", "own_accept.sql", "resolution_accept.sql")
    if case.allowed_statements == {"SELECT"}
]
EXAMPLES = settings(max_examples=80, deadline=None)
FUNCTIONS = st.sampled_from(sorted(ALLOWED_FUNCTIONS))
TYPES = st.sampled_from(sorted(BUILTIN_TYPES))
SCHEMAS = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda s: s != "pg_catalog"
)
TRIGRAM = frozenset({("public", "similarity")})
FUZZY = frozenset({("public", "soundex")})


def _rule_on_postgres_reading(rule: SafetyRule, sql: str) -> str | None:
    """What `rule` says about PostgreSQL's reading of `sql` alone (sqlglot's tree left clean)."""
    (clean,) = parse_statements("SELECT 1")
    violation = rule(clean, mixed_context(sql, clean))
    return violation.rule if violation else None


def _refusal(sql: str, **names: frozenset[tuple[str, str]] | frozenset[str]) -> UnsafeSql:
    with pytest.raises(UnsafeSql) as refused:
        POLICY.check(sql, **names)  # type: ignore[arg-type]
    assert refused.value.code == ErrorCode.SQL_SECURITY
    return refused.value


@st.composite
def case_twins(draw: st.DrawFn, names: st.SearchStrategy[str]) -> str:
    """A name with at least one letter in another case: quoted, PostgreSQL keeps it as written."""
    name = draw(names.filter(lambda n: any(ch.isalpha() for ch in n)))
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    twin = "".join(ch.upper() if flip else ch for ch, flip in zip(name, flips, strict=True))
    assume(twin != name)
    return twin


@EXAMPLES
@given(case_twins(FUNCTIONS))
def test_a_quoted_case_twin_of_any_allowed_function_is_refused_on_postgres_reading(
    twin: str,
) -> None:
    sql = f'SELECT "{twin}"(1), pg_catalog."{twin}"(1)'

    assert _rule_on_postgres_reading(reject_unlisted_functions, sql) == "unlisted_function"


@EXAMPLES
@given(case_twins(FUNCTIONS))
def test_a_case_twin_in_attribute_notation_is_refused(twin: str) -> None:
    assert _refusal(f'SELECT (name)."{twin}" FROM customers').rule == "function_on_value"


@EXAMPLES
@given(FUNCTIONS)
def test_every_allowed_function_written_exactly_passes_on_postgres_reading(name: str) -> None:
    sql = f'SELECT "{name}"(1), pg_catalog.{name}(1), "pg_catalog"."{name}"(1)'

    assert _rule_on_postgres_reading(reject_unlisted_functions, sql) is None


@EXAMPLES
@given(FUNCTIONS, SCHEMAS)
def test_an_allowed_function_qualified_with_any_other_schema_is_refused(
    name: str, schema: str
) -> None:
    sql = f'SELECT "{schema}"."{name}"(name) FROM customers'

    assert _refusal(sql).rule == "unlisted_function"


def test_an_extension_function_passes_only_as_trusted_and_where_the_extension_put_it() -> None:
    sql = "SELECT similarity(name, 'x'), public.similarity(name, 'y') FROM customers"

    assert POLICY.check(sql, extension_functions=TRIGRAM).sql == sql
    assert _refusal(sql).rule == "unlisted_function"
    twin = _refusal('SELECT (name)."Soundex" FROM customers', extension_functions=FUZZY)
    assert twin.rule == "function_on_value"
    for other in ("other.similarity", "pg_catalog.similarity", '"SIMILARITY"', '"Similarity"'):
        refused = _refusal(f"SELECT {other}(name, 'x') FROM customers", extension_functions=TRIGRAM)
        assert refused.rule == "unlisted_function"


@EXAMPLES
@given(TYPES)
def test_every_builtin_type_passes_as_a_cast_unqualified_or_in_pg_catalog(name: str) -> None:
    sql = f'SELECT NULL::{name}, CAST(NULL AS pg_catalog.{name}), NULL::"{name}"[]'

    assert _rule_on_postgres_reading(reject_unlisted_types, sql) is None


@EXAMPLES
@given(st.one_of(case_twins(TYPES), st.from_regex(r"[a-z_][a-z0-9_$]{0,20}", fullmatch=True)))
def test_a_type_pg_catalog_does_not_ship_is_refused_in_every_cast_form(name: str) -> None:
    assume(name not in BUILTIN_TYPES and not name.startswith("reg"))
    casts = (f'name::"{name}"', f'CAST(name AS "{name}")', f'name::pg_catalog."{name}"[]')

    for cast in casts:
        assert _refusal(f"SELECT {cast} FROM customers").rule == "unlisted_type"
    assert _rule_on_postgres_reading(reject_unlisted_types, f"SELECT \"{name}\" 'x'")


@EXAMPLES
@given(TYPES, SCHEMAS)
def test_a_builtin_type_name_in_any_other_schema_is_refused(name: str, schema: str) -> None:
    assert _refusal(f'SELECT name::"{schema}".{name} FROM customers').rule == "unlisted_type"


def test_a_schema_enum_passes_a_cast_only_when_the_caller_names_it() -> None:
    sql = "SELECT count(*) FROM orders WHERE status IN ('paid'::order_status, 'shipped')"

    assert POLICY.check(sql, extra_types=frozenset({"order_status"})).sql == sql
    assert _refusal(sql).rule == "unlisted_type"
    qualified = sql.replace("::order_status", "::public.order_status")
    assert _refusal(qualified, extra_types=frozenset({"order_status"})).rule == "unlisted_type"


@EXAMPLES
@given(st.text(alphabet="+-*/<>=~!@#%^&|`?", min_size=1, max_size=4))
def test_an_operator_name_pg_catalog_has_no_builtin_for_is_refused(name: str) -> None:
    # PostgreSQL's scanner reads != as <>, a built-in.
    assume(name not in BUILTIN_OPERATORS and name != "!=")
    try:
        facts = read_pg_facts(f"SELECT 1 OPERATOR(pg_catalog.{name}) 2")
    except ParseError:
        assume(False)
        raise
    assert facts.operators == (("pg_catalog", name),)

    assert _rule_on_postgres_reading(reject_unlisted_operators, f"SELECT 1 {name} 2")


@pytest.mark.parametrize("name", sorted(BUILTIN_OPERATORS))
def test_every_builtin_operator_passes_in_pg_catalog(name: str) -> None:
    sql = f"SELECT 1 OPERATOR(pg_catalog.{name}) 2, 1 OPERATOR({name}) 2"

    assert _rule_on_postgres_reading(reject_unlisted_operators, sql) is None


def test_postgres_reading_notes_operators_of_subqueries_and_order_by_using_not_between() -> None:
    facts = read_pg_facts(
        "SELECT a FROM t WHERE a BETWEEN 1 AND 2 AND a OPERATOR(s.=) ANY (SELECT 1)"
        " AND EXISTS (SELECT 1) ORDER BY a USING OPERATOR(s.<), a DESC"
    )

    assert sorted(facts.operators) == [("s", "<"), ("s", "=")]


def test_an_operator_only_postgres_sees_is_refused() -> None:
    (tree,) = parse_statements("SELECT 1")
    facts = PgFacts(statements=("SelectStmt",), operators=(("public", "+"),))
    ctx = RuleContext(
        config=SafetyConfig(),
        allowed_functions=ALLOWED_FUNCTIONS,
        allowed_statements=frozenset({"SELECT"}),
        statement_count=1,
        pg=facts,
        nodes=index_nodes(tree),
    )

    violation = reject_unlisted_operators(tree, ctx)

    assert violation is not None
    assert violation.rule == "unlisted_operator"


@pytest.mark.parametrize("case", QUERIES, ids=lambda case: case.id)
def test_sqlglots_rendering_of_an_accepted_query_names_only_what_the_gate_accepts(
    case: SqlCase,
) -> None:
    # The access policy runs sqlglot's rendering when it rewrites a query: that text must not
    # name a function, operator or type the gate would refuse.
    checked = POLICY.check(case.sql, extra_types=case.extra_types)

    rendered = checked.tree.sql(dialect="postgres")

    assert POLICY.check(rendered, extra_types=case.extra_types).kind == "SELECT"
