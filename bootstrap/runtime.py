"""Runs the container for a session: pools up, serve or answer, pools down."""

import asyncio
import functools
import gc
import inspect
import sys
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from dependency_injector import providers
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from prometheus_client import CollectorRegistry

from adapters.llm.openai_chat_model import OpenAIChatModel
from adapters.mcp.server import Backend, PgMcpServer, UseCases, build_server_over, ready_now
from adapters.mcp.text_table import count_rows, render_table
from adapters.observability.exposition import (
    MetricsEndpoint,
    render_metrics,
    start_metrics_http,
)
from adapters.postgres.role_check import role_problem
from application.messages import AnswerRequest
from bootstrap.ask_parameters import given
from bootstrap.container import Container
from bootstrap.loader import ConfigurationError
from bootstrap.settings import Settings
from domain.errors import ErrorCode, PgMcpError

EXIT_FAILED = 1
WARM_UP_DELAY = 0.5  # seconds after the tools' backend is ready
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


async def use_cases(container: Container) -> UseCases:
    """The use cases the MCP tools call."""
    return UseCases(
        answer=await resolve(container.answer_question),
        explain=await resolve(container.explain_query),
        describe=await resolve(container.describe_schema),
    )


@dataclass(frozen=True, slots=True)
class Serving:
    """What the MCP tools are served with: their backend and the metrics text, when enabled."""

    backend: Backend
    metrics_text: Callable[[], str] | None


@asynccontextmanager
async def serving(container: Container) -> AsyncIterator[Serving]:
    """The tools' backend over the container, its metrics endpoint listening, the model warming."""
    settings: Settings = container.settings()
    registry = await resolve(container.metrics_registry)
    port = settings.observability.metrics_port
    endpoint = _serve_metrics(registry, port) if registry and port else None
    backend = Backend(
        use_cases=await use_cases(container),
        admit=await resolve(container.request_limiter),
        observer=await resolve(container.call_observer),
    )
    # Everything built so far lives as long as the server: keep the collector from
    # rescanning it on every pass, which showed as 20-30 ms p99 spikes in the safety check.
    gc.freeze()
    warming = asyncio.create_task(_warm_chat_model(container))
    try:
        yield Serving(backend, functools.partial(render_metrics, registry) if registry else None)
    finally:
        warming.cancel()
        if endpoint is not None:
            endpoint.close()


@asynccontextmanager
async def mcp_server(
    container: Container,
    *,
    auth: AuthSettings | None = None,
    token_verifier: TokenVerifier | None = None,
) -> AsyncIterator[PgMcpServer]:
    """The MCP server over the container's use cases, with the metrics endpoint it may serve."""
    async with serving(container) as served:
        yield build_server_over(
            ready_now(served.backend),
            metrics_text=served.metrics_text,
            auth=auth,
            token_verifier=token_verifier,
        )


async def _warm_chat_model(container: Container) -> None:
    """Import the model's SDK off the loop once start-up is over, not on the first question."""
    # The import holds the GIL for a few hundred ms: it waits a moment, so that a call already
    # waiting for the backend (stdio) or the HTTP listener starting up goes first.
    await asyncio.sleep(WARM_UP_DELAY)
    model = await resolve(container.base_chat_model)
    if isinstance(model, OpenAIChatModel):
        await model.warm_up()


def _serve_metrics(registry: CollectorRegistry, port: int) -> MetricsEndpoint:
    try:
        return start_metrics_http(registry, port)
    except OSError as exc:
        raise ConfigurationError(
            f"PG_MCP_METRICS_PORT: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})"
        ) from None


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
