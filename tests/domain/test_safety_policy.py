from collections.abc import Callable

import pytest
from sqlglot import exp

from domain.errors import ErrorCode, UnsafeSql
from domain.safety.checked import CheckedSql, SafetyConfig
from domain.safety.dialect import parse_statements
from domain.safety.pg_facts import PgFacts
from domain.safety.policy import SafetyPolicy
from domain.safety.rule_context import RuleContext, index_nodes
from domain.safety.rules import (
    SAFETY_RULES,
    SafetyRule,
    reject_data_modifying,
    reject_unlisted_functions,
)
from tests.domain.sql_fixtures import SqlCase, load_sql_cases

REJECTS = load_sql_cases(
    "reject.sql", "own_reject.sql", "resolution_reject.sql", "input_reject.sql"
)
ACCEPTS = load_sql_cases("accept.sql", "own_accept.sql", "resolution_accept.sql")
STATIC_REJECTS = [case for case in REJECTS if case.headers["layer"] == "static"]
RUNTIME_REJECTS = [case for case in REJECTS if case.headers["layer"] == "runtime"]


def _policy_for(case: SqlCase) -> SafetyPolicy:
    return SafetyPolicy(SafetyConfig(allowed_statements=case.allowed_statements))


def _refusal(policy: SafetyPolicy, sql: str) -> UnsafeSql:
    with pytest.raises(UnsafeSql) as refused:
        policy.check(sql)
    return refused.value


def _outcome(policy: SafetyPolicy, sql: str) -> CheckedSql | UnsafeSql:
    try:
        return policy.check(sql)
    except UnsafeSql as refused:
        return refused


def test_the_corpus_holds_every_public_case_and_well_over_a_hundred_own_cases() -> None:
    public = load_sql_cases("reject.sql", "accept.sql")
    own = load_sql_cases("own_reject.sql", "own_accept.sql")

    assert len(public) == 167
    assert len(own) > 200
    assert len({case.id for case in public + own}) == len(public + own)


@pytest.mark.parametrize("case", STATIC_REJECTS, ids=lambda case: case.id)
def test_a_static_reject_case_is_refused_with_err_005_by_its_rule(case: SqlCase) -> None:
    refused = _refusal(_policy_for(case), case.sql)

    assert refused.code == ErrorCode.SQL_SECURITY
    assert refused.rule == case.rule


@pytest.mark.parametrize("case", RUNTIME_REJECTS, ids=lambda case: case.id)
def test_a_runtime_reject_case_is_refused_or_left_as_a_plain_query_for_runtime_limits(
    case: SqlCase, record_property: Callable[[str, object], None]
) -> None:
    outcome = _outcome(_policy_for(case), case.sql)

    if isinstance(outcome, UnsafeSql):
        assert outcome.code == ErrorCode.SQL_SECURITY
    else:
        # statement_timeout and the row cap of the database adapter must stop it.
        record_property("left_to_runtime_limits", case.id)
        assert outcome.kind == "SELECT"


@pytest.mark.parametrize("case", ACCEPTS, ids=lambda case: case.id)
def test_an_accept_case_passes_the_policy(case: SqlCase) -> None:
    checked = _policy_for(case).check(case.sql, extra_types=case.extra_types)

    assert checked.kind == max(case.allowed_statements - {"SELECT"}, default="SELECT")
    assert checked.sql == checked.sql.strip()
    assert not checked.sql.endswith(";")


def test_checked_sql_drops_surrounding_comments_whitespace_and_semicolons() -> None:
    policy = SafetyPolicy(SafetyConfig())

    assert policy.check("\n -- count\nSELECT 1 ; ; -- done\n").sql == "SELECT 1"
    assert policy.check("SELECT 1;;\n").sql == "SELECT 1"
    assert policy.check("SELECT '--' /* keep */ AS x;").sql == "SELECT '--' /* keep */ AS x"


def test_a_query_with_bind_parameters_passes() -> None:
    sql = "SELECT name FROM customers WHERE id = $1 AND country = $2"

    assert SafetyPolicy(SafetyConfig()).check(sql).sql == sql


def test_checked_tree_is_the_one_parsed_query() -> None:
    checked = SafetyPolicy(SafetyConfig()).check("SELECT name FROM customers WHERE id = 1")

    assert isinstance(checked.tree, exp.Select)
    assert [table.name for table in checked.tree.find_all(exp.Table)] == ["customers"]


