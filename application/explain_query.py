"""Use case: show the plan PostgreSQL would use for a question's SQL."""

from functools import partial

from application.authoring.sql_author import SqlAuthor
from application.messages import ExplainRequest, Explanation
from application.progress import Progress, Stage, no_progress
from application.routing.chosen import Chosen, with_fallback
from application.routing.database_choice import DatabaseChoice
from domain.errors import InvalidRequest
from domain.models import QueryPlan
from domain.safety.checked import CheckedSql


class ExplainQuery:
    """Explains how PostgreSQL would run the SQL for a question.

    - The SQL is drafted and checked exactly as for an answer, within the same input bounds.
    - EXPLAIN (FORMAT JSON) runs without ANALYZE: the statement itself never runs.
    - Routed as an answer is, falling back to the database that holds a relation the draft
      names; errors say which database and, when routed, why.
    - Parameters are bound as for an answer, so the plan is the one for these values.
    """

    def __init__(
        self,
        *,
        choice: DatabaseChoice,
        author: SqlAuthor,
        timeout: float,
    ) -> None:
        self._choice = choice
        self._author = author
        self._timeout = timeout

    async def execute(
        self, request: ExplainRequest, progress: Progress = no_progress
    ) -> Explanation:
        """Draft, check and explain.

        Raises:
            InvalidRequest, UnsafeSql, SqlGenerationFailed, SqlExecutionFailed, QueryTimedOut,
            AIServiceUnavailable, DatabaseUnavailable, SchemaLoadFailed.
        """
        question = request.question.strip()
        if not question:
            raise InvalidRequest("The question is empty")
        self._author.admit(question)
        await progress(Stage.SCHEMA)
        chosen = await self._choice.choose(request.database, question)
        return await with_fallback(chosen, lambda c: self._explain(c, request, question, progress))

    async def _explain(
        self, chosen: Chosen, request: ExplainRequest, question: str, progress: Progress
    ) -> Explanation:
        database, schema = chosen.database, chosen.schema

        async def plan(checked: CheckedSql) -> QueryPlan:
            return await database.explain(
                checked.to_run, timeout=self._timeout, parameters=checked.arguments
            )

        authored = await self._author.author(
            question,
            schema,
            plan,
            progress,
            reload=partial(self._choice.reload, database),
            parameters=request.parameters,
            stop=lambda error: chosen.elsewhere(error) is not None,
        )
        return Explanation(
            database=database.name,
            sql=authored.checked.sql,
            plan=authored.outcome,
            parameters=tuple(parameter.name for parameter in authored.checked.arguments),
            routing=chosen.routing.reply(),
        )
