"""Checks a fetched result: deterministic warnings, then (when enabled) the chat model's verdict."""

import logging
from dataclasses import dataclass
from typing import Literal

from application.results.checks import ResultWarning, check_result
from application.results.judge import ResultJudge
from domain.errors import AIServiceUnavailable, ResultValidationFailed
from domain.models import QueryResult
from domain.ports import ChatModel

logger = logging.getLogger(__name__)

JUDGE_FAILED = "judge_failed"
JUDGE_UNAVAILABLE = "judge_unavailable"
JUDGE_NO_VERDICT = "judge_no_verdict"

Verdict = Literal["pass", "fail"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Validation:
    """What the checks found; verdict is None when the judge was off or gave none."""

    warnings: tuple[ResultWarning, ...] = ()
    verdict: Verdict | None = None
    reason: str = ""


class ResultValidator:
    """Validates a result before it is shown.

    - The deterministic checks always run: empty result, all-NULL columns, row cap reached.
    - When enabled (PG_MCP_RESULT_VALIDATION_ENABLED), the chat model judges a sample of rows.
    - A "does not answer" verdict is a warning, or ERR_007 in strict mode.
    - A failing chat model is a warning, or ERR_003 in strict mode; a reply with no verdict is
      a warning in both modes.
    """

    def __init__(
        self,
        chat_model: ChatModel | None,
        *,
        enabled: bool,
        strict: bool,
        sample_rows: int = 5,
    ) -> None:
        if enabled and chat_model is None:
            raise ValueError("Result validation is enabled but no chat model was given")
        self._judge = (
            ResultJudge(chat_model, sample_rows=sample_rows)
            if enabled and chat_model is not None
            else None
        )
        self._strict = strict

    async def validate(
        self,
        question: str,
        sql: str,
        result: QueryResult,
        *,
        max_rows: int,
    ) -> Validation:
        """The warnings and verdict for `result`, fetched with `max_rows` as its cap.

        Raises:
            ResultValidationFailed: strict mode and the judge says the result does not answer.
            AIServiceUnavailable: strict mode and the chat model failed while judging.
        """
        warnings = check_result(result, max_rows=max_rows)
        if self._judge is None:
            return Validation(warnings=warnings)
        try:
            verdict = await self._judge.judge(question, sql, result)
        except AIServiceUnavailable:
            if self._strict:
                raise
            logger.warning("The chat model failed while judging a result")
            return Validation(warnings=(*warnings, _unavailable()))
        if verdict is None:
            return Validation(warnings=(*warnings, _no_verdict()))
        if verdict.answers_question:
            return Validation(warnings=warnings, verdict="pass", reason=verdict.reason)
        if self._strict:
            raise ResultValidationFailed(
                f"{ResultValidationFailed.default_message}: {verdict.reason or 'no reason given'}"
            )
        failed = ResultWarning(code=JUDGE_FAILED, message=_failed_message(verdict.reason))
        return Validation(warnings=(*warnings, failed), verdict="fail", reason=verdict.reason)


def _failed_message(reason: str) -> str:
    message = "The result may not answer the question"
    return f"{message}: {reason}" if reason else f"{message}."


def _unavailable() -> ResultWarning:
    return ResultWarning(
        code=JUDGE_UNAVAILABLE,
        message="The result could not be checked by the AI model; it is shown unchecked.",
    )


def _no_verdict() -> ResultWarning:
    return ResultWarning(
        code=JUDGE_NO_VERDICT,
        message="The AI model gave no clear verdict on the result; it is shown unchecked.",
    )
