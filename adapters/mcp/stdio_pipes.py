"""stdin and stdout served by the event loop's own pipe transports, not worker threads.

The SDK's stdio transport reads each line and writes each reply through a worker thread: four
thread hand-offs per call, a third of a bare server's call time. Every MCP client spawns its
server on pipes (Python) or sockets (Node), which the loop reads and writes directly; anything
else (a terminal, a file) keeps the SDK's transport. The SDK still parses and frames messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import stat
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import Any

if sys.platform != "win32":
    import fcntl

logger = logging.getLogger(__name__)

# One JSON-RPC message per line. Legitimate ones are far smaller (a statement is refused past
# 200,000 bytes by the gate); a longer line is dropped as it streams in, never held whole.
MAX_LINE_BYTES = 4 * 1024 * 1024

# Where a refused line's id can be told for sure: first after "jsonrpc" (the Python SDK's
# order), or last before the closing brace (the TypeScript SDK's). Nested ids never match.
_ID = r'(-?\d{1,18}(?![\d.eE])|"(?:[^"\\]|\\.){0,256}")'
_ID_FIRST = re.compile(rb'\A\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*' + _ID.encode())
_ID_LAST = re.compile(rb'"id"\s*:\s*' + _ID.encode() + rb"\s*\}\s*\Z")
_KEPT = 512  # bytes kept of a refused line's start and end, to find its id


class Lines:
    """The client's messages, a line each, as the SDK's stdio transport iterates a file."""

    def __init__(self, reader: asyncio.StreamReader, refuse: Callable[[Any], None]) -> None:
        self._reader = reader
        self._refuse = refuse

    def __aiter__(self) -> Lines:
        return self

    async def __anext__(self) -> str:
        head = tail = b""  # the ends of a line past the limit, while the rest is skipped
        while True:
            try:
                line = await self._reader.readuntil(b"\n")
            except asyncio.IncompleteReadError as end:  # the client closed stdin
                if end.partial and not head:
                    return end.partial.decode("utf-8", "replace")
                raise StopAsyncIteration from None
            except asyncio.LimitOverrunError as over:
                skipped = await self._reader.readexactly(over.consumed)
                head, tail = head or skipped[:_KEPT], (tail + skipped)[-_KEPT:]
                continue
            if not head:
                return line.decode("utf-8", "replace")
            self._refuse(_request_id(head, (tail + line)[-_KEPT:]))
            head = tail = b""


def _request_id(head: bytes, tail: bytes) -> Any:
    """The refused message's id where its start or end shows it for sure, else None."""
    found = _ID_FIRST.match(head) or _ID_LAST.search(tail)
    return None if found is None else json.loads(found.group(1))


class Output:
    """The SDK's stdout: a reply written whole, then flushed once the pipe has taken it."""

    def __init__(self, transport: asyncio.WriteTransport, protocol: _Drain) -> None:
        self._transport = transport
        self._protocol = protocol

    async def write(self, text: str) -> None:
        """Queue one framed message; raises once the client has closed its end."""
        self._protocol.check()
        self._transport.write(text.encode())

    async def flush(self) -> None:
        """Wait until the pipe has room again (asyncio's flow control), not for the client."""
        await self._protocol.drained()

    def refuse_too_long(self, request_id: Any) -> None:
        """Answer a line longer than MAX_LINE_BYTES with a JSON-RPC error for its id."""
        logger.warning("refused a message of more than %d bytes", MAX_LINE_BYTES)
        error = {
            "code": -32600,
            "message": f"Invalid Request: a message of more than {MAX_LINE_BYTES:,} bytes; "
            "send a shorter one",
        }
        reply = {"jsonrpc": "2.0", "id": request_id, "error": error}
        if not self._transport.is_closing():
            self._transport.write(json.dumps(reply).encode() + b"\n")


class _Drain(asyncio.Protocol):
    """Flow control of the stdout pipe: paused while the kernel's buffer is full."""

    def __init__(self) -> None:
        self._paused: asyncio.Future[None] | None = None
        self._lost: BaseException | None = None

    def pause_writing(self) -> None:
        self._paused = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._paused is not None and not self._paused.done():
            self._paused.set_result(None)
        self._paused = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = exc or BrokenPipeError("the client closed stdout")
        if self._paused is not None and not self._paused.done():
            self._paused.set_exception(self._lost)

    def check(self) -> None:
        if self._lost is not None:
            raise self._lost

    async def drained(self) -> None:
        self.check()
        if self._paused is not None:
            await self._paused


@asynccontextmanager
async def pipe_stdio() -> AsyncIterator[tuple[Lines, Output] | None]:
    """stdin's lines and stdout for the SDK's stdio_server, or None where both are not pipes.

    While serving, fd 0 reads the null device and fd 1 writes to stderr, as under the SDK's
    transport: a child process or stray print cannot read or corrupt the wire.
    """
    if sys.platform == "win32" or not _two_pipes():
        yield None
        return
    loop = asyncio.get_running_loop()
    with _claimed(0) as stdin_fd, _claimed(1) as stdout_fd:
        reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(stdin_fd, "rb", buffering=0)
        )
        write_transport, drain = await loop.connect_write_pipe(
            _Drain, os.fdopen(stdout_fd, "wb", buffering=0)
        )
        output = Output(write_transport, drain)
        try:
            yield Lines(reader, output.refuse_too_long), output
        finally:
            read_transport.close()
            write_transport.close()


def _two_pipes() -> bool:
    """Whether stdin and stdout are pipes or sockets, and not one socket: asyncio's write
    transport takes its pipe turning readable for the client hanging up."""
    try:
        stdin, stdout = os.fstat(0), os.fstat(1)
    except OSError:
        return False
    pipes = all(stat.S_ISFIFO(s.st_mode) or stat.S_ISSOCK(s.st_mode) for s in (stdin, stdout))
    return pipes and (stdin.st_dev, stdin.st_ino) != (stdout.st_dev, stdout.st_ino)


@contextmanager
def _claimed(fd: int) -> Iterator[int]:
    """A private duplicate of fd 0 or 1 for the transport; meanwhile fd reads the null device
    or writes to stderr."""
    private = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
    elsewhere = os.open(os.devnull, os.O_RDONLY) if fd == 0 else os.dup(2)
    try:
        os.dup2(elsewhere, fd)
    finally:
        os.close(elsewhere)
    try:
        # The transport owns (and closes) a duplicate of its own; private puts the wire back.
        yield fcntl.fcntl(private, fcntl.F_DUPFD_CLOEXEC, 3)
    finally:
        if fd == 1:
            with suppress(OSError, ValueError):
                sys.stdout.flush()  # a stray print still buffered goes to stderr too
        os.dup2(private, fd)
        os.close(private)
