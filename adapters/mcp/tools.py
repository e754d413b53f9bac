"""The three tools over the use cases, with the rate limit and error mapping beside them."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from adapters.mcp.observation import Unobserved
from adapters.mcp.output_models import ExplainReply, QueryReply, SchemaReply
from adapters.mcp.presenters import (
    present_answer,
    present_error,
    present_explanation,
    present_schema,
)
from adapters.mcp.query_options import parse_parameters
from adapters.mcp.request_scope import bind_request
from application.caller import current_caller
from application.messages import AnswerRequest, DescribeRequest, ExplainRequest
from application.progress import STAGES, Progress
from domain.errors import PgMcpError, SchemaLoadFailed, SqlExecutionFailed
from domain.ports import CallObserver, CallRecord

# The use cases bring the SQL parsers: a server answers its handshake before they load.
if TYPE_CHECKING:
    from application.answer_question import AnswerQuestion
    from application.describe_schema import DescribeSchema
    from application.explain_query import ExplainQuery

logger = logging.getLogger(__name__)

# Returns an awaitable when the count lives elsewhere (Redis), None when counted in memory.
Admit = Callable[[str], Awaitable[None] | None]

_QUESTION = "A question in plain language, or a SELECT"
_VALUES = (
    'Values apart from the SQL: an object {"name": value} for :name placeholders, '
    "or a list for $1..$n"
)


def admit_all(client_key: str) -> None:
    """Admits every call: no rate limit."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UseCases:
    """The use cases the tools call."""

    answer: "AnswerQuestion"
    explain: "ExplainQuery"
    describe: "DescribeSchema"


@dataclass(frozen=True, slots=True, kw_only=True)
class Backend:
    """What the tools call: the use cases, the rate limit and the observer of calls."""

    use_cases: UseCases
    admit: Admit = admit_all
    observer: CallObserver = field(default_factory=Unobserved)


# The backend once it is built: a stdio server answers its handshake while it is still loading.
# Raises PgMcpError when it could not be built; the tool answers with that error's code.
Ready = Callable[[], Awaitable[Backend]]


def ready_now(backend: Backend) -> Ready:
    """A backend that is already built."""

    async def ready() -> Backend:
        return backend

    return ready


