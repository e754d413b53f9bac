"""The event loop a server runs on: uvloop where it is installed, else asyncio's own."""

import asyncio
from collections.abc import Coroutine
from typing import Any


def run_server(server: Coroutine[Any, Any, None]) -> None:
    """Run a server to its end on uvloop (not built for Windows): its loop, pipes and sockets
    cost about half of asyncio's per call, and asyncpg and aiohttp are written for it."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(server)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(server)
