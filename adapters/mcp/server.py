"""The MCP server: three read-only tools over the use cases, errors in one shape."""

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import Field, ValidationError

from adapters.mcp.observation import CallObserver, CallRecord, MetricsText, Unobserved
from adapters.mcp.output_models import ExplainReply, QueryReply, SchemaReply
from adapters.mcp.presenters import (
    present_answer,
    present_error,
    present_explanation,
    present_schema,
)
from adapters.mcp.query_options import parse_parameters
from adapters.mcp.request_scope import bind_request
from application.answer_question import AnswerQuestion, AnswerRequest
from application.caller import current_caller
from application.describe_schema import DescribeRequest, DescribeSchema
from application.explain_query import ExplainQuery, ExplainRequest
from application.progress import STAGES, Progress
from domain.errors import InvalidRequest, PgMcpError, SchemaLoadFailed, SqlExecutionFailed

logger = logging.getLogger(__name__)

_Tool = TypeVar("_Tool", bound=Callable[..., Any])
_READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

INSTRUCTIONS = """\
pg-mcp answers questions about PostgreSQL databases with read-only SQL.
Call get_schema first to see the tables; then query with a question in plain language (or a
SELECT you wrote). Every statement is checked and runs read-only with row and time limits."""


# Returns an awaitable when the count lives elsewhere (Redis), None when counted in memory.
Admit = Callable[[str], Awaitable[None] | None]

_VALUES = (
    'Values apart from the SQL: an object {"name": value} for :name placeholders, '
    "or a list for $1..$n"
)


def admit_all(client_key: str) -> None:
    """Admits every call: no rate limit."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UseCases:
    """The use cases the tools call."""

    answer: AnswerQuestion
    explain: ExplainQuery
    describe: DescribeSchema


class PgMcpServer(MCPServer):
    """MCPServer whose unknown tools and bad arguments come back as ERR_008."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        """Call a tool; an unknown tool or bad argument is an ERR_008 result, not bare text."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                # pydantic's `msg` names what was expected and never echoes the value sent.
                problems = sorted(
                    {f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in cause.errors()}
                )
                return present_error(InvalidRequest(f"Invalid argument(s): {'; '.join(problems)}"))
            known = [tool.name for tool in await self.list_tools()]
            if cause is not None or name in known:
                raise
            # The name is the caller's text: bounded, and quoted so it cannot pass for ours.
            unknown = f"Unknown tool {name[:64]!r}; the tools are {', '.join(known)}"
            return present_error(InvalidRequest(unknown))


def _plain_description(tool: _Tool) -> _Tool:
    """The docstring as a client shows it: a nested function's indentation removed."""
    tool.__doc__ = inspect.cleandoc(tool.__doc__ or "")
    return tool


def build_server(
    use_cases: UseCases,
    *,
    admit: Admit = admit_all,
    observer: CallObserver | None = None,
    metrics_text: MetricsText | None = None,
    name: str = "pg-mcp",
    version: str = "",
    auth: AuthSettings | None = None,
    token_verifier: TokenVerifier | None = None,
) -> PgMcpServer:
    """The MCP server with its three tools bound to the use cases; `admit` rate-limits calls."""
    server = PgMcpServer(
        name=name,
        version=version,
        instructions=INSTRUCTIONS,
        auth=auth,
        token_verifier=token_verifier,
    )
    calls = observer or Unobserved()

    async def guarded(
        ctx: Context[Any, Any],
        record: CallRecord,
        body: Callable[[], Awaitable[CallToolResult]],
        internal: PgMcpError,
    ) -> CallToolResult:
        """Run a tool body bound to its request and admitted by the limiter; code every failure."""
        with bind_request(ctx):
            try:
                admitted = admit(_client_key(ctx))
                if admitted is not None:
                    await admitted
                return await body()
            except PgMcpError as error:
                return _failed(record, error)
            except Exception:
                # The one catch-all: whatever went wrong still reaches the client as a coded error.
                logger.exception("tool call failed unexpectedly")
                return _failed(record, internal)

    @server.tool(annotations=_READ_ONLY)
    @_plain_description
    async def query(
        query: Annotated[str, Field(description="A question in plain language, or a SELECT")],
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
        record = calls.start("query", database, question=query, request_id=str(ctx.request_id))

        async def answer() -> CallToolResult:
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

        return await guarded(ctx, record, answer, SqlExecutionFailed("Internal error"))

    @server.tool(annotations=_READ_ONLY)
    @_plain_description
    async def explain(
        query: Annotated[str, Field(description="A question in plain language, or a SELECT")],
        ctx: Context[Any, Any],
        database: str | None = None,
        parameters: Annotated[dict[str, Any] | list[Any] | None, Field(description=_VALUES)] = None,
    ) -> Annotated[CallToolResult, ExplainReply]:
        """Show how PostgreSQL would run the SQL for a question, without running it.

        Returns the checked SQL, the planner's estimated cost and rows, and a readable plan.
        Use it to judge whether a question is expensive before asking it with `query`.
        `parameters` are bound as for `query`, so the plan is the one for those values.
        """
        record = calls.start("explain", database, question=query, request_id=str(ctx.request_id))

        async def plan() -> CallToolResult:
            request = ExplainRequest(
                question=query, database=database, parameters=parse_parameters(parameters)
            )
            explanation = await use_cases.explain.execute(request, _progress(ctx, record))
            record.finish(code=None, sql=explanation.sql, database=explanation.database)
            return present_explanation(explanation)

        return await guarded(ctx, record, plan, SqlExecutionFailed("Internal error"))

    @server.tool(annotations=_READ_ONLY)
    @_plain_description
    async def get_schema(
        ctx: Context[Any, Any],
        refresh: bool = False,
        format: Literal["summary", "detailed", "ddl"] = "summary",
        database: str | None = None,
    ) -> Annotated[CallToolResult, SchemaReply]:
        """List the tables, views, columns and keys of a database.

        format="summary" gives one line per table; "detailed" adds columns, keys and comments;
        "ddl" gives CREATE statements. refresh=True reloads the schema from the database.
        """
        record = calls.start("get_schema", database, request_id=str(ctx.request_id))

        async def describe() -> CallToolResult:
            request = DescribeRequest(database=database, format=format, refresh=refresh)
            await record.stage("schema")
            described = await use_cases.describe.execute(request)
            record.finish(code=None)
            return present_schema(described)

        return await guarded(ctx, record, describe, SchemaLoadFailed("Internal error"))

    if metrics_text is not None:

        @server.resource(
            "metrics://prometheus",
            name="metrics",
            description="The server's metrics in the Prometheus text format",
            mime_type="text/plain; version=0.0.4",
        )
        def metrics() -> str:
            return metrics_text()

    return server


def _failed(record: CallRecord, error: PgMcpError) -> CallToolResult:
    record.finish(code=error.code)
    return present_error(error)


def _client_key(ctx: Context[Any, Any]) -> str:
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
