"""A small OpenAI-compatible HTTP server for tests, built on the standard library alone.

It answers POST /v1/chat/completions from a script of replies (text, faults, raw bodies), then
from a responder callable, and GET /v1/models with one model. It runs in a daemon thread on
127.0.0.1, so a pg-mcp subprocess can reach it at `.base_url` as well as in-process clients.
"""

import itertools
import json
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

Json = dict[str, Any]
Responder = Callable[[Json], str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """A chat completion holding `text`, sent after `delay` seconds."""

    text: str
    delay: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """An HTTP error (status, optional Retry-After and body), or a hang of `delay` seconds."""

    status: int = 500
    body: Json | str | None = None
    retry_after: float | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Raw:
    """Any JSON body with any status, for replies a well-behaved server would not send."""

    body: Json
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


ScriptItem = str | Reply | Fault | Raw


def answer_select_one(request: Json) -> str:
    """The default responder: the same harmless SQL for every question."""
    return "SELECT 1"


def error_body(status: int, message: str, *, param: str | None = None) -> Json:
    """An error body in the OpenAI shape."""
    kind = "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


class FakeLLMServer:
    """An OpenAI-compatible chat server that follows a script and records every request."""

    def __init__(
        self,
        *,
        model: str = "fake-model",
        responder: Responder = answer_select_one,
        reject_response_format: bool = False,
        keep_alive: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.model = model
        self.keep_alive = keep_alive
        self.tls = tls
        self.responder = responder
        self.reject_response_format = reject_response_format
        self._script: deque[ScriptItem] = deque()
        self._requests: list[Json] = []
        self._targets: list[str] = []
        self._connections = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The URL to give an OpenAI client, ending in /v1 (https when serving TLS)."""
        if self._httpd is None:
            raise RuntimeError("FakeLLMServer is not started")
        host, port = self._httpd.server_address[:2]
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{host!s}:{port}/v1"

    @property
    def requests(self) -> list[Json]:
        """Every chat-completion request body received so far, in order."""
        with self._lock:
            return list(self._requests)

    @property
    def targets(self) -> list[str]:
        """The request target of every POST: a path, or a whole URL when sent as to a proxy."""
        with self._lock:
            return list(self._targets)

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        with self._lock:
            return self._connections

    def script(self, *items: ScriptItem) -> None:
        """Queue replies: a str or Reply is a completion, a Fault an error, a Raw anything."""
        with self._lock:
            self._script.extend(items)

    def start(self) -> Self:
        """Listen on an ephemeral port of 127.0.0.1 and serve in a daemon thread."""
        self._stopping.clear()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        httpd.daemon_threads = True
        if self.tls is not None:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        # A short poll keeps stop() quick; the default of 0.5 s would add up over a test run.
        self._thread = threading.Thread(
            target=lambda: httpd.serve_forever(poll_interval=0.05),
            name="fake-llm-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any delayed reply and close the socket; the port then refuses."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, request: Json) -> ScriptItem:
        with self._lock:
            self._requests.append(request)
            if self.reject_response_format and "response_format" in request:
                message = "response_format is not supported by this server"
                return Fault(status=400, body=error_body(400, message, param="response_format"))
            if self._script:
                return self._script.popleft()
        return Reply(text=self.responder(request))

    def _completion(self, request: Json, text: str) -> Json:
        prompt = sum(len(str(m.get("content", "")).split()) for m in request.get("messages", []))
        completion = len(text.split())
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    def _models(self) -> Json:
        model = {"id": self.model, "object": "model", "created": 0, "owned_by": "fake"}
        return {"object": "list", "data": [model]}


def _handler_for(server: FakeLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps a client's connection open between requests, as real servers do.
        protocol_version = "HTTP/1.1" if server.keep_alive else "HTTP/1.0"
        # Headers and body go in two writes: Nagle would hold the body for the client's ACK.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server._connections += 1

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._send(200, server._models())
            else:
                self._send(404, error_body(404, f"no route {self.path}"))

        def do_POST(self) -> None:
            with server._lock:
                server._targets.append(self.path)
            # A client sends a proxy the whole URL (absolute form): the fake answers as both.
            if urlsplit(self.path).path.rstrip("/") not in (
                "/v1/chat/completions",
                "/chat/completions",
            ):
                self._send(404, error_body(404, f"no route {self.path}"))
                return
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            except ValueError:
                self._send(400, error_body(400, "the body is not JSON"))
                return
            self._answer(request, server._record(request))

        def _answer(self, request: Json, item: ScriptItem) -> None:
            if isinstance(item, str):
                item = Reply(text=item)
            if isinstance(item, Raw):
                self._send(item.status, item.body, item.headers)
                return
            # A delay cut short by stop() still answers, to a client that has usually gone.
            server._stopping.wait(item.delay)
            if isinstance(item, Reply):
                self._send(200, server._completion(request, item.text))
                return
            headers = {} if item.retry_after is None else {"Retry-After": f"{item.retry_after:g}"}
            body = item.body if item.body is not None else error_body(item.status, "fake fault")
            self._send(item.status, body, headers)

        def _send(
            self, status: int, body: Json | str, headers: Mapping[str, str] | None = None
        ) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            kind = "text/plain" if isinstance(body, str) else "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except ConnectionError:
                pass  # the client timed out and hung up; that is what the test wanted

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean; requests are recorded in server.requests

    return Handler
