"""The MCP request a tool call is serving, so adapters below the use case can reach its client."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

# The SDK loads only where a tool call is served: `pg-mcp ask` builds the same chat models
# without it (a request is bound only by the MCP tools, which load it).
if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

# A ContextVar, not an attribute: concurrent tool calls each run in their own task, and a task
# sees only the value its own call bound.
_current: "ContextVar[Context[Any, Any] | None]" = ContextVar("pg_mcp_request", default=None)


@contextmanager
def bind_request(ctx: "Context[Any, Any]") -> Iterator[None]:
    """Make ctx the current request for the code run inside the block."""
    token = _current.set(ctx)
    try:
        yield
    finally:
        _current.reset(token)


def current_request() -> "Context[Any, Any] | None":
    """The request bound by the innermost bind_request, or None outside a tool call."""
    return _current.get()


def supports_sampling(ctx: "Context[Any, Any]") -> bool:
    """Whether the client declared sampling and this connection can carry a server request."""
    from mcp.types import ClientCapabilities, SamplingCapability

    session = ctx.request_context.session
    # On the 2026-07-28 per-request protocol there is no back-channel for server requests, even
    # when the client declares sampling; only initialize-handshake connections can sample.
    wanted = ClientCapabilities(sampling=SamplingCapability())
    return session.can_send_request and session.check_client_capability(wanted)
