"""OAuth 2.1 access tokens: JWTs signed by the issuer's keys (JWKS) and bound to this server."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import jwt
from mcp.server.auth.provider import AccessToken, TokenVerifier

logger = logging.getLogger(__name__)

# Asymmetric only: a shared-secret algorithm would let anyone holding the JWKS forge tokens.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
_LEEWAY_SECONDS = 30  # clock skew between issuer and replicas
_JWKS_TIMEOUT_SECONDS = 5


class JwksTokenVerifier(TokenVerifier):
    """Verifies signature, issuer, audience (RFC 8707) and expiry with PyJWT."""

    def __init__(
        self,
        *,
        jwks_url: str,
        issuer: str | None,
        audience: str,
        algorithms: Sequence[str] = ALGORITHMS,
    ) -> None:
        # Keys are cached; an unknown `kid` (the issuer rotated) fetches the set again.
        self._keys = jwt.PyJWKClient(
            jwks_url, cache_keys=True, lifespan=300, timeout=_JWKS_TIMEOUT_SECONDS
        )
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's access, or None when any check fails (the SDK answers 401)."""
        try:
            # PyJWKClient fetches with urllib: off the event loop.
            key = await asyncio.to_thread(self._keys.get_signing_key_from_jwt, token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.PyJWTError as exc:
            # The reason, never the token.
            logger.info("bearer token refused: %s", type(exc).__name__)
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims["sub"]),
            scopes=_scopes(claims),
            expires_at=int(claims["exp"]),
            resource=self._audience,
            subject=str(claims["sub"]),
            claims=claims,
        )


def _scopes(claims: dict[str, Any]) -> list[str]:
    """RFC 9068 `scope` (space-separated), or the `scp` list some issuers send."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return scope.split()
    listed = claims.get("scp")
    return [str(s) for s in listed] if isinstance(listed, list) else []
