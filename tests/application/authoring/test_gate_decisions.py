"""A repeated statement is judged once per prepared schema and policy, never across them."""

from dataclasses import replace

import pytest

from adapters.memory.scripted_chat_model import ScriptedChatModel
from application.authoring.gate_decisions import GateDecisions
from application.authoring.sql_author import SqlAuthor
from application.messages import AnswerRequest
from application.schema.prepared import PreparedSchema
from domain.access.rules import AccessRules
from domain.errors import ErrorCode, UnsafeSql
from domain.refusal_rules import RefusalRule
from domain.safety.checked import SafetyConfig
from domain.safety.placeholders import PlacedSql
from domain.safety.policy import SafetyPolicy
from tests.application.shop import SHOP, build_world
from tests.application.test_answer_question import ROWS, TOP

PASSWORDS = "SELECT password FROM users"


PREPARED = PreparedSchema(SHOP, AccessRules())


def author() -> SqlAuthor:
    return SqlAuthor(
        chat_model=ScriptedChatModel([]),
        safety=SafetyPolicy(SafetyConfig()),
        max_repairs=0,
        context_tokens=6000,
    )


def test_a_repeated_statement_gets_the_decision_made_the_first_time() -> None:
    judge = author()

    first = judge.check(PlacedSql(sql=TOP), PREPARED)
    again = judge.check(PlacedSql(sql=TOP), PREPARED)

    assert again == first
    assert again.tree is first.tree  # the same parse: the text was not read again
    assert first.to_run == 'SELECT name FROM "public".customers ORDER BY name LIMIT 2'


def test_a_statement_passed_before_a_schema_reload_is_judged_again_after_it() -> None:
    judge = author()
    judge.check(PlacedSql(sql=TOP), PREPARED)
    reloaded = replace(SHOP, tables=tuple(t for t in SHOP.tables if t.name != "customers"))

    with pytest.raises(UnsafeSql) as caught:
        judge.check(PlacedSql(sql=TOP), PreparedSchema(reloaded, AccessRules()))

    assert caught.value.rule is RefusalRule.UNKNOWN_RELATION
    assert judge.check(PlacedSql(sql=TOP), PREPARED).to_run.endswith("LIMIT 2")


def test_a_statement_one_policy_passed_is_refused_under_a_policy_that_blocks_it() -> None:
    judge = author()
    judge.check(PlacedSql(sql=PASSWORDS), PREPARED)
    strict = AccessRules.from_names(enabled=True, blocked_columns=("users.password",))

    with pytest.raises(UnsafeSql) as caught:
        judge.check(PlacedSql(sql=PASSWORDS), PreparedSchema(SHOP, strict))

    assert caught.value.code is ErrorCode.SQL_SECURITY


def test_the_least_recently_used_decision_goes_first_past_the_size() -> None:
    decisions = GateDecisions(size=2)
    checked = author().check(PlacedSql(sql=TOP), PREPARED)
    for sql in ("a", "b", "c"):
        decisions.put(sql, PREPARED, checked)

    assert [decisions.get(sql, PREPARED) for sql in ("a", "b", "c")] == [None, checked, checked]


@pytest.mark.anyio
async def test_prose_that_starts_like_sql_still_goes_to_the_model() -> None:
    world = build_world([TOP], {TOP: ROWS})

    answer = await world.answer.execute(AnswerRequest(question="Select the two first customers"))

    assert answer.sql == TOP
    assert len(world.chat.conversations) == 1