class Tools:
    """query, explain and get_schema: each admitted, observed, and answered in one shape.

    A PgMcpError is answered with its code. Anything else is a bug: it is logged with its
    traceback and cause, and the client still gets a coded error (ERR_006, or ERR_002 for
    get_schema), never a bare exception text.
    """

    def __init__(self, ready: Ready) -> None:
        self._ready = ready

    async def query(
        self,
        query: Annotated[str, Field(description=_QUESTION)],
        ctx: Context[Any, Any],
        return_mode: Literal["result", "sql"] = "result",
        database: str | None = None,
        parameters: Annotated[dict[str, Any] | list[Any] | None, Field(description=_VALUES)] = None,
        max_rows: Annotated[int | None, Field(description="Return at most this many rows")] = None,
    ) -> Annotated[CallToolResult, QueryReply]:
        """Answer a question about a PostgreSQL database with rows.

        `query` is a question in plain language (or a SELECT you wrote). The server writes the
        SQL, checks it is read-only and safe, runs it with limits and returns columns and rows.
        return_mode="sql" returns the checked SQL without running it. `database` picks one of
        the configured databases. `max_rows` returns fewer rows than the server's cap.
        `parameters` passes values apart from the text, e.g. {"customer_id": 42}: a question
        or SELECT refers to them as :customer_id (or, with a list, a SELECT as $1, $2).
        PostgreSQL binds them, so a value is never read as SQL; the SQL comes back with $n
        placeholders and `parameters` naming the value of each.
        """

        async def answer(use_cases: UseCases, record: CallRecord) -> CallToolResult:
            request = AnswerRequest(
                question=query,
                database=database,
                return_mode=return_mode,
                max_rows=max_rows,
                parameters=parse_parameters(parameters),
            )
            done = await use_cases.answer.execute(request, _progress(ctx, record))
            rows = done.result.row_count if done.result is not None else None
            record.finish(
                code=None, rows=rows, attempts=done.attempts, sql=done.sql, database=done.database
            )
            return present_answer(done)

        internal = SqlExecutionFailed("Internal error")
        return await self._guarded(ctx, ("query", database, query), answer, internal)

    async def explain(
        self,
        query: Annotated[str, Field(description=_QUESTION)],
        ctx: Context[Any, Any],
        database: str | None = None,
        parameters: Annotated[dict[str, Any] | list[Any] | None, Field(description=_VALUES)] = None,
    ) -> Annotated[CallToolResult, ExplainReply]:
        """Show how PostgreSQL would run the SQL for a question, without running it.

        Returns the checked SQL, the planner's estimated cost and rows, and a readable plan.
        Use it to judge whether a question is expensive before asking it with `query`.
        `parameters` are bound as for `query`, so the plan is the one for those values.
        """

        async def plan(use_cases: UseCases, record: CallRecord) -> CallToolResult:
            request = ExplainRequest(
                question=query, database=database, parameters=parse_parameters(parameters)
            )
            explanation = await use_cases.explain.execute(request, _progress(ctx, record))
            record.finish(code=None, sql=explanation.sql, database=explanation.database)
            return present_explanation(explanation)

        internal = SqlExecutionFailed("Internal error")
        return await self._guarded(ctx, ("explain", database, query), plan, internal)

    async def get_schema(
        self,
        ctx: Context[Any, Any],
        refresh: bool = False,
        format: Literal["summary", "detailed", "ddl"] = "summary",
        database: str | None = None,
    ) -> Annotated[CallToolResult, SchemaReply]:
        """List the tables, views, columns and keys of a database.

        format="summary" gives one line per table; "detailed" adds columns, keys and comments;
        "ddl" gives CREATE statements. refresh=True reloads the schema from the database.
        """

        async def describe(use_cases: UseCases, record: CallRecord) -> CallToolResult:
            request = DescribeRequest(database=database, format=format, refresh=refresh)
            await record.stage("schema")
            described = await use_cases.describe.execute(request)
            record.finish(code=None)
            return present_schema(described)

        internal = SchemaLoadFailed("Internal error")
        return await self._guarded(ctx, ("get_schema", database, None), describe, internal)

    async def _guarded(
        self,
        ctx: Context[Any, Any],
        call: tuple[str, str | None, str | None],
        body: Callable[[UseCases, CallRecord], Awaitable[CallToolResult]],
        internal: PgMcpError,
    ) -> CallToolResult:
        """Run a tool body bound to its request and admitted by the limiter; code every failure.

        `call` is the tool's name, the database asked for and the question, for the record.
        """
        try:
            backend = await self._ready()
        except PgMcpError as error:  # the server could not start: nothing to record it with
            return present_error(error)
        tool, database, question = call
        record = backend.observer.start(tool, database, question=question, request_id=_id(ctx))
        with bind_request(ctx):
            try:
                admitted = backend.admit(_client_key())
                if admitted is not None:
                    await admitted
                return await body(backend.use_cases, record)
            except PgMcpError as error:
                return _failed(record, error)
            except Exception:
                # The one catch-all: whatever went wrong still reaches the client as a coded error.
                logger.exception("tool call %s failed unexpectedly", ctx.request_id)
                return _failed(record, internal)


def _failed(record: CallRecord, error: PgMcpError) -> CallToolResult:
    record.finish(code=error.code)
    return present_error(error)


def _id(ctx: Context[Any, Any]) -> str:
    return str(ctx.request_id)


def _client_key() -> str:
    """The rate-limit key of the calling client: its authenticated subject over HTTP.

    A stdio server process serves exactly one client, and this SDK builds a new session object
    per request (no stable session identity to key on), so the window is the process's own.
    """
    caller = current_caller()
    return "stdio-client" if caller is None else f"subject:{caller.subject}"


def _progress(ctx: Context[Any, Any], record: CallRecord) -> Progress:
    async def report(stage: str) -> None:
        await record.stage(stage)
        step = STAGES.index(stage) + 1 if stage in STAGES else 0
        await ctx.report_progress(step, len(STAGES), stage)

    return report
