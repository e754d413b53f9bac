"""A chat model reached through the OpenAI API or any OpenAI-compatible server."""

import asyncio
import functools
import json
import logging
import threading
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel

# `import openai` costs about 0.5 s even after mcp is loaded: the server's start never waits for
# it (warm_up imports it and aiohttp in a worker thread once serving); the names serve the type
# checker.
if TYPE_CHECKING:
    import ssl

    import aiohttp
    from openai import AsyncOpenAI

logger = logging.getLogger(__name__)

# Local servers (Ollama, llama.cpp, vLLM) reject an empty key less often than a missing one.
_PLACEHOLDER_KEY = "not-needed"
_DEFAULT_ENDPOINT = "api.openai.com"
_UNREADABLE = "The AI service sent a reply that could not be read"

Json = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenAIConfig:
    """How to reach the chat model; the key is kept out of repr so it never lands in a log."""

    api_key: str | None = field(repr=False)
    base_url: str | None
    model: str
    timeout: float
    temperature: float = 0.0
    max_tokens: int = 1024


@dataclass(slots=True, kw_only=True)
class _Client:
    """The SDK's client (URL, auth, error types), its request headers, and the aiohttp pool."""

    sdk: "AsyncOpenAI"
    url: str
    headers: dict[str, str]
    timeout: float
    tls: "ssl.SSLContext"
    proxy: str | None
    session: "aiohttp.ClientSession | None" = None  # opened on the loop by the first call

    def pool(self) -> "aiohttp.ClientSession":
        """The kept-alive connection pool, opened on first use."""
        if self.session is None:
            import aiohttp

            per_step = self.timeout  # as the SDK's own: connect and each read, not the total
            self.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self.tls),
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=per_step, sock_connect=per_step, sock_read=per_step
                ),
            )
        return self.session


class OpenAIChatModel(ChatModel):
    """Asks an OpenAI-compatible chat-completions endpoint; falls back to plain text output.

    The SDK's client, built once, resolves the base URL, auth and headers; each call posts a
    plain JSON body through a kept-alive aiohttp pool (the transport the SDK offers as its
    faster one) and reads the reply's bytes, and a failure becomes the SDK's own error type. No
    call pays for the SDK's per-request option building, typed transform, response models or
    the httpx request and response objects it wraps around aiohttp.
    """

    def __init__(self, config: OpenAIConfig) -> None:
        self._config = config
        self._client: _Client | None = None
        self._building = threading.Lock()  # warm_up builds the client in a worker thread
        # Cleared for good once the server refuses response_format and the plain call works.
        self._send_response_format = True

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """Answer the conversation; request JSON matching json_schema where the server can.

        Raises:
            AIServiceUnavailable: the server failed, timed out, refused the call or is unreachable.
        """
        from adapters.llm.errors import translate_openai_errors

        with translate_openai_errors(
            model=self._config.model, timeout=self._config.timeout, endpoint=self._endpoint
        ):
            body = await self._create(messages, json_schema)
        return _reply(body)

    async def warm_up(self) -> None:
        """Import the SDK and build the client in a worker thread, before a question needs them."""
        await asyncio.to_thread(self._connect)

    async def aclose(self) -> None:
        """Close the HTTP connections, if any were opened."""
        with self._building:
            client, self._client = self._client, None
        if client is not None:
            if client.session is not None:
                await client.session.close()
            await client.sdk.close()

    async def _create(
        self, messages: Sequence[ChatMessage], json_schema: dict[str, object] | None
    ) -> bytes:
        import openai

        if json_schema is None or not self._send_response_format:
            return await self._request(messages, response_format=None)
        try:
            return await self._request(messages, response_format=_response_format(json_schema))
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            logger.info(
                "Server refused response_format (HTTP %s); retrying as plain text", exc.status_code
            )
        body = await self._request(messages, response_format=None)
        self._send_response_format = False
        return body

    async def _request(
        self, messages: Sequence[ChatMessage], *, response_format: Json | None
    ) -> bytes:
        body: Json = {
            "model": self._config.model,
            "messages": [_message(m) for m in messages],
            "temperature": self._config.temperature,
            "max_tokens": self._config.max_tokens,
        }
        if response_format is not None:
            body["response_format"] = response_format
        return await _post(self._connect(), json.dumps(body).encode())

    def _connect(self) -> _Client:
        with self._building:
            if self._client is None:
                self._client = _client_for(self._config)
            return self._client

    @functools.cached_property
    def _endpoint(self) -> str:
        """Host and port of the server, without user, password, path or query."""
        if not self._config.base_url:
            return _DEFAULT_ENDPOINT
        parts = urlsplit(self._config.base_url)
        host = parts.hostname or "the configured base URL"
        return f"{host}:{parts.port}" if parts.port else host


