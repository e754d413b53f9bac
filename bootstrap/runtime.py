"""Runs the container for a session: pools up, answer or serve (bootstrap.serving), pools down."""

import asyncio
import inspect
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from dependency_injector import providers

from adapters.mcp.text_table import count_rows, render_table
from adapters.postgres.role_check import role_problem
from application.messages import AnswerRequest
from bootstrap.ask_parameters import given
from bootstrap.container import Container
from bootstrap.loader import ConfigurationError
from bootstrap.settings import Settings
from domain.errors import ErrorCode, PgMcpError

EXIT_FAILED = 1
# A database that does not answer this soon is checked by its first call instead.
_ROLE_CHECK_SECONDS = 5.0


@asynccontextmanager
async def running_container(settings: Settings) -> AsyncIterator[Container]:
    """A container whose resources (the pools) are open for the duration of the block."""
    container = Container(settings=providers.Object(settings))
    await container.init_resources()  # type: ignore[misc]
    try:
        await _require_role(settings, await resolve(container.pools))
        yield container
    finally:
        await container.shutdown_resources()  # type: ignore[misc]


async def _require_role(settings: Settings, pools: Mapping[str, asyncpg.Pool]) -> None:
    """Refuse to start when PG_MCP_DB_ROLE cannot be assumed: every call would fail."""
    role = settings.database.db_role
    if role is None:
        return
    timeout = min(settings.database.pool_acquire_timeout, _ROLE_CHECK_SECONDS)
    problems = await asyncio.gather(
        *(role_problem(name, pool, role, timeout=timeout) for name, pool in pools.items())
    )
    found = [problem for problem in problems if problem is not None]
    if found:
        raise ConfigurationError(f"PG_MCP_DB_ROLE: {'; '.join(found)}")


async def resolve(provider: Callable[[], object]) -> Any:
    """The provider's object; providers that depend on async resources hand back awaitables."""
    made = provider()
    return await made if inspect.isawaitable(made) else made


async def answer_once(
    settings: Settings,
    question: str,
    database: str | None,
    *,
    sql_only: bool,
    values: Sequence[tuple[str, Any]] = (),
) -> int:
    """Answer one question (values by name, or 1..N for $N) and print the SQL and rows; return
    the exit status."""
    async with running_container(settings) as container:
        try:
            request = AnswerRequest(
                question=question,
                database=database,
                return_mode="sql" if sql_only else "result",
                parameters=given(values),
            )
            answer = await (await resolve(container.answer_question)).execute(request)
        except PgMcpError as error:
            print(f"{error.code}: {_for_the_terminal(error, settings)}", file=sys.stderr)
            return EXIT_FAILED
    print(answer.sql)
    if answer.result is not None:
        columns = [c.name for c in answer.result.columns]
        print()
        print(render_table(columns, answer.result.rows))
        count = answer.result.row_count
        more = ", truncated" if answer.result.truncated else ""
        print(f"({count_rows(count)}{more})")
    return 0


def _for_the_terminal(error: PgMcpError, settings: Settings) -> str:
    """The error as a terminal user can act on it: no MCP client is there to offer a model."""
    if error.code is ErrorCode.AI_SERVICE and not settings.openai.configured:
        return (
            "No AI model is configured: set PG_MCP_OPENAI_API_KEY to use OpenAI, or "
            "PG_MCP_OPENAI_BASE_URL (e.g. http://localhost:11434/v1 for Ollama) with "
            "PG_MCP_OPENAI_MODEL; or ask in SQL, which needs no model"
        )
    return error.message
