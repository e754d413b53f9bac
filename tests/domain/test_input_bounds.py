"""Input bounds: exact limits, refused before any parser runs, with the code naming the limit."""

import pytest

from domain.errors import ErrorCode, InvalidRequest, UnsafeSql
from domain.safety.checked import SafetyConfig
from domain.safety.input_bounds import (
    MAX_BRACKET_DEPTH,
    InputBounds,
    block_comment_end,
    check_argument,
    check_question,
    check_sql,
)
from domain.safety.policy import SafetyPolicy

BOUNDS = InputBounds()
POLICY = SafetyPolicy(SafetyConfig())


def _plus_chain(operators: int) -> str:
    return "SELECT " + "+".join(["1"] * (operators + 1))


def _parens(depth: int) -> str:
    return "SELECT " + "(" * depth + "1" + ")" * depth


def _arrays(depth: int) -> str:
    return "SELECT " + "ARRAY[" * depth + "1" + "]" * depth


def _in_list(values: int) -> str:
    return "SELECT 1 WHERE 1 IN (" + ",".join(str(i) for i in range(values)) + ")"


def _refusal(sql: str, bounds: InputBounds = BOUNDS) -> UnsafeSql:
    with pytest.raises(UnsafeSql) as refused:
        check_sql(sql, bounds)
    assert refused.value.code == ErrorCode.SQL_SECURITY
    return refused.value


def test_the_defaults_are_the_documented_limits() -> None:
    assert (BOUNDS.max_question_chars, BOUNDS.max_sql_bytes) == (10_000, 200_000)
    assert (BOUNDS.max_sql_tokens, BOUNDS.max_sql_depth, BOUNDS.max_sql_chain) == (20_000, 64, 200)
    assert MAX_BRACKET_DEPTH == 8


def test_a_statement_of_exactly_max_sql_bytes_passes_and_one_byte_more_is_refused() -> None:
    bounds = InputBounds(max_sql_bytes=1_000)
    at_limit = "SELECT '" + "x" * (1_000 - 9) + "'"

    check_sql(at_limit, bounds)
    refused = _refusal(at_limit + " ", bounds)

    assert len(at_limit) == 1_000
    assert refused.rule == "max_sql_bytes"
    assert "1,001 bytes" in refused.message
    assert "1,000" in refused.message


def test_bytes_are_counted_in_utf8_not_characters() -> None:
    bounds = InputBounds(max_sql_bytes=1_000)
    sql = "SELECT '" + "é" * 500 + "'"

    assert _refusal(sql, bounds).rule == "max_sql_bytes"


def test_an_operator_chain_at_the_limit_passes_and_one_more_is_refused() -> None:
    check_sql(_plus_chain(200), BOUNDS)
    refused = _refusal(_plus_chain(201))

    assert refused.rule == "max_sql_chain"
    assert "200" in refused.message


def test_chained_keywords_count_as_operators() -> None:
    sql = "SELECT 1 WHERE " + "NOT " * 201 + "true"

    assert _refusal(sql).rule == "max_sql_chain"


def test_nesting_at_the_depth_limit_passes_and_one_more_is_refused() -> None:
    check_sql(_parens(64), BOUNDS)
    refused = _refusal(_parens(65))

    assert refused.rule == "max_sql_depth"
    assert "64" in refused.message


def test_case_expressions_nest_like_parentheses() -> None:
    sql = "SELECT " + "CASE WHEN true THEN " * 65 + "1" + " END" * 65

    assert _refusal(sql).rule == "max_sql_depth"


def test_array_nesting_past_eight_is_refused_before_sqlglot_spends_seconds() -> None:
    check_sql(_arrays(8), BOUNDS)
    refused = _refusal(_arrays(9))

    assert refused.rule == "max_bracket_depth"
    assert "8" in refused.message


def test_a_token_count_at_the_limit_passes_and_past_it_is_refused() -> None:
    bounds = InputBounds(max_sql_tokens=1_000)
    # SELECT 1 WHERE 1 IN ( ... ) is 7 tokens beside the values and their commas.
    check_sql(_in_list(497), bounds)
    refused = _refusal(_in_list(498), bounds)

    assert refused.rule == "max_sql_tokens"
    assert "1,000 tokens" in refused.message


