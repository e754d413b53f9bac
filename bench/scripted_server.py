"""pg-mcp over stdio with the chat model replaced by an in-process scripted one (for benches).

Usage: python -m bench.scripted_server "<SQL every question is answered with>" [--inline-checks]
    [--switch-interval SECONDS]
(--inline-checks: every statement is checked on the event loop, however large, for comparison;
--switch-interval: sys.setswitchinterval, how soon a thread holding the GIL is asked to pass it)
"""

import asyncio
import sys

from adapters.mcp.server import build_server
from adapters.memory.scripted_chat_model import ScriptedChatModel
from application.authoring import sql_author
from bootstrap.loader import load_settings
from bootstrap.runtime import running_container
from bootstrap.serving import use_cases


async def serve(sql: str) -> None:
    """Serve MCP over stdio; every question is answered with `sql`."""
    async with running_container(load_settings()) as container:
        container.chat_model.override(ScriptedChatModel(responder=lambda _messages: sql))
        await build_server(await use_cases(container)).run_stdio_async()


if __name__ == "__main__":
    if "--inline-checks" in sys.argv:
        sql_author._INLINE_CHECK_CHARS = sys.maxsize
    if "--switch-interval" in sys.argv:
        sys.setswitchinterval(float(sys.argv[sys.argv.index("--switch-interval") + 1]))
    asyncio.run(serve(sys.argv[1]))
