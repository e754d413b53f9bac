"""Binds the authenticated caller of each MCP request, for limits, audit and PostgreSQL."""

from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from application.caller import Caller, bind_caller


class CallerBinding:
    """An MCP server middleware: the token's subject and chosen claims become the Caller.

    role_claim and user_claim name the claims whose values PostgreSQL sees as the role and as
    pg_mcp.user; a claim the token lacks leaves that part unset.
    """

    def __init__(self, *, role_claim: str | None = None, user_claim: str | None = None) -> None:
        self._role_claim = role_claim
        self._user_claim = user_claim

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Run the rest of the chain with the request's caller bound."""
        with bind_caller(self.caller_of(ctx)):
            return await call_next(ctx)

    def caller_of(self, ctx: ServerRequestContext[Any, Any]) -> Caller | None:
        """The caller the HTTP request authenticated as, or None (no authentication)."""
        # The SDK's bearer middleware put the user in the ASGI scope of this very request.
        scope = getattr(ctx.request, "scope", None) or {}
        user = scope.get("user")
        if not isinstance(user, AuthenticatedUser):
            return None
        token = user.access_token
        return Caller(
            subject=token.subject or token.client_id,
            scopes=frozenset(token.scopes),
            db_role=_claim(token, self._role_claim),
            db_user=_claim(token, self._user_claim),
        )


def _claim(token: AccessToken, name: str | None) -> str | None:
    if name is None:
        return None
    value = (token.claims or {}).get(name)
    return value if isinstance(value, str) and value else None
