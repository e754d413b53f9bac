"""Starts `pg-mcp serve --http` as a subprocess and connects MCP clients to it over HTTP."""

import json
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2
from mcp import Client
from mcp.client.client import ConnectMode
from mcp.client.streamable_http import streamable_http_client

_SERVING = "serving MCP at "


@dataclass
class HttpServer:
    """A running `pg-mcp serve --http` and what it wrote to stderr so far."""

    process: subprocess.Popen[str]
    url: str  # the /mcp endpoint
    stderr: list[str] = field(default_factory=list)
    lines: "queue.Queue[str | None]" = field(default_factory=queue.Queue)

    @property
    def base(self) -> str:
        """The server's origin, for /healthz and /readyz."""
        return self.url.removesuffix("/mcp")


@contextmanager
def http_server(
    env: Mapping[str, str], bind: str = "127.0.0.1:0", *, command: Sequence[str] = ()
) -> Iterator[HttpServer]:
    """Run `pg-mcp serve --http bind` until the block ends; stop it with SIGTERM.

    `command` replaces the whole command line (a server started as an image would start it).
    """
    process = subprocess.Popen(
        list(command) or [sys.executable, "-m", "bootstrap", "serve", "--http", bind],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        server = HttpServer(process, _wait_for_url(lines, seen), seen, lines)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


def _wait_for_url(lines: "queue.Queue[str | None]", seen: list[str]) -> str:
    return wait_for_message(lines, seen, _SERVING).removeprefix(_SERVING)


def wait_for_message(lines: "queue.Queue[str | None]", seen: list[str], start: str) -> str:
    """The next log message starting with `start` (blocking, bounded)."""
    found = wait_for_line(lines, seen, lambda line: str(line.get("message", "")).startswith(start))
    return str(found["message"])


def wait_for_line(
    lines: "queue.Queue[str | None]", seen: list[str], wanted: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The next JSON line on stderr that `wanted` accepts (blocking, bounded)."""
    while (line := lines.get(timeout=120)) is not None:
        if line.startswith("{") and wanted(parsed := json.loads(line)):
            return dict(parsed)
    raise AssertionError("pg-mcp ended before writing the line awaited:\n" + "".join(seen))


@asynccontextmanager
async def http_client(
    url: str, token: str | None = None, *, mode: ConnectMode = "auto"
) -> AsyncIterator[Client]:
    """An MCP client over streamable HTTP, sending the bearer token if one is given.

    mode "auto" speaks the current protocol revision; "legacy" the initialize handshake.
    """
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    timeout = httpx2.Timeout(30, read=300)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as web:
        transport = streamable_http_client(url, http_client=web)
        async with Client(transport, read_timeout_seconds=30, mode=mode) as client:
            yield client


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}
# The current protocol revision: no session; each request carries its version and capabilities.
CURRENT_REVISION = "2026-07-28"
_ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": CURRENT_REVISION,
    "io.modelcontextprotocol/clientCapabilities": {},
}


def tool_call(name: str, **arguments: object) -> dict[str, object]:
    """The JSON-RPC body of a tools/call."""
    return {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def current_request(method: str, **params: object) -> dict[str, object]:
    """The JSON-RPC body of a request of the current revision, its envelope in params._meta."""
    return {"jsonrpc": "2.0", "id": 3, "method": method, "params": params | {"_meta": _ENVELOPE}}


def current_headers(method: str, name: str | None = None) -> dict[str, str]:
    """The headers the current revision requires, mirroring the body's method and name."""
    headers = {"MCP-Protocol-Version": CURRENT_REVISION, "Mcp-Method": method}
    return headers if name is None else headers | {"Mcp-Name": name}


async def post_mcp(
    url: str, body: dict[str, object] | None = None, **headers: str
) -> httpx2.Response:
    """One raw POST to /mcp (initialize unless body is given), for checks below the client."""
    async with httpx2.AsyncClient(timeout=60) as web:
        return await web.post(url, json=body or INITIALIZE, headers=MCP_HEADERS | headers)
