"""Who may call over HTTP, from the settings: the SDK's auth settings and the token verifiers."""

import ipaddress

from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.routes import build_resource_metadata_url
from mcp.server.auth.settings import AuthSettings as SdkAuthSettings

from adapters.http.either_token import EitherTokenVerifier
from adapters.http.jwt_tokens import JwksTokenVerifier
from adapters.http.static_tokens import StaticTokenVerifier
from adapters.http.tool_scopes import ALL_DATABASES, ALL_TOOLS
from bootstrap.loader import ConfigurationError
from bootstrap.settings import Settings


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


def metadata_url(auth: SdkAuthSettings | None) -> str | None:
    if auth is None or auth.resource_server_url is None:
        return None
    return str(build_resource_metadata_url(auth.resource_server_url))
