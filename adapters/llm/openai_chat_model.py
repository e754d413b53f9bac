"""A chat model reached through the OpenAI API or any OpenAI-compatible server."""

import asyncio
import functools
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel

# `import openai` costs about 0.5 s even after mcp is loaded: the server's start never waits for
# it (warm_up imports it in a worker thread once serving); the name serves the type checker.
if TYPE_CHECKING:
    import httpx2
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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Client:
    """The SDK's client, its HTTP connection pool (with the SDK's headers), and the URL called."""

    sdk: "AsyncOpenAI"
    http: "httpx2.AsyncClient"
    url: str


class OpenAIChatModel(ChatModel):
    """Asks an OpenAI-compatible chat-completions endpoint; falls back to plain text output.

    The SDK's cheapest path: its client, built once, resolves the base URL, auth and headers and
    owns the kept-alive connection pool; each call posts a plain JSON body through that pool and
    reads the reply's bytes, and a failure becomes the SDK's own error type. No call pays for
    the SDK's per-request option building, typed transform or response models.
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
            await client.sdk.close()
            await client.http.aclose()

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
    import openai

    api_key = config.api_key or (_PLACEHOLDER_KEY if config.base_url else None)
    # The SDK's own pool settings (connection limits, redirects), with the configured timeout,
    # over its aiohttp transport: half the cost per call of the default one (bench.overhead).
    http = openai.DefaultAioHttpClient(timeout=config.timeout)
    # Retries belong to a wrapper that sees every attempt, so the SDK would make just one.
    sdk = openai.AsyncOpenAI(
        api_key=api_key,
        base_url=config.base_url,
        timeout=config.timeout,
        max_retries=0,
        http_client=http,
    )
    sent = {**sdk.default_headers, **sdk.auth_headers}
    # The SDK marks headers it leaves out (organization, project) as Omit. Kept on the pool's
    # client, they are checked once instead of on every request.
    http.headers.update({name: value for name, value in sent.items() if isinstance(value, str)})
    return _Client(sdk=sdk, http=http, url=f"{str(sdk.base_url).rstrip('/')}/chat/completions")


async def _post(client: _Client, body: bytes) -> bytes:
    """The reply's bytes; a failure raised as the SDK itself raises it."""
    import httpx2
    import openai

    request = client.http.build_request("POST", client.url, content=body)
    try:
        response = await client.http.send(request)
    except httpx2.TimeoutException as exc:
        raise openai.APITimeoutError(request=request) from exc
    except (httpx2.HTTPError, ValueError) as exc:
        # aiohttp refuses some URLs (credentials beside the SDK's Authorization) with ValueError.
        raise openai.APIConnectionError(request=request) from exc
    if not response.is_success:
        # The SDK's own status table and message, so errors read as its other calls' do.
        raise client.sdk._make_status_error_from_response(response)
    return response.content


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