def test_explain_passes_only_when_allowed_and_its_tree_is_the_explained_query() -> None:
    sql = "EXPLAIN (COSTS OFF) SELECT name FROM customers"
    policy = SafetyPolicy(SafetyConfig(allowed_statements=frozenset({"select", "explain"})))

    checked = policy.check(sql)

    assert (checked.kind, checked.sql) == ("EXPLAIN", sql)
    assert isinstance(checked.tree, exp.Select)
    assert _refusal(SafetyPolicy(SafetyConfig()), sql).rule == "not_a_query"


def test_show_passes_only_when_allowed() -> None:
    policy = SafetyPolicy(SafetyConfig(allowed_statements=frozenset({"SELECT", "SHOW"})))

    assert policy.check("SHOW search_path").kind == "SHOW"
    assert _refusal(SafetyPolicy(SafetyConfig()), "SHOW search_path").rule == "not_a_query"


def test_extra_allowed_functions_extend_the_allow_list_in_any_case() -> None:
    sql = "SELECT inet_server_addr(), pg_catalog.Inet_Server_Port()"
    extra = frozenset({"INET_SERVER_ADDR", "inet_server_port"})

    assert _refusal(SafetyPolicy(SafetyConfig()), sql).rule == "unlisted_function"
    assert SafetyPolicy(SafetyConfig(extra_allowed_functions=extra)).check(sql).kind == "SELECT"


def test_allowing_system_catalogs_lets_catalog_relations_and_reg_casts_pass() -> None:
    sql = "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = 'customers'::regclass"

    assert _refusal(SafetyPolicy(SafetyConfig()), sql).rule == "system_catalog"
    policy = SafetyPolicy(SafetyConfig(allow_system_catalogs=True))
    assert policy.check(sql).kind == "SELECT"


def test_a_policy_runs_the_rules_it_is_given_in_order() -> None:
    sql = "SELECT pg_read_file('/etc/passwd') FROM pg_authid"
    functions_first: tuple[SafetyRule, ...] = (reject_unlisted_functions, *SAFETY_RULES)

    assert _refusal(SafetyPolicy(SafetyConfig()), sql).rule == "system_catalog"
    assert _refusal(SafetyPolicy(SafetyConfig(), functions_first), sql).rule == "unlisted_function"


def _context(tree: exp.Expression, facts: PgFacts) -> RuleContext:
    return RuleContext(
        config=SafetyConfig(),
        allowed_functions=frozenset({"lower"}),
        allowed_statements=frozenset({"SELECT"}),
        statement_count=1,
        pg=facts,
        nodes=index_nodes(tree),
    )


@pytest.mark.parametrize(
    ("rule", "sql", "expected"),
    [
        (reject_unlisted_functions, "SELECT pg_read_file('/etc/passwd')", "unlisted_function"),
        (reject_unlisted_functions, "SELECT a.b.lower(x)", "unlisted_function"),
        (reject_data_modifying, "WITH d AS (DELETE FROM t RETURNING *) SELECT 1", "data_modifying"),
    ],
)
def test_a_rule_refuses_on_sqlglots_reading_even_when_postgres_reads_it_clean(
    rule: SafetyRule, sql: str, expected: str
) -> None:
    (tree,) = parse_statements(sql)
    clean = PgFacts(statements=("SelectStmt",))

    violation = rule(tree, _context(tree, clean))

    assert violation is not None
    assert violation.rule == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (PgFacts(statements=("SelectStmt",), functions=(("pg_sleep",),)), "unlisted_function"),
        (PgFacts(statements=("SelectStmt",), nested_statements=("DeleteStmt",)), "data_modifying"),
    ],
)
def test_a_rule_refuses_on_postgres_reading_even_when_sqlglot_reads_it_clean(
    facts: PgFacts, expected: str
) -> None:
    (tree,) = parse_statements("SELECT lower(name) FROM customers")
    rules: dict[str, SafetyRule] = {
        "unlisted_function": reject_unlisted_functions,
        "data_modifying": reject_data_modifying,
    }

    violation = rules[expected](tree, _context(tree, facts))

    assert violation is not None
    assert violation.rule == expected


@pytest.mark.parametrize(
    ("sql", "word"), [("SHOW search_path", "SHOW"), ("EXPLAIN SELECT 1", "EXPLAIN")]
)
def test_a_read_only_kind_left_off_says_how_to_allow_it(sql: str, word: str) -> None:
    refused = _refusal(SafetyPolicy(SafetyConfig()), sql)

    assert refused.rule == "not_a_query"
    assert f"PG_MCP_ALLOWED_STATEMENTS=SELECT,{word}" in refused.message
