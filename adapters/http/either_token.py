"""Static tokens and OAuth tokens side by side: the first verifier that knows a token wins."""

from collections.abc import Sequence

from mcp.server.auth.provider import AccessToken, TokenVerifier


class EitherTokenVerifier(TokenVerifier):
    """Asks each verifier in turn."""

    def __init__(self, verifiers: Sequence[TokenVerifier]) -> None:
        self._verifiers = tuple(verifiers)

    async def verify_token(self, token: str) -> AccessToken | None:
        """The first verifier's access token, or None when none accepts it."""
        for verifier in self._verifiers:
            found = await verifier.verify_token(token)
            if found is not None:
                return found
        return None
