"""A minimal MCP client over stdio: JSON-RPC lines in and out, nothing else.

Benches time servers with it, so that the client's own cost (the SDK's validation, task groups)
stays out of the figures and the same small cost applies to every server measured; tests use it
to see exactly what a server writes, notifications included.
"""

import asyncio
import json
import sys
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

PROTOCOL_VERSION = "2025-11-25"
# Large replies (a schema, many rows) come back as one line.
_LINE_LIMIT = 64 * 2**20


class LeanClient:
    """One server subprocess, spoken to in order: one request, then its reply."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self._args = list(args)
        self._env = dict(env) if env is not None else None
        self._process: asyncio.subprocess.Process | None = None
        self._next_id = 0
        self.notifications: list[dict[str, Any]] = []  # what the server sent besides replies

    async def __aenter__(self) -> Self:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            *self._args,
            env=self._env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,  # log lines are the server's to write, not ours
            limit=_LINE_LIMIT,
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None:
            return
        self._pipes()[0].close()
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    async def initialize(self) -> dict[str, Any]:
        """The initialize handshake, then the initialized notification."""
        reply = await self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "lean-bench", "version": "0"},
            },
        )
        await self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return reply

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The result of tools/call; raises if the reply is a JSON-RPC error or isError."""
        result = await self.request("tools/call", {"name": name, "arguments": arguments})
        if result.get("isError"):
            raise RuntimeError(f"{name} failed: {result.get('content')}")
        return result

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its reply, skipping notifications sent meanwhile."""
        self._next_id += 1
        message = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}
        await self._send(message)
        while True:
            message = json.loads(await self._read_line())
            if "id" not in message:
                self.notifications.append(message)
                continue
            if message["id"] != self._next_id:
                continue
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            result: dict[str, Any] = message["result"]
            return result

    def _pipes(self) -> tuple[asyncio.StreamWriter, asyncio.StreamReader]:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError("the server is not started")
        return process.stdin, process.stdout

    async def _send(self, message: dict[str, Any]) -> None:
        stdin, _ = self._pipes()
        stdin.write(json.dumps(message).encode() + b"\n")
        await stdin.drain()

    async def _read_line(self) -> bytes:
        _, stdout = self._pipes()
        line = await stdout.readline()
        if not line:
            raise ConnectionError("the server closed its output")
        return line
