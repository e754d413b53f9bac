"""A TCP proxy in front of PostgreSQL that counts the client's round trips.

A round trip is a message after which the client waits for the server: a simple Query ('Q'), a
Sync ('S') ending an extended-protocol batch, or a Flush ('H') (asyncpg's Parse + Describe).
The proxy runs its own event loop in a daemon thread, so subprocesses can connect through it.
"""

import asyncio
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_WAITS = frozenset(b"QSH")
# Untyped messages before start-up completes: SSLRequest, GSSENCRequest, StartupMessage.
_SSL_OR_GSS = (80877103, 80877104)


class RoundTripCounter:
    """Counts round trips over every connection made through the proxy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        """Round trips so far."""
        with self._lock:
            return self._count

    def add(self, n: int) -> None:
        """Count n more."""
        if n:
            with self._lock:
                self._count += n


class _FrontendParser:
    """Splits the client's byte stream into messages and counts the ones that wait."""

    def __init__(self, counter: RoundTripCounter) -> None:
        self._counter = counter
        self._buffer = bytearray()
        self._started = False

    def feed(self, data: bytes) -> None:
        self._buffer += data
        waits = 0
        while True:
            if not self._started:
                if len(self._buffer) < 8:
                    break
                length, code = struct.unpack("!ii", self._buffer[:8])
                if len(self._buffer) < length:
                    break
                del self._buffer[:length]
                self._started = code not in _SSL_OR_GSS
                continue
            if len(self._buffer) < 5:
                break
            (length,) = struct.unpack("!i", self._buffer[1:5])
            if len(self._buffer) < length + 1:
                break
            waits += self._buffer[0] in _WAITS
            del self._buffer[: length + 1]
        self._counter.add(waits)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, parser: object) -> None:
    try:
        while data := await reader.read(65536):
            if isinstance(parser, _FrontendParser):
                parser.feed(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


@contextmanager
def counting_proxy(dsn: str) -> Iterator[tuple[str, RoundTripCounter]]:
    """Yield a DSN that reaches `dsn` through the proxy, and its counter."""
    parts = urlsplit(dsn)
    query = dict(parse_qsl(parts.query))
    host = query.pop("host", None) or parts.hostname or "127.0.0.1"
    port = int(query.pop("port", None) or parts.port or 5432)
    counter = RoundTripCounter()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    bound: list[int] = []

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if host.startswith("/"):  # a socket directory, as libpq reads host=
            server_r, server_w = await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        else:
            server_r, server_w = await asyncio.open_connection(host, port)
        await asyncio.gather(
            _pipe(client_r, server_w, _FrontendParser(counter)),
            _pipe(server_r, client_w, None),
        )

    async def serve() -> asyncio.Server:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        bound.append(server.sockets[0].getsockname()[1])
        return server

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(serve())
        ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())

    thread = threading.Thread(target=run, name="round-trip-proxy", daemon=True)
    thread.start()
    ready.wait(10)
    user = parts.netloc.rpartition("@")[0]
    address = f"127.0.0.1:{bound[0]}"
    netloc = f"{user}@{address}" if user else address
    try:
        yield urlunsplit(parts._replace(netloc=netloc, query=urlencode(query))), counter
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
