"""Refuses a request whose body claims the current protocol revision but whose headers do not."""

import json

from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp.types import HEADER_MISMATCH, PROTOCOL_VERSION_META_KEY
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.http.buffered_body import buffered, send_response


class RevisionGate:
    """ASGI middleware for POSTs to /mcp: a body's envelope version needs the same header.

    The SDK picks the revision from the MCP-Protocol-Version header alone, so a body carrying
    the current revision's envelope with no header (or an older one) would be served as an
    older revision, its envelope ignored; the current revision requires the header to match.
    """

    def __init__(self, app: ASGIApp, *, path: str, max_body: int) -> None:
        self._app = app
        self._path = path
        self._max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 400 saying which header the body contradicts."""
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/") == self._path
        ):
            await self._app(scope, receive, send)
            return
        body, replay = await buffered(receive, self._max_body)
        claimed = _envelope_version(body)
        header = dict(scope["headers"]).get(MCP_PROTOCOL_VERSION_HEADER.encode())
        if claimed is None or header == claimed.encode():
            await self._app(scope, replay, send)
            return
        message = (
            f"{MCP_PROTOCOL_VERSION_HEADER} header is required and must be {claimed}, "
            "the protocol version of the request envelope"
        )
        error = {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": HEADER_MISMATCH, "message": message},
        }
        await send_response(send, 400, json.dumps(error).encode(), [])


def _envelope_version(body: bytes | None) -> str | None:
    """The protocol version a JSON-RPC request's params._meta names, if it names one."""
    try:
        message = json.loads(body) if body is not None else None
    except ValueError:
        return None  # the SDK answers a parse error
    params = message.get("params") if isinstance(message, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    version = meta.get(PROTOCOL_VERSION_META_KEY) if isinstance(meta, dict) else None
    return version if isinstance(version, str) else None
