"""What the MCP tools are served with: the use cases, admission, the call observer, the
metrics endpoint, and the model's SDK warmed once serving."""

import asyncio
import functools
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from prometheus_client import CollectorRegistry

from adapters.llm.openai_chat_model import OpenAIChatModel
from adapters.mcp.server import Backend, PgMcpServer, UseCases, build_server_over, ready_now
from adapters.observability.exposition import (
    MetricsEndpoint,
    render_metrics,
    start_metrics_http,
)
from bootstrap.container import Container
from bootstrap.loader import ConfigurationError
from bootstrap.runtime import resolve
from bootstrap.settings import Settings

WARM_UP_DELAY = 0.5  # seconds after the tools' backend is ready


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
