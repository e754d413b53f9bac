"""Use case: answer a question with rows (or only the SQL)."""

from functools import partial

from application.authoring.agreement import PROBE_ROWS
from application.authoring.parameter_prompt import judging_note
from application.authoring.sql_author import SqlAuthor
from application.messages import Answer, AnswerRequest
from application.progress import Progress, Stage, no_progress
from application.results.validation import ResultValidator
from application.routing.chosen import Chosen, with_fallback
from application.routing.database_choice import DatabaseChoice
from domain.errors import InvalidRequest
from domain.models import QueryPlan, QueryResult
from domain.safety.checked import CheckedSql


class AnswerQuestion:
    """Answers a natural-language question about a database.

    - The question must not be empty; max_rows is capped by PG_MCP_MAX_RESULT_ROWS.
    - A text longer than PG_MCP_MAX_QUESTION_CHARS and PG_MCP_MAX_SQL_BYTES is refused first.
    - The schema comes from the catalog (cached for PG_MCP_SCHEMA_CACHE_TTL); with several
      databases and none named, the question goes to the one whose schema fits it best, or to
      another that holds a relation the first lacks; every answer and error says which and why.
    - The SQL is drafted, checked by the safety and access policies, and repaired from errors.
    - Parameters travel apart from the SQL and are bound by PostgreSQL; the judge sees their
      names and types, and their values only when show_parameter_values.
    - In "sql" mode the SQL is validated by the planner (EXPLAIN) but never run.
    - With PG_MCP_CANDIDATES > 1 (result mode), that many drafts are run on a few rows and the
      one most agree with answers; the answer reports what that cost.
    - Rows are fetched read-only, at most max_rows, with the query timeout.
    - The rows are checked (empty, all-NULL columns, cap reached) and, when enabled, judged by
      the model against the question; a failing verdict is a warning, or ERR_007 when strict.
    """

    def __init__(
        self,
        *,
        choice: DatabaseChoice,
        author: SqlAuthor,
        validator: ResultValidator,
        max_rows: int,
        timeout: float,
        show_parameter_values: bool = False,
    ) -> None:
        self._choice = choice
        self._author = author
        self._validator = validator
        self._max_rows = max_rows
        self._timeout = timeout
        self._show_values = show_parameter_values

    async def execute(self, request: AnswerRequest, progress: Progress = no_progress) -> Answer:
        """Answer the question.

        Raises:
            InvalidRequest, UnsafeSql, SqlGenerationFailed, SqlExecutionFailed, QueryTimedOut,
            AIServiceUnavailable, DatabaseUnavailable, SchemaLoadFailed, ResultValidationFailed.
        """
        question = request.question.strip()
        if not question:
            raise InvalidRequest("The question is empty")
        self._author.admit(question)
        max_rows = self._row_cap(request.max_rows)
        await progress(Stage.SCHEMA)
        chosen = await self._choice.choose(request.database, question)
        return await with_fallback(
            chosen, lambda c: self._answer(c, request, question, max_rows, progress)
        )

    async def _answer(
        self,
        chosen: Chosen,
        request: AnswerRequest,
        question: str,
        max_rows: int,
        progress: Progress,
    ) -> Answer:
        database, schema = chosen.database, chosen.schema

        async def run(checked: CheckedSql) -> QueryResult | QueryPlan:
            values = checked.arguments
            if request.return_mode == "sql":
                return await database.explain(
                    checked.to_run, timeout=self._timeout, parameters=values
                )
            return await database.fetch(
                checked.to_run, max_rows=max_rows, timeout=self._timeout, parameters=values
            )

        async def probe(checked: CheckedSql) -> QueryResult:
            return await database.fetch(
                checked.to_run,
                max_rows=PROBE_ROWS,
                timeout=self._timeout,
                parameters=checked.arguments,
            )

        authored = await self._author.author(
            question,
            schema,
            run,
            progress,
            reload=partial(self._choice.reload, database),
            parameters=request.parameters,
            probe=probe if request.return_mode == "result" else None,
            stop=lambda error: chosen.elsewhere(error) is not None,
        )
        arguments = authored.checked.arguments
        result = authored.outcome if isinstance(authored.outcome, QueryResult) else None
        validation = None
        if result is not None:
            note = judging_note(arguments, show_values=self._show_values)
            validation = await self._validator.validate(
                question + note, authored.checked.sql, result, max_rows=max_rows
            )
        return Answer(
            database=database.name,
            sql=authored.checked.sql,
            explanation=authored.explanation,
            result=result,
            attempts=authored.attempts,
            validation=validation,
            parameters=tuple(parameter.name for parameter in arguments),
            routing=chosen.routing.reply(),
            candidates=None if authored.candidates is None else authored.candidates.as_json(),
        )

    def _row_cap(self, requested: int | None) -> int:
        if requested is None:
            return self._max_rows
        if requested < 1:
            raise InvalidRequest("max_rows must be at least 1")
        return min(requested, self._max_rows)
