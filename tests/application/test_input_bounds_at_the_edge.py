"""Questions and statements past the input bounds are refused before any model, parser or query."""

from collections.abc import Awaitable

import pytest

from application.authoring.sql_input import looks_like_sql, starts_like_sql
from application.messages import AnswerRequest, ExplainRequest
from domain.errors import ErrorCode, PgMcpError
from domain.models import ColumnInfo, QueryResult
from domain.safety.input_bounds import InputBounds
from tests.application.shop import build_world

ONE = QueryResult(columns=(ColumnInfo(name="n", type="integer"),), rows=((1,),))
CHAIN = "SELECT " + "+".join(["1"] * 5_001)


async def _refusal(call: Awaitable[object]) -> PgMcpError:
    with pytest.raises(PgMcpError) as refused:
        await call
    return refused.value


@pytest.mark.anyio
async def test_a_question_past_the_limit_is_err_008_and_never_reaches_the_model() -> None:
    world = build_world(["SELECT 1"], {})

    refused = await _refusal(world.answer.execute(AnswerRequest(question="why " * 2_501)))

    assert refused.code == ErrorCode.INVALID_REQUEST
    assert "10,000" in refused.message
    assert world.chat.conversations == []


@pytest.mark.anyio
async def test_a_question_at_the_limit_is_drafted() -> None:
    sql = "SELECT 1 AS n"
    world = build_world([sql], {sql: ONE})

    await world.answer.execute(AnswerRequest(question="why " * 2_499 + "now"))

    assert len(world.chat.conversations) == 1


@pytest.mark.anyio
async def test_a_chain_of_five_thousand_operators_is_err_005_naming_the_limit() -> None:
    world = build_world([], {})

    refused = await _refusal(world.answer.execute(AnswerRequest(question=CHAIN)))

    assert refused.code == ErrorCode.SQL_SECURITY
    assert refused.details() == {"rule": "max_sql_chain"}
    assert world.database.executed == []


@pytest.mark.anyio
async def test_a_megabyte_argument_is_err_008_for_explain_too() -> None:
    world = build_world([], {})

    refused = await _refusal(world.explain.execute(ExplainRequest(question="SELECT " * 150_000)))

    assert refused.code == ErrorCode.INVALID_REQUEST
    assert "200,000" in refused.message


@pytest.mark.anyio
async def test_a_model_draft_past_the_bounds_is_refused_like_the_callers_sql() -> None:
    world = build_world([CHAIN], {})

    refused = await _refusal(world.answer.execute(AnswerRequest(question="add up ones")))

    assert refused.code == ErrorCode.SQL_SECURITY
    assert refused.details() == {"rule": "max_sql_chain"}


@pytest.mark.anyio
async def test_an_in_list_of_five_thousand_values_is_checked_and_run() -> None:
    sql = "SELECT 1 AS n FROM customers WHERE id IN (" + ",".join(map(str, range(5_000))) + ")"
    world = build_world([], {sql: ONE})

    answer = await world.answer.execute(AnswerRequest(question=sql))

    assert answer.result == ONE
    assert world.database.executed == [sql.replace("FROM customers", 'FROM "public".customers')]


def test_prose_that_starts_with_a_sql_word_is_a_question() -> None:
    assert not looks_like_sql("Select the five best customers", InputBounds())


def test_sql_past_the_bounds_is_recognised_as_sql_without_parsing_it() -> None:
    assert looks_like_sql(CHAIN, InputBounds())


def test_a_chain_that_crashed_pglasts_tree_builder_is_read_safely_within_wide_bounds() -> None:
    wide = InputBounds(max_sql_chain=1_000_000, max_sql_tokens=1_000_000)

    assert not looks_like_sql("SELECT " + "+".join(["1"] * 30_000), wide)


def test_many_leading_comments_are_skipped_to_the_first_word() -> None:
    assert starts_like_sql("--\n" * 100_000 + "/* a /* b */ */ SELECT 1")
    assert not starts_like_sql("--\n" * 100_000 + "how many?")
