"""`pg-mcp` over stdio: the handshake is answered while the rest of the server loads.

A client spawns the server, then sends `initialize` and `tools/list` at once. Neither needs the
SQL parsers, the use cases or the pools: those load in the background (imports in a thread,
pools on the loop), and a tool call waits for them. A start-up that fails (a role that cannot be
assumed, a metrics port in use) still stops the server with its one configuration line.
"""

import asyncio
import gc
import importlib
import os
import sys
import traceback
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, NoReturn

from adapters.mcp.server import Backend, build_server_over
from bootstrap.loader import EXIT_CONFIG, ConfigurationError
from bootstrap.settings import Settings
from domain.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from bootstrap.serving import Serving


class BackgroundStart:
    """The container and the tools' backend, built while the server already answers."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._resources = AsyncExitStack()
        self.task: asyncio.Task[Serving] = asyncio.create_task(self._start())

    async def _start(self) -> "Serving":
        # Start-up imports outlive the process's first second; collecting while they pile up
        # frees nothing (as bootstrap.start does for the first imports).
        gc.disable()
        try:
            serving = await asyncio.to_thread(importlib.import_module, "bootstrap.serving")
        finally:
            gc.freeze()
            gc.enable()
        from bootstrap.runtime import running_container  # loaded by bootstrap.serving

        resources = self._resources
        container = await resources.enter_async_context(running_container(self._settings))
        return await resources.enter_async_context(serving.serving(container))

    async def ready(self) -> Backend:
        """The tools' backend once started; raises DatabaseUnavailable when start-up failed."""
        try:
            return (await asyncio.shield(self.task)).backend
        except asyncio.CancelledError:
            raise
        except ConfigurationError as exc:  # its line names the variable and holds no secret
            raise DatabaseUnavailable(f"pg-mcp could not start: {exc}") from exc
        except Exception as exc:
            # The server stops with the cause on stderr; the call in flight gets a code.
            raise DatabaseUnavailable("pg-mcp could not start; its log says why") from exc

    async def metrics_text(self) -> str:
        """The metrics in the Prometheus text format, once started (only wired when enabled)."""
        served = await asyncio.shield(self.task)
        return served.metrics_text() if served.metrics_text is not None else ""

    async def close(self) -> None:
        """Stop starting, then release what was started (pools, endpoint), in reverse order."""
        if not self.task.done():
            self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self._resources.aclose()


async def serve_stdio(settings: Settings) -> None:
    """Serve MCP over stdin/stdout until the client goes away.

    Raises:
        ConfigurationError: start-up found the configuration unusable, before or after the
            handshake was answered; the server stops serving.
    """
    start = BackgroundStart(settings)
    metrics_text = start.metrics_text if settings.observability.metrics_enabled else None
    server = build_server_over(start.ready, metrics_text=metrics_text)
    serving = asyncio.create_task(server.run_stdio_async())
    try:
        await asyncio.wait((serving, start.task), return_when=asyncio.FIRST_COMPLETED)
        failed = start.task.exception() if start.task.done() else None
        if failed is not None and not serving.done():
            await start.close()
            _leave(failed)
        await serving  # the client went away; a start-up still under way is still judged
        await start.task
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
        await start.close()


def _leave(error: BaseException) -> NoReturn:
    """Exit now: on a terminal or a file the SDK's transport reads stdin in a thread that no
    cancellation reaches while stdin stays open, and waiting would keep a failed server alive."""
    if isinstance(error, ConfigurationError):
        sys.stderr.write(error.line() + "\n")
        status = EXIT_CONFIG
    else:
        traceback.print_exception(error)
        status = 1
    sys.stderr.flush()
    os._exit(status)
