"""Drafts SQL for a question, proves it safe, and repairs it from PostgreSQL's errors."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from application.gate_decisions import GateDecisions
from application.name_hints import did_you_mean
from application.progress import Progress, no_progress
from application.prompts import drafting_conversation, repair_conversation
from application.schema_ranking import select_schema_context
from application.sql_input import looks_like_sql, starts_like_sql
from application.sql_reply import SQL_DRAFT_SCHEMA, parse_sql_reply
from application.visible_schemas import VisibleSchemas
from domain.access.policy import AccessPolicy
from domain.access.refusals import UNKNOWN_RELATION
from domain.errors import SqlExecutionFailed, UnsafeSql
from domain.models import ChatMessage, SchemaSnapshot, SqlDraft
from domain.ports import ChatModel
from domain.safety.checked import CheckedSql
from domain.safety.input_bounds import check_argument, check_question, too_deep_to_check
from domain.safety.policy import UNPARSEABLE, SafetyPolicy

T = TypeVar("T")
Trial = Callable[[CheckedSql], Awaitable[T]]
# Asked for a newer snapshot when SQL names a relation the one in hand lacks; None: none newer.
Reload = Callable[[SchemaSnapshot], Awaitable[SchemaSnapshot | None]]

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


class SqlAuthor:
    """Turns a question (or SQL the caller wrote) into checked SQL that the database accepts.

    - SQL given by the caller is checked as it is; a question is drafted by the chat model.
    - A question past max_question_chars is ERR_008; SQL past the input bounds is ERR_005.
    - A statement longer than a few KB is checked in a worker thread, off the event loop.
    - The prompt holds the visible schema, pruned to what the question needs within the budget.
    - Every draft passes the safety policy, then the access policy; a refusal is final (ERR_005).
    - When the trial fails with a SQL error, PostgreSQL's message goes back to the model, with
      the closest real names when it found none, at most max_repairs times.
    """

    def __init__(
        self,
        *,
        chat_model: ChatModel,
        safety: SafetyPolicy,
        visible: VisibleSchemas,
        max_repairs: int,
        context_tokens: int,
    ) -> None:
        self._chat_model = chat_model
        self._safety = safety
        self._visible = visible
        self._access = AccessPolicy(visible.rules)
        self._decisions = GateDecisions()
        self._max_repairs = max_repairs
        self._context_tokens = context_tokens

    def check(self, sql: str, snapshot: SchemaSnapshot) -> CheckedSql:
        """Run the safety and access policies over one statement; the result is runnable.

        Raises:
            UnsafeSql: either policy refused it.
        """
        decided = self._decisions.get(sql, snapshot)
        if decided is not None:
            return decided
        checked = self._check(sql, snapshot)
        self._decisions.put(sql, snapshot, checked)
        return checked

    def _check(self, sql: str, snapshot: SchemaSnapshot) -> CheckedSql:
        try:
            checked = self._access.check(self._gate(sql, snapshot), snapshot)
            if checked.runnable is None:
                # Stars were narrowed: the new text is judged afresh, as PostgreSQL reads it.
                checked = self._access.check(self._gate(checked.sql, snapshot), snapshot)
        except RecursionError as exc:  # the access policy walks the tree recursively too
            raise too_deep_to_check() from exc
        if checked.runnable is None:
            raise UnsafeSql("the statement's stars could not be narrowed", rule="blocked_column")
        return checked

    def admit(self, text: str) -> None:
        """Refuse a text longer than any question or statement may be, before any work on it.

        Raises:
            InvalidRequest: past both max_question_chars and max_sql_bytes.
        """
        check_argument(text, self._safety.input_bounds)

    async def _checked(self, sql: str, snapshot: SchemaSnapshot) -> CheckedSql:
        if len(sql) <= _INLINE_CHECK_CHARS:
            return self.check(sql, snapshot)
        # mypyc-compiled sqlglot holds the GIL for long stretches, yet a worker thread still
        # lets the loop run between them: a small call beside a large one stays fast.
        return await asyncio.to_thread(self.check, sql, snapshot)

    def _gate(self, sql: str, snapshot: SchemaSnapshot) -> CheckedSql:
        """The safety policy, told what this database adds safely: extensions, enum types."""
        return self._safety.check(
            sql,
            extension_functions=snapshot.extension_functions,
            extra_types=frozenset(enum.name for enum in snapshot.enums),
        )

    async def _check_current(
        self, sql: str, snapshot: SchemaSnapshot, reload: Reload | None
    ) -> tuple[CheckedSql, SchemaSnapshot]:
        """Check against the snapshot, or a newer one when the SQL names a relation it lacks.

        Raises:
            UnsafeSql: a policy refused it.
            SqlExecutionFailed: a relation is unknown even to a reloaded snapshot (42P01).
        """
        try:
            return await self._checked(sql, snapshot), snapshot
        except UnsafeSql as refusal:
            if refusal.rule != UNKNOWN_RELATION:
                raise
            unknown = refusal
        newer = await reload(snapshot) if reload is not None else None
        if newer is not None:
            try:
                return await self._checked(sql, newer), newer
            except UnsafeSql as refusal:
                if refusal.rule != UNKNOWN_RELATION:
                    raise
                unknown = refusal
        # What PostgreSQL itself would answer, so that the model can repair its draft.
        raise SqlExecutionFailed(unknown.message, sqlstate="42P01")

    async def author(
        self,
        text: str,
        snapshot: SchemaSnapshot,
        trial: Trial[T],
        progress: Progress = no_progress,
        reload: Reload | None = None,
    ) -> Authored[T]:
        """Check SQL or draft it from the question, then run `trial`, repairing on SQL errors."""
        given = await self._check_given(text, snapshot, progress, reload)
        if given is not None:
            checked, snapshot = given
            await progress("running")
            return Authored(
                checked=checked, explanation="", outcome=await trial(checked), attempts=0
            )
        check_question(text, self._safety.input_bounds)
        visible = self._visible.of(snapshot)
        context = select_schema_context(visible, text, max_tokens=self._context_tokens)
        conversation = drafting_conversation(text, context)
        attempt = 0
        while True:
            attempt += 1
            await progress("drafting")
            draft = await self._draft(conversation)
            await progress("checking")
            try:
                checked, snapshot = await self._check_current(draft.sql, snapshot, reload)
                await progress("running")
                outcome = await trial(checked)
            except SqlExecutionFailed as error:
                if attempt > self._max_repairs:
                    raise
                hint = did_you_mean(error.message, visible)
                conversation = repair_conversation(conversation, draft, error, hint)
                continue
            return Authored(
                checked=checked, explanation=draft.explanation, outcome=outcome, attempts=attempt
            )

    async def _check_given(
        self, text: str, snapshot: SchemaSnapshot, progress: Progress, reload: Reload | None
    ) -> tuple[CheckedSql, SchemaSnapshot] | None:
        """The text checked as SQL, or None when it is prose that merely starts like SQL.

        The gate's own parse tells the two apart: the text is parsed once, not once more to
        detect SQL, except when the gate could not parse it.
        """
        if not starts_like_sql(text):
            return None
        await progress("checking")
        try:
            return await self._check_current(text, snapshot, reload)
        except UnsafeSql as refusal:
            if refusal.rule == UNPARSEABLE and not looks_like_sql(text, self._safety.input_bounds):
                return None
            raise

    async def _draft(self, conversation: list[ChatMessage]) -> SqlDraft:
        reply = await self._chat_model.complete(conversation, json_schema=SQL_DRAFT_SCHEMA)
        return parse_sql_reply(reply.text)
