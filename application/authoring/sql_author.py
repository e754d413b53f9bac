"""Drafts SQL for a question, proves it safe, and repairs it from PostgreSQL's errors."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from application.authoring.agreement import (
    CandidateReport,
    Probe,
    more_drafts,
    pick_by_agreement,
)
from application.authoring.gate_decisions import GateDecisions
from application.authoring.parameter_prompt import drafting_note
from application.authoring.prompts import drafting_conversation, repair_conversation
from application.authoring.sql_input import looks_like_sql, starts_like_sql
from application.authoring.sql_reply import SQL_DRAFT_SCHEMA, parse_sql_reply
from application.authoring.value_redaction import without_values
from application.progress import Progress, Stage, no_progress
from application.schema.name_hints import did_you_mean
from application.schema.prepared import PreparedSchema
from application.schema.retrieval.ranking import select_schema_context
from application.values.value_catalog import ValueCatalog
from domain.errors import InvalidRequest, SqlExecutionFailed, UnsafeSql
from domain.models import ChatMessage, Given, QueryResult, SqlDraft
from domain.ports import ChatModel
from domain.refusal_rules import RefusalRule
from domain.safety.checked import CheckedSql
from domain.safety.input_bounds import (
    check_argument,
    check_question,
    sql_bounds_violation,
    too_deep_to_check,
)
from domain.safety.placeholders import (
    PlacedSql,
    bind_placed,
    check_given,
    place_parameters,
)
from domain.safety.policy import SafetyPolicy

T = TypeVar("T")
Trial = Callable[[CheckedSql], Awaitable[T]]
# Asked for a newer schema when SQL names a relation the one in hand lacks; None: none newer.
Reload = Callable[[PreparedSchema], Awaitable[PreparedSchema | None]]

# Below this the gate takes a few milliseconds; above, up to about 0.3 s at the input bounds,
# which would stall every other call on the event loop (bench/safety.py measures both).
_INLINE_CHECK_CHARS = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class Authored(Generic[T]):
    """The SQL that finally passed, what the trial returned, and how many drafts it took."""

    checked: CheckedSql
    explanation: str
    outcome: T
    attempts: int
    candidates: CandidateReport | None = None


class SqlAuthor:
    """Turns a question (or SQL the caller wrote) into checked SQL that the database accepts.

    - SQL given by the caller is checked as it is; a question is drafted by the chat model.
    - A question past max_question_chars is ERR_008; SQL past the input bounds is ERR_005.
    - A statement longer than a few KB is checked in a worker thread, off the event loop.
    - The prompt holds the visible schema, pruned to what the question needs within the budget,
      and the columns holding values the question names (never a blocked column's).
    - Parameters are placed first (`:name` rewritten to `$n`); the rewritten text is checked, and
      PostgreSQL must read each placeholder as a value. Placeholders and values that do not
      match are ERR_008; a draft's go back to the model first, as PostgreSQL's 42P02 would.
    - The model sees the parameters' names and JSON types; their values only if show_values.
    - Every draft passes the safety policy, then the access policy; a refusal is final (ERR_005).
    - A SQL error never quotes a parameter's value (the value's name stands in for it).
    - When the trial fails with a SQL error, PostgreSQL's message goes back to the model, with
      the closest real names when it found none, at most max_repairs times.
    - With candidates > 1 and a probe, the first draft is one of that many; the one whose rows
      most others return (run on a few rows) goes on (application/candidates).
    """

    def __init__(
        self,
        *,
        chat_model: ChatModel,
        safety: SafetyPolicy,
        max_repairs: int,
        context_tokens: int,
        show_values: bool = False,
        values: ValueCatalog | None = None,
        candidates: int = 1,
    ) -> None:
        self._chat_model = chat_model
        self._safety = safety
        self._decisions = GateDecisions()
        self._max_repairs = max_repairs
        self._context_tokens = context_tokens
        self._show_values = show_values
        self._values = values
        self._candidates = candidates

    def check(self, placed: PlacedSql, schema: PreparedSchema) -> CheckedSql:
        """Run the safety and access policies over one statement; the result is runnable.

        Raises:
            UnsafeSql: either policy refused it, or a placeholder is not read as a value.
        """
        decided = self._decisions.get(placed.sql, schema)
        if decided is None:
            decided = self._decide(placed.sql, schema)
            self._decisions.put(placed.sql, schema, decided)
        return bind_placed(decided, placed)

    def _decide(self, sql: str, schema: PreparedSchema) -> CheckedSql:
        try:
            checked = schema.access.check(self._gate(sql, schema))
            if checked.runnable is None:
                # Stars were narrowed: the new text is judged afresh, as PostgreSQL reads it.
                checked = schema.access.check(self._gate(checked.sql, schema))
        except RecursionError as exc:  # the access policy walks the tree recursively too
            raise too_deep_to_check() from exc
        if checked.runnable is None:
            raise UnsafeSql(
                "the statement's stars could not be narrowed", rule=RefusalRule.BLOCKED_COLUMN
            )
        return checked

    def admit(self, text: str) -> None:
        """Refuse a text longer than any question or statement may be, before any work on it.

        Raises:
            InvalidRequest: past both max_question_chars and max_sql_bytes.
        """
        check_argument(text, self._safety.input_bounds)

    async def _checked(self, placed: PlacedSql, schema: PreparedSchema) -> CheckedSql:
        if len(placed.sql) <= _INLINE_CHECK_CHARS:
            return self.check(placed, schema)
        # mypyc-compiled sqlglot holds the GIL for long stretches, yet a worker thread still
        # lets the loop run between them: a small call beside a large one stays fast.
        return await asyncio.to_thread(self.check, placed, schema)

    def _gate(self, sql: str, schema: PreparedSchema) -> CheckedSql:
        """The safety policy, told what this database adds safely: extensions, enum types."""
        snapshot = schema.snapshot
        return self._safety.check(
            sql,
            extension_functions=snapshot.extension_functions,
            extra_types=frozenset(enum.name for enum in snapshot.enums),
        )

    async def _check_current(
        self, placed: PlacedSql, schema: PreparedSchema, reload: Reload | None
    ) -> tuple[CheckedSql, PreparedSchema]:
        """Check against the schema, or a newer one when the SQL names a relation it lacks.

        Raises:
            UnsafeSql: a policy refused it.
            SqlExecutionFailed: a relation is unknown even to a reloaded snapshot (42P01).
        """
        try:
            return await self._checked(placed, schema), schema
        except UnsafeSql as refusal:
            if refusal.rule is not RefusalRule.UNKNOWN_RELATION:
                raise
            unknown = refusal
        newer = await reload(schema) if reload is not None else None
        if newer is not None:
            try:
                return await self._checked(placed, newer), newer
            except UnsafeSql as refusal:
                if refusal.rule is not RefusalRule.UNKNOWN_RELATION:
                    raise
                unknown = refusal
        # What PostgreSQL itself would answer, so that the model can repair its draft.
        raise SqlExecutionFailed(unknown.message, sqlstate="42P01")

    async def author(
        self,
        text: str,
        schema: PreparedSchema,
        trial: Trial[T],
        progress: Progress = no_progress,
        reload: Reload | None = None,
        parameters: Given | None = None,
        probe: Probe | None = None,
        stop: Callable[[SqlExecutionFailed], bool] | None = None,
    ) -> Authored[T]:
        """Check SQL or draft it from the question, then run `trial`, repairing on SQL errors.

        parameters: the caller's values, by name for `:name` or by position for `$n`.
        probe runs a checked draft on a few rows, to choose among candidates; None: no choice.
        stop: an error it returns True for is raised at once, not repaired (another database
        holds the relation the draft names).
        """
        check_given(parameters)  # before a name reaches the model's prompt
        placed = await self._placed(text, parameters) if starts_like_sql(text) else None
        given = None if placed is None else await self._as_sql(placed, schema, progress, reload)
        if given is not None:
            checked, schema = given
            await progress(Stage.RUNNING)
            return Authored(
                checked=checked, explanation="", outcome=await _tried(trial, checked), attempts=0
            )
        check_question(text, self._safety.input_bounds)
        context = await self._context(schema, text)
        note = drafting_note(parameters, show_values=self._show_values)
        conversation = drafting_conversation(text + note, context)
        attempt = 0
        report = None
        while True:
            attempt += 1
            await progress(Stage.DRAFTING)
            draft = await self._draft(conversation)
            if attempt == 1 and self._candidates > 1 and probe is not None:
                draft, report = await self._pick(draft, conversation, schema, probe, parameters)
            await progress(Stage.CHECKING)
            try:
                placed = await self._placed_draft(draft.sql, parameters)
                checked, schema = await self._check_current(placed, schema, reload)
                await progress(Stage.RUNNING)
                outcome = await _tried(trial, checked)
            except SqlExecutionFailed as error:
                if attempt > self._max_repairs or (stop is not None and stop(error)):
                    mismatch = error.__cause__
                    if isinstance(mismatch, InvalidRequest):
                        raise mismatch from None  # still the caller's values: ERR_008
                    raise
                hint = did_you_mean(error.message, schema.visible)
                conversation = repair_conversation(conversation, draft, error, hint)
                continue
            return Authored(
                checked=checked,
                explanation=draft.explanation,
                outcome=outcome,
                attempts=attempt,
                candidates=report,
            )

    async def _pick(
        self,
        first: SqlDraft,
        conversation: list[ChatMessage],
        schema: PreparedSchema,
        probe: Probe,
        parameters: Given | None,
    ) -> tuple[SqlDraft, CandidateReport]:
        """Draft candidates - 1 more, side by side, and keep the one most drafts agree with."""
        more = await more_drafts(partial(self._draft, conversation), self._candidates - 1)
        drafts = [first, *more]

        async def check(sql: str) -> CheckedSql:
            return await self._checked(await self._placed_draft(sql, parameters), schema)

        async def run(checked: CheckedSql) -> QueryResult:
            return await _tried(probe, checked)

        return await pick_by_agreement(drafts, check, run)

    async def _context(self, schema: PreparedSchema, question: str) -> str:
        """The schema for the prompt, with the values the question names and their columns."""
        if self._values is None:
            return select_schema_context(schema.index, question, max_tokens=self._context_tokens)
        return await self._values.prompt_schema(schema, question, self._context_tokens)

    async def _as_sql(
        self, placed: PlacedSql, schema: PreparedSchema, progress: Progress, reload: Reload | None
    ) -> tuple[CheckedSql, PreparedSchema] | None:
        """The text checked as SQL, or None when it is prose that merely starts like SQL.

        The gate's own parse tells the two apart, so the text is parsed once, not once more to
        detect SQL (but for text the gate could not parse).
        """
        await progress(Stage.CHECKING)
        try:
            return await self._check_current(placed, schema, reload)
        except UnsafeSql as refusal:
            # `:name` is no SQL to PostgreSQL: the text is SQL when it parses once placed.
            if refusal.rule is RefusalRule.UNPARSEABLE and not looks_like_sql(
                placed.sql, self._safety.input_bounds
            ):
                return None
            raise

    async def _placed(self, sql: str, parameters: Given | None) -> PlacedSql:
        """Placeholders placed; a long text in a worker thread, as for its check."""
        if sql_bounds_violation(sql, self._safety.input_bounds) is not None:
            return PlacedSql(sql=sql)  # the gate refuses it unscanned, naming the limit
        if len(sql) <= _INLINE_CHECK_CHARS:
            return place_parameters(sql, parameters)
        return await asyncio.to_thread(place_parameters, sql, parameters)

    async def _placed_draft(self, sql: str, parameters: Given | None) -> PlacedSql:
        """The draft's placeholders placed; a mismatch goes back to the model as 42P02 would.

        Raises:
            SqlExecutionFailed: placeholders without values, or values without placeholders.
        """
        try:
            return await self._placed(sql, parameters)
        except InvalidRequest as mismatch:
            raise SqlExecutionFailed(mismatch.message, sqlstate="42P02") from mismatch

    async def _draft(self, conversation: list[ChatMessage]) -> SqlDraft:
        reply = await self._chat_model.complete(conversation, json_schema=SQL_DRAFT_SCHEMA)
        return parse_sql_reply(reply.text)


async def _tried(trial: Trial[T], checked: CheckedSql) -> T:
    """The trial's outcome; a SQL error comes without the values PostgreSQL quoted."""
    try:
        return await trial(checked)
    except SqlExecutionFailed as error:
        if not checked.arguments:
            raise
        raise without_values(error, checked.arguments) from None
