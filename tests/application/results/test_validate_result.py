import pytest

from adapters.memory.scripted_chat_model import ScriptedChatModel
from application.results.validation import ResultValidator, Validation
from domain.errors import ErrorCode, PgMcpError
from domain.models import ColumnInfo, QueryResult

QUESTION = "Which customers do we have?"
SQL = "SELECT name, email FROM customers ORDER BY name"
COLUMNS = (ColumnInfo(name="name", type="text"), ColumnInfo(name="email", type="text"))
ROWS = QueryResult(columns=COLUMNS, rows=(("Ada", "ada@example.com"), ("Bob", None)))
PASS = '{"answers_question": true, "reason": "It lists the customers."}'
FAIL = '{"answers_question": false, "reason": "It lists orders, not customers."}'


def validator(
    chat: ScriptedChatModel, *, enabled: bool = True, strict: bool = False
) -> ResultValidator:
    return ResultValidator(chat, enabled=enabled, strict=strict)


def codes(validation: Validation) -> list[str]:
    return [warning.code for warning in validation.warnings]


@pytest.mark.anyio
async def test_when_disabled_only_the_checks_run_and_the_model_is_never_asked() -> None:
    chat = ScriptedChatModel([PASS])
    empty = QueryResult(columns=COLUMNS, rows=())

    validation = await validator(chat, enabled=False).validate(QUESTION, SQL, empty, max_rows=10)

    assert codes(validation) == ["empty_result"]
    assert validation.verdict is None
    assert chat.conversations == []


@pytest.mark.anyio
async def test_disabled_validation_needs_no_chat_model() -> None:
    plain = ResultValidator(None, enabled=False, strict=True)

    validation = await plain.validate(QUESTION, SQL, ROWS, max_rows=2)

    assert codes(validation) == ["row_cap_reached"]


def test_enabled_validation_without_a_chat_model_is_refused_at_build_time() -> None:
    with pytest.raises(ValueError, match="chat model"):
        ResultValidator(None, enabled=True, strict=False)


@pytest.mark.anyio
async def test_a_passing_verdict_is_returned_with_its_reason() -> None:
    chat = ScriptedChatModel([PASS])

    validation = await validator(chat).validate(QUESTION, SQL, ROWS, max_rows=10)

    assert validation == Validation(warnings=(), verdict="pass", reason="It lists the customers.")
    assert len(chat.conversations) == 1
    assert QUESTION in chat.conversations[0][1].content


@pytest.mark.anyio
async def test_a_failing_verdict_is_a_warning_when_not_strict() -> None:
    chat = ScriptedChatModel([FAIL])

    validation = await validator(chat).validate(QUESTION, SQL, ROWS, max_rows=10)

    assert validation.verdict == "fail"
    assert validation.reason == "It lists orders, not customers."
    assert codes(validation) == ["judge_failed"]
    assert "It lists orders, not customers." in validation.warnings[0].message


@pytest.mark.anyio
async def test_a_failing_verdict_keeps_the_deterministic_warnings() -> None:
    chat = ScriptedChatModel(["No, nothing matched the filter."])
    empty = QueryResult(columns=COLUMNS, rows=())

    validation = await validator(chat).validate(QUESTION, SQL, empty, max_rows=10)

    assert codes(validation) == ["empty_result", "judge_failed"]


@pytest.mark.anyio
async def test_a_failing_verdict_is_err_007_when_strict() -> None:
    chat = ScriptedChatModel([FAIL])

    with pytest.raises(PgMcpError) as raised:
        await validator(chat, strict=True).validate(QUESTION, SQL, ROWS, max_rows=10)

    assert raised.value.code is ErrorCode.RESULT_VALIDATION


@pytest.mark.anyio
async def test_a_passing_verdict_is_not_an_error_when_strict() -> None:
    chat = ScriptedChatModel(["yes - the customers are listed"])

    validation = await validator(chat, strict=True).validate(QUESTION, SQL, ROWS, max_rows=10)

    assert validation.verdict == "pass"


@pytest.mark.anyio
async def test_a_reply_without_a_verdict_is_a_warning_and_no_failure_even_when_strict() -> None:
    chat = ScriptedChatModel(["I cannot tell from this."])

    validation = await validator(chat, strict=True).validate(QUESTION, SQL, ROWS, max_rows=10)

    assert validation.verdict is None
    assert codes(validation) == ["judge_no_verdict"]


@pytest.mark.anyio
async def test_a_failing_chat_model_does_not_fail_the_answer() -> None:
    chat = ScriptedChatModel([])  # no reply left: raises AIServiceUnavailable

    validation = await validator(chat).validate(QUESTION, SQL, ROWS, max_rows=10)

    assert validation.verdict is None
    assert codes(validation) == ["judge_unavailable"]


@pytest.mark.anyio
async def test_a_failing_chat_model_is_err_003_when_strict() -> None:
    chat = ScriptedChatModel([])

    with pytest.raises(PgMcpError) as raised:
        await validator(chat, strict=True).validate(QUESTION, SQL, ROWS, max_rows=10)

    assert raised.value.code is ErrorCode.AI_SERVICE


@pytest.mark.anyio
async def test_the_prompt_holds_at_most_sample_rows_rows() -> None:
    chat = ScriptedChatModel([PASS])
    many = QueryResult(columns=COLUMNS, rows=tuple((f"c-{i}", None) for i in range(50)))

    await ResultValidator(chat, enabled=True, strict=False, sample_rows=2).validate(
        QUESTION, SQL, many, max_rows=100
    )

    prompt = chat.conversations[0][1].content
    assert "c-1" in prompt
    assert "c-2" not in prompt
