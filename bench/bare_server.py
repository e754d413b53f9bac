"""The baseline: a bare MCPServer with one asyncpg tool and nothing else, served over stdio.

Usage: python -m bench.bare_server <dsn>
"""

import sys
from typing import Any

import asyncpg
from mcp.server.mcpserver import MCPServer

server = MCPServer(name="bare")
pools: dict[str, asyncpg.Pool] = {}


@server.tool()
async def query(sql: str) -> dict[str, Any]:
    """Run SQL and return its rows."""
    if "pool" not in pools:
        pools["pool"] = await asyncpg.create_pool(sys.argv[1], min_size=1, max_size=1)
    rows = await pools["pool"].fetch(sql)
    return {"rows": [list(r.values()) for r in rows]}


if __name__ == "__main__":
    server.run("stdio")