def _client_for(config: OpenAIConfig) -> _Client:
    import aiohttp  # noqa: F401  imported here, off the loop, when warm_up runs in its thread
    import httpx2
    import openai

    api_key = config.api_key or (_PLACEHOLDER_KEY if config.base_url else None)
    # Retries belong to a wrapper that sees every attempt, so the SDK would make just one.
    sdk = openai.AsyncOpenAI(
        api_key=api_key, base_url=config.base_url, timeout=config.timeout, max_retries=0
    )
    sent = {**sdk.default_headers, **sdk.auth_headers}
    # The SDK marks headers it leaves out (organization, project) as Omit: checked once here.
    headers = {name: value for name, value in sent.items() if isinstance(value, str)}
    url = f"{str(sdk.base_url).rstrip('/')}/chat/completions"
    return _Client(
        sdk=sdk,
        url=url,
        headers=headers,
        timeout=config.timeout,
        # The certificates the SDK's own transport trusts (SSL_CERT_FILE, SSL_CERT_DIR honoured).
        tls=httpx2.create_ssl_context(trust_env=True),
        proxy=_proxy_for(url),
    )


def _proxy_for(url: str) -> str | None:
    """The proxy HTTP_PROXY or HTTPS_PROXY name for `url`, unless NO_PROXY exempts its host.

    Read once, as the SDK's httpx client reads them: aiohttp's trust_env would read them again
    (and ~/.netrc) on every call, which cost more than the rest of the call.
    """
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


async def _post(client: _Client, body: bytes) -> bytes:
    """The reply's bytes; a failure raised as the SDK itself raises it."""
    import aiohttp

    try:
        posting = client.pool().post(
            client.url, data=body, headers=client.headers, proxy=client.proxy
        )
        async with posting as response:
            content = await response.read()
            status, received = response.status, list(response.raw_headers)
    except TimeoutError as exc:
        raise _sdk_error(client, timed_out=True) from exc
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        # aiohttp refuses some URLs (credentials beside the SDK's Authorization) with ValueError.
        raise _sdk_error(client, timed_out=False) from exc
    if not 200 <= status < 300:
        raise _status_error(client, status, received, content)
    return content


def _sdk_error(client: _Client, *, timed_out: bool) -> Exception:
    """The SDK's own timeout or connection error for a call to client.url."""
    import httpx2
    import openai

    request = httpx2.Request("POST", client.url)
    if timed_out:
        return openai.APITimeoutError(request=request)
    return openai.APIConnectionError(request=request)


def _status_error(
    client: _Client, status: int, headers: list[tuple[bytes, bytes]], content: bytes
) -> Exception:
    """The SDK's own error for an HTTP status: its status table and message, its headers."""
    import httpx2

    request = httpx2.Request("POST", client.url)
    response = httpx2.Response(status, headers=headers, content=content, request=request)
    return client.sdk._make_status_error_from_response(response)


def _reply(body: bytes) -> ChatReply:
    try:
        completion = json.loads(body)
        choices = completion["choices"]
    except (ValueError, TypeError, KeyError) as exc:
        raise AIServiceUnavailable(_UNREADABLE) from exc
    if not choices:
        raise AIServiceUnavailable("The AI service sent a reply without any choices")
    try:
        text = choices[0]["message"]["content"] or ""
        usage = completion.get("usage") or {}
        tokens_in = int(usage.get("prompt_tokens") or 0)
        tokens_out = int(usage.get("completion_tokens") or 0)
    except (TypeError, KeyError, AttributeError, ValueError) as exc:
        raise AIServiceUnavailable(_UNREADABLE) from exc
    if not isinstance(text, str):
        raise AIServiceUnavailable(_UNREADABLE)
    return ChatReply(text=text, tokens_in=tokens_in, tokens_out=tokens_out)


def _message(message: ChatMessage) -> dict[str, str]:
    return {"role": str(message.role), "content": message.content}


def _response_format(json_schema: dict[str, object]) -> Json:
    # strict=False: strict mode demands additionalProperties=false everywhere, which few schemas
    # and fewer local servers honour.
    return {
        "type": "json_schema",
        "json_schema": {"name": "sql_draft", "schema": json_schema, "strict": False},
    }
