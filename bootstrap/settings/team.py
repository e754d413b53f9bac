"""Settings for serving a team over HTTP: transport, authentication, identity, shared state."""

import json
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode

from bootstrap.settings.parsing import (
    CommaList,
    blank_is_none,
    comma_list,
    http_url,
    settings_config,
)

# Short static tokens can be guessed; 16 characters of a generator's output are not.
MIN_TOKEN_CHARS = 16
_LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")


class HttpSettings(BaseSettings):
    """How `pg-mcp serve --http` listens and which requests it takes."""

    model_config = settings_config("PG_MCP_HTTP_")

    # Host headers allowed besides loopback names and the public URL's (DNS rebinding).
    allowed_hosts: CommaList = ()
    allowed_origins: CommaList = ()
    # Serving a non-loopback address with no authentication must be asked for by name.
    allow_unauthenticated: bool = False
    # The URL clients reach /mcp at: the resource tokens are bound to (RFC 8707, RFC 9728).
    public_url: str | None = None
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    shutdown_grace: int = Field(default=30, ge=0, le=600)

    _split = field_validator("allowed_hosts", "allowed_origins", mode="before")(comma_list)
    _blank = field_validator("public_url", mode="before")(blank_is_none)
    _url = field_validator("public_url")(http_url)

    def host_patterns(self, bind_host: str) -> list[str]:
        """The Host headers to accept: loopback, the bound host, the public URL's, the listed."""
        hosts = [*_LOOPBACK_HOSTS, *self.allowed_hosts]
        if bind_host not in ("0.0.0.0", "::", ""):  # noqa: S104 - compared, not bound
            hosts.append(f"{bind_host}:*")
        if self.public_url is not None:
            netloc = self.public_url.split("://", 1)[1].split("/", 1)[0]
            hosts += [netloc, f"{netloc}:*"]
        return hosts


class AuthSettings(BaseSettings):
    """Who may call: static bearer tokens and/or OAuth 2.1 access tokens (JWT)."""

    model_config = settings_config("PG_MCP_")

    auth_tokens: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict, repr=False)
    oauth_issuer: str | None = None
    oauth_jwks_url: str | None = None
    # The audience tokens must carry; PG_MCP_HTTP_PUBLIC_URL when unset.
    oauth_audience: str | None = None
    oauth_required_scopes: CommaList = ()
    # When on, a call needs scope tool:<name>, and database:<name> for the database it reaches.
    auth_scoped: bool = False

    _split = field_validator("oauth_required_scopes", mode="before")(comma_list)
    _blank = field_validator("oauth_issuer", "oauth_jwks_url", "oauth_audience", mode="before")(
        blank_is_none
    )
    _url = field_validator("oauth_issuer", "oauth_jwks_url")(http_url)

    @field_validator("auth_tokens", mode="before")
    @classmethod
    def _tokens(cls, value: object) -> object:
        """A JSON object of token to subject, each token long enough not to be guessed."""
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
        ):
            raise ValueError('must be a JSON object of token to subject: {"<token>": "alice"}')
        if any(len(token) < MIN_TOKEN_CHARS for token in value):
            raise ValueError(f"every token must be at least {MIN_TOKEN_CHARS} characters")
        return value

    @property
    def oauth(self) -> bool:
        """True when JWT access tokens of an issuer are accepted."""
        return self.oauth_jwks_url is not None

    @property
    def enabled(self) -> bool:
        """True when every HTTP call must carry a bearer token."""
        return bool(self.auth_tokens) or self.oauth

    def secrets(self) -> list[str]:
        """The static tokens, which the logs must never show."""
        return list(self.auth_tokens)


class IdentitySettings(BaseSettings):
    """Which token claims reach PostgreSQL, for row-level security."""

    model_config = settings_config("PG_MCP_IDENTITY_")

    # A claim whose value becomes SET LOCAL ROLE (static tokens have one claim: sub).
    role_claim: str | None = None
    # A claim whose value becomes the setting pg_mcp.user.
    user_claim: str | None = None

    _blank = field_validator("role_claim", "user_claim", mode="before")(blank_is_none)


class SharedStateSettings(BaseSettings):
    """State shared by replicas: rate limits in Redis."""

    model_config = settings_config("PG_MCP_")

    redis_url: SecretStr | None = None
    # When Redis is unreachable: admit calls (open) or refuse them with ERR_009 (closed).
    redis_fail_open: bool = False

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_scheme(cls, value: object) -> object:
        value = blank_is_none(value)
        if isinstance(value, str) and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value
