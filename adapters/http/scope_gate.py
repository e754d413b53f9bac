"""Refuses a tool call whose token lacks its scopes: 403 insufficient_scope, per the MCP spec."""

import json

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.http.buffered_body import buffered, send_response
from adapters.http.tool_scopes import missing_scopes, needed_scopes


class ScopeGate:
    """ASGI middleware after the SDK's authentication: reads a POST to /mcp, checks its scopes.

    A body past max_body passes untouched (the SDK answers 413); one that is not JSON is
    refused here, so that no parser laxer than ours can read a call the gate did not check.
    """

    def __init__(
        self, app: ASGIApp, *, path: str, max_body: int, resource_metadata: str | None
    ) -> None:
        self._app = app
        self._path = path
        self._max_body = max_body
        self._metadata = resource_metadata

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 403 naming the scopes it lacks."""
        user = scope.get("user")
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/") == self._path
            and isinstance(user, AuthenticatedUser)
        ):
            await self._app(scope, receive, send)
            return
        body, replay = await buffered(receive, self._max_body)
        if body is None:
            await self._app(scope, replay, send)
            return
        try:
            message = json.loads(body)
        except ValueError:
            await send_response(send, 400, b"Parse error: the body is not JSON", [])
            return
        missing = missing_scopes(needed_scopes(message), user.scopes)
        if missing:
            await self._refuse(send, missing)
            return
        await self._app(scope, replay, send)

    async def _refuse(self, send: Send, missing: list[str]) -> None:
        scopes = " ".join(missing)
        challenge = f'Bearer error="insufficient_scope", scope="{scopes}"'
        if self._metadata is not None:
            challenge += f', resource_metadata="{self._metadata}"'
        body = json.dumps(
            {"error": "insufficient_scope", "error_description": f"Required scope: {scopes}"}
        ).encode()
        await send_response(send, 403, body, [(b"www-authenticate", challenge.encode())])
