"""`pg-mcp serve --http HOST:PORT`: MCP streamable HTTP for a team, behind a load balancer."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Mapping

import asyncpg
import uvicorn
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.routes import build_resource_metadata_url
from mcp.server.auth.settings import AuthSettings as SdkAuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from starlette.middleware import Middleware

from adapters.http.caller_binding import CallerBinding
from adapters.http.either_token import EitherTokenVerifier
from adapters.http.health import healthz, readyz
from adapters.http.jwt_tokens import JwksTokenVerifier
from adapters.http.scope_gate import ScopeGate
from adapters.http.static_tokens import StaticTokenVerifier
from adapters.http.tool_scopes import ALL_DATABASES, ALL_TOOLS
from adapters.postgres.reachability import unreachable
from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitState
from bootstrap.loader import ConfigurationError
from bootstrap.runtime import mcp_server, resolve, running_container
from bootstrap.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
MCP_PATH = "/mcp"
_READY_TIMEOUT_SECONDS = 2.0
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


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach host."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_open_door(settings: Settings, host: str) -> None:
    """Refuse to serve other machines when nobody has to authenticate, unless asked to.

    Raises:
        ConfigurationError: a non-loopback host, no authentication, no explicit permission.
    """
    if is_loopback(host) or settings.auth.enabled or settings.http.allow_unauthenticated:
        return
    raise ConfigurationError(
        f"--http {host}: serving a non-loopback address needs PG_MCP_AUTH_TOKENS or "
        "PG_MCP_OAUTH_JWKS_URL (or PG_MCP_HTTP_ALLOW_UNAUTHENTICATED=true)"
    )


def token_checks(settings: Settings) -> tuple[SdkAuthSettings | None, TokenVerifier | None]:
    """The SDK's auth settings and the verifier of bearer tokens; (None, None) when off.

    Raises:
        ConfigurationError: OAuth is on without the issuer or the URL tokens are bound to.
    """
    auth, http = settings.auth, settings.http
    verifiers: list[TokenVerifier] = []
    if auth.auth_tokens:
        granted = [ALL_TOOLS, ALL_DATABASES, *auth.oauth_required_scopes]
        verifiers.append(StaticTokenVerifier(auth.auth_tokens, scopes=granted))
    resource = None
    if auth.oauth_jwks_url is not None:
        audience = auth.oauth_audience or http.public_url
        if audience is None or auth.oauth_issuer is None:
            raise ConfigurationError(
                "PG_MCP_OAUTH_JWKS_URL: also set PG_MCP_OAUTH_ISSUER and PG_MCP_HTTP_PUBLIC_URL "
                "(the URL of /mcp that tokens are issued for)"
            )
        verifiers.append(
            JwksTokenVerifier(
                jwks_url=auth.oauth_jwks_url, issuer=auth.oauth_issuer, audience=audience
            )
        )
        resource = http.public_url or audience
    if not verifiers:
        return None, None
    sdk = SdkAuthSettings(
        # Static tokens alone have no issuer; the SDK wants a URL it then never publishes.
        issuer_url=auth.oauth_issuer or http.public_url or "http://localhost",
        resource_server_url=resource,
        required_scopes=list(auth.oauth_required_scopes) or None,
        # The JWT verifier checks the audience itself; static tokens have none.
        validate_token_resource=False,
    )
    return sdk, EitherTokenVerifier(verifiers)


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


class ReadinessProbe:
    """Each database's problem, or None when it is ready."""

    def __init__(
        self,
        pools: Mapping[str, asyncpg.Pool[asyncpg.Record]],
        breakers: Mapping[str, CircuitBreaker],
    ) -> None:
        self._pools = pools
        self._breakers = breakers

    async def __call__(self) -> dict[str, str | None]:
        """Ask every database at once."""
        names = list(self._pools)
        found = await asyncio.gather(*(self._problem(name) for name in names))
        return dict(zip(names, found, strict=True))

    async def _problem(self, name: str) -> str | None:
        breaker = self._breakers.get(name)
        if breaker is not None and breaker.state is not CircuitState.CLOSED:
            return f"circuit {breaker.state}"
        return await unreachable(self._pools[name], timeout=_READY_TIMEOUT_SECONDS)


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
        identity = settings.identity
        server.middleware.append(
            CallerBinding(role_claim=identity.role_claim, user_claim=identity.user_claim)
        )
        probe = ReadinessProbe(
            await resolve(container.pools), await resolve(container.database_breakers)
        )
        server.custom_route("/healthz", methods=["GET"])(healthz)
        server.custom_route("/readyz", methods=["GET"])(readyz(probe))
        app = server.streamable_http_app(
            # Stateless: any replica answers any request, nothing to stick a client to.
            stateless_http=True,
            streamable_http_path=MCP_PATH,
            transport_security=transport_security(settings, host),
            max_request_body_size=settings.http.max_body_bytes,
            host=host,
        )
        if settings.auth.auth_scoped:
            # Appended, so innermost: it runs after the SDK's authentication has found the user.
            app.user_middleware.append(
                Middleware(
                    ScopeGate,
                    path=MCP_PATH,
                    max_body=settings.http.max_body_bytes,
                    resource_metadata=_metadata_url(auth),
                )
            )
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
        await uvicorn.Server(config).serve(sockets=[listener])


def _metadata_url(auth: SdkAuthSettings | None) -> str | None:
    if auth is None or auth.resource_server_url is None:
        return None
    return str(build_resource_metadata_url(auth.resource_server_url))


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, made here so that port 0 is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise ConfigurationError(
            f"--http: cannot listen on {host}:{port} ({exc.strerror or exc})"
        ) from None
