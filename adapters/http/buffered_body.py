"""Reading a request body ahead of the app, for gates that must see it, then replaying it."""

from starlette.types import Message, Receive, Send


async def buffered(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """The whole body (None past limit) and a receive that replays what was read."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > limit or not message.get("more_body", False):
            break
    complete = size <= limit and messages[-1].get("more_body", False) is False
    body = b"".join(m.get("body", b"") for m in messages) if complete else None

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return body, replay


async def send_response(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    """A whole response: JSON when the body is an object, plain text otherwise."""
    headers = [
        (b"content-type", b"application/json" if body.startswith(b"{") else b"text/plain"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
