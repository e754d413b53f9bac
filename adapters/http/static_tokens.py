"""Bearer tokens from configuration, each naming its subject: the simplest team set-up."""

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from mcp.server.auth.provider import AccessToken, TokenVerifier


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class StaticTokenVerifier(TokenVerifier):
    """Accepts the configured tokens; the token's one claim is `sub`, its subject.

    Every static token carries the same `scopes`: the operator who wrote it trusts its holder.
    """

    def __init__(self, tokens: Mapping[str, str], *, scopes: Sequence[str] = ()) -> None:
        # Only digests are kept, compared in constant time: no timing hint at a token's prefix.
        self._subjects = [(_digest(token), subject) for token, subject in tokens.items()]
        self._scopes = list(scopes)

    async def verify_token(self, token: str) -> AccessToken | None:
        """The subject's access token, or None for a token not configured."""
        digest = _digest(token)
        found = None
        for known, subject in self._subjects:
            if hmac.compare_digest(known, digest):
                found = subject
        if found is None:
            return None
        return AccessToken(
            token=token, client_id=found, scopes=self._scopes, subject=found, claims={"sub": found}
        )
