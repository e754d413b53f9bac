"""The MCP server: three read-only tools over the use cases, errors in one shape."""

import inspect
from typing import TYPE_CHECKING, Any, cast

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.stdio import stdio_server
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from adapters.mcp.observation import MetricsText, Unobserved
from adapters.mcp.presenters import present_error
from adapters.mcp.stdio_pipes import pipe_stdio
from adapters.mcp.tools import Admit, Backend, Ready, Tools, UseCases, admit_all, ready_now
from domain.errors import InvalidRequest
from domain.ports import CallObserver

if TYPE_CHECKING:
    from anyio import AsyncFile

__all__ = [
    "INSTRUCTIONS",
    "Backend",
    "PgMcpServer",
    "Ready",
    "UseCases",
    "build_server",
    "build_server_over",
    "ready_now",
]

_READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

INSTRUCTIONS = """\
pg-mcp answers questions about PostgreSQL databases with read-only SQL.
Call get_schema first to see the tables; then query with a question in plain language (or a
SELECT you wrote). Every statement is checked and runs read-only with row and time limits."""


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

    async def run_stdio_async(self) -> None:
        """Serve over stdin/stdout: on the loop's own pipes where both are pipes or sockets
        (stdio_pipes), else through the SDK's threaded transport."""
        async with pipe_stdio() as pipes:
            if pipes is None:
                await super().run_stdio_async()
                return
            lines, output = pipes
            # The SDK only iterates the one and writes to and flushes the other.
            stdin, stdout = cast("AsyncFile[str]", lines), cast("AsyncFile[str]", output)
            async with stdio_server(stdin, stdout) as (read_stream, write_stream):
                server = self._lowlevel_server
                await server.run(read_stream, write_stream, server.create_initialization_options())


def build_server(
    use_cases: UseCases,
    *,
    admit: Admit = admit_all,
    observer: CallObserver | None = None,
    metrics_text: MetricsText | None = None,
) -> PgMcpServer:
    """The MCP server with its three tools bound to the use cases; `admit` rate-limits calls."""
    backend = Backend(use_cases=use_cases, admit=admit, observer=observer or Unobserved())
    return build_server_over(ready_now(backend), metrics_text=metrics_text)


def build_server_over(
    ready: Ready,
    *,
    metrics_text: MetricsText | None = None,
    auth: AuthSettings | None = None,
    token_verifier: TokenVerifier | None = None,
) -> PgMcpServer:
    """The MCP server with its three tools over a backend that may still be starting."""
    server = PgMcpServer(
        name="pg-mcp",
        version="",
        instructions=INSTRUCTIONS,
        auth=auth,
        token_verifier=token_verifier,
    )
    tools = Tools(ready)
    for tool in (tools.query, tools.explain, tools.get_schema):
        # A client shows the docstring as it is: its method indentation removed.
        description = inspect.cleandoc(tool.__doc__ or "")
        server.add_tool(tool, description=description, annotations=_READ_ONLY)
    if metrics_text is not None:
        server.resource(
            "metrics://prometheus",
            name="metrics",
            description="The server's metrics in the Prometheus text format",
            mime_type="text/plain; version=0.0.4",
        )(metrics_text)
    return server
