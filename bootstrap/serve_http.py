"""`pg-mcp serve --http HOST:PORT`: MCP streamable HTTP for a team, behind a load balancer."""

from __future__ import annotations

import contextlib
import functools
import logging
import signal
import socket
from collections.abc import Iterator

import uvicorn
from mcp.server.auth.settings import AuthSettings as SdkAuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from sse_starlette.sse import AppStatus
from starlette.applications import Starlette
from starlette.middleware import Middleware

from adapters.http.caller_binding import CallerBinding
from adapters.http.health import healthz, metrics, readyz
from adapters.http.revision_gate import RevisionGate
from adapters.http.scope_gate import ScopeGate
from adapters.mcp.server import PgMcpServer
from adapters.observability.exposition import render_metrics
from bootstrap.container import Container
from bootstrap.http_auth import is_loopback, metadata_url, refuse_open_door, token_checks
from bootstrap.loader import ConfigurationError
from bootstrap.readiness import ReadinessProbe
from bootstrap.runtime import resolve, running_container
from bootstrap.serving import mcp_server
from bootstrap.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
MCP_PATH = "/mcp"
_LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")


def parse_bind(bind: str) -> tuple[str, int]:
    """HOST:PORT, [IPv6]:PORT or PORT alone (host 127.0.0.1).

    Raises:
        ConfigurationError: not an address and a port from 0 to 65535.
    """
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or DEFAULT_HOST
    if not port.isdigit() or int(port) > 65535:
        raise ConfigurationError(f"--http: expected HOST:PORT such as 127.0.0.1:8000, not {bind!r}")
    return host, int(port)


def transport_security(settings: Settings, host: str) -> TransportSecuritySettings:
    """Host and Origin allow-lists against DNS rebinding, always on."""
    origins = list(settings.http.allowed_origins)
    if is_loopback(host):
        origins += _LOOPBACK_ORIGINS
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=settings.http.host_patterns(host),
        allowed_origins=origins,
    )


async def serve_http(settings: Settings, bind: str) -> None:
    """Serve MCP streamable HTTP at /mcp until SIGTERM or SIGINT, then drain and stop."""
    host, port = parse_bind(bind)
    refuse_open_door(settings, host)
    auth, verifier = token_checks(settings)
    listener = _listen(host, port)
    async with (
        running_container(settings) as container,
        mcp_server(container, auth=auth, token_verifier=verifier) as server,
    ):
        app = await _http_app(server, container, settings, host, auth)
        config = uvicorn.Config(
            app,
            log_config=None,  # the JSON logging configured at start-up
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=settings.http.shutdown_grace,
        )
        address = listener.getsockname()
        shown = f"[{address[0]}]" if ":" in address[0] else address[0]
        logger.info("serving MCP at http://%s:%d/mcp", shown, address[1])
        # sse-starlette ends every open event stream at SIGTERM, cutting off the replies of calls
        # in flight; uvicorn's grace period bounds the drain instead.
        AppStatus.enable_automatic_graceful_drain = False  # what its untyped disable_...() does
        await _DrainingServer(config).serve(sockets=[listener])


async def _http_app(
    server: PgMcpServer,
    container: Container,
    settings: Settings,
    host: str,
    auth: SdkAuthSettings | None,
) -> Starlette:
    """The SDK's streamable HTTP app with the caller bound, health routes and the scope gate."""
    identity = settings.identity
    server.middleware.append(
        CallerBinding(role_claim=identity.role_claim, user_claim=identity.user_claim)
    )
    probe = ReadinessProbe(
        await resolve(container.pools),
        await resolve(container.database_breakers),
        redis=await resolve(container.redis),
        redis_fail_open=settings.shared.redis_fail_open,
    )
    server.custom_route("/healthz", methods=["GET"])(healthz)
    server.custom_route("/readyz", methods=["GET"])(readyz(probe))
    registry = await resolve(container.metrics_registry)
    if registry is not None:
        server.custom_route("/metrics", methods=["GET"])(
            metrics(functools.partial(render_metrics, registry))
        )
    app = server.streamable_http_app(
        # Stateless: any replica answers any request, nothing to stick a client to.
        stateless_http=True,
        streamable_http_path=MCP_PATH,
        transport_security=transport_security(settings, host),
        max_request_body_size=settings.http.max_body_bytes,
        host=host,
    )
    # Appended, so after the SDK's authentication: a caller without a token learns nothing more.
    app.user_middleware.append(
        Middleware(RevisionGate, path=MCP_PATH, max_body=settings.http.max_body_bytes)
    )
    if settings.auth.auth_scoped:
        # Appended, so innermost: it runs after the SDK's authentication has found the user.
        app.user_middleware.append(
            Middleware(
                ScopeGate,
                path=MCP_PATH,
                max_body=settings.http.max_body_bytes,
                resource_metadata=metadata_url(auth),
            )
        )
    return app


class _DrainingServer(uvicorn.Server):
    """uvicorn's server, which drains on SIGTERM/SIGINT and then returns.

    uvicorn raises the signal again once it has drained, which would end the process before the
    pools close and the audit log is flushed; returning lets every `finally` run, exit status 0.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop listening, say so, then let uvicorn drain the calls in flight."""
        # uvicorn closes the listener only after its "Shutting down" line; closing it first
        # lets this line promise that no new connection is taken any more.
        for server in self.servers:
            server.close()
        logger.info(
            "no longer accepting connections; calls in flight get up to %d s",
            self.config.timeout_graceful_shutdown,
        )
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Take SIGTERM and SIGINT for the duration of serving; restore the handlers after."""
        handled = (signal.SIGTERM, signal.SIGINT)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, made here so that port 0 is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise ConfigurationError(
            f"--http: cannot listen on {host}:{port} ({exc.strerror or exc})"
        ) from None