def test_an_in_list_of_five_thousand_values_is_within_the_defaults() -> None:
    check_sql(_in_list(5_000), BOUNDS)


@pytest.mark.parametrize(
    "hidden",
    [
        "E'\\'' ",  # an escaped quote in an E'' string does not end it
        "/* /* */ ' */ ",  # comments nest: the quote is inside the comment
        "1 +/* ' */ 1, ",  # a comment right after an operator still starts a comment
        "E'\\'' -- a newline continues an E'' string, escapes and all\n'\\'', ",
    ],
)
def test_quotes_and_comments_cannot_hide_nesting_from_the_scan(hidden: str) -> None:
    sql = "SELECT " + hidden + "ARRAY[" * 9 + "1" + "]" * 9

    assert _refusal(sql).rule == "max_bracket_depth"


def test_what_strings_and_comments_hold_never_counts() -> None:
    nested = "(" * 100 + "[" * 20 + "+" * 300
    sql = f"SELECT '{nested}', $q${nested}$q$, \"{nested}\" -- {nested}\n/* {nested} */"

    check_sql(sql, BOUNDS)


def test_commas_start_the_chain_again() -> None:
    items = ", ".join(_plus_chain(150).removeprefix("SELECT ") for _ in range(10))

    check_sql("SELECT " + items, BOUNDS)


def test_joins_and_set_operations_count_across_the_whole_statement() -> None:
    sql = " UNION ".join(["SELECT 1, 2"] * 202)

    assert _refusal(sql).rule == "max_sql_chain"


def test_the_policy_refuses_past_the_bounds_with_err_005_naming_the_rule() -> None:
    with pytest.raises(UnsafeSql) as refused:
        POLICY.check(_plus_chain(5_000))

    assert refused.value.rule == "max_sql_chain"


def test_a_statement_deep_enough_to_exhaust_the_stack_is_err_005_not_a_crash() -> None:
    # Within the configured bounds, but past what the parsers' recursion can hold.
    policy = SafetyPolicy(
        SafetyConfig(input_bounds=InputBounds(max_sql_depth=1_000, max_sql_chain=5_000))
    )

    with pytest.raises(UnsafeSql) as refused:
        policy.check("SELECT " + "(SELECT " * 400 + "1" + ")" * 400)

    assert refused.value.rule == "max_sql_depth"
    assert isinstance(refused.value.__cause__, RecursionError)


def test_a_question_at_the_limit_passes_and_one_character_more_is_err_008() -> None:
    check_question("x" * 10_000, BOUNDS)

    with pytest.raises(InvalidRequest) as refused:
        check_question("x" * 10_001, BOUNDS)

    assert refused.value.code == ErrorCode.INVALID_REQUEST
    assert "10,000" in refused.value.message


def test_an_argument_longer_than_any_question_or_statement_is_err_008() -> None:
    check_argument("x" * 200_000, BOUNDS)

    with pytest.raises(InvalidRequest) as refused:
        check_argument("x" * 200_001, BOUNDS)

    assert "200,000" in refused.value.message


def test_balanced_case_and_stray_closers_leave_the_depth_where_postgresql_would() -> None:
    closed = "CASE WHEN (1) THEN [1] END, " * 70
    stray = ")" * 70 + "END " * 70

    check_sql(f"SELECT {closed}1 {stray}  \n", BOUNDS)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("/* a */ x", 7),
        ("/* /* */ */x", 11),
        ("/*/ */ x", 6),  # the star of /*/ opens, it does not close
        ("/* /*/ */ */ x", 12),
        ("/* /* */*/ x", 10),  # nor does the star of */* open again
        ("/* never closed", 15),
    ],
)
def test_a_block_comment_ends_where_postgresql_ends_it(text: str, end: int) -> None:
    assert block_comment_end(text, 2) == end


def test_the_policy_tells_its_bounds() -> None:
    assert POLICY.input_bounds == BOUNDS
