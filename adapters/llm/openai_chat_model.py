"""A chat model reached through the OpenAI API or any OpenAI-compatible server."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply, Role
from domain.ports import ChatModel

# `import openai` costs about 0.5 s even after mcp is loaded, so the server's cold start only
# pays it on the first question; here the names serve the type checker alone.
if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

logger = logging.getLogger(__name__)

# Local servers (Ollama, llama.cpp, vLLM) reject an empty key less often than a missing one.
_PLACEHOLDER_KEY = "not-needed"
_DEFAULT_ENDPOINT = "api.openai.com"


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenAIConfig:
    """How to reach the chat model; the key is kept out of repr so it never lands in a log."""

    api_key: str | None = field(repr=False)
    base_url: str | None
    model: str
    timeout: float
    temperature: float = 0.0
    max_tokens: int = 1024


class OpenAIChatModel(ChatModel):
    """Asks an OpenAI-compatible chat-completions endpoint; falls back to plain text output."""

    def __init__(self, config: OpenAIConfig) -> None:
        self._config = config
        self._client: AsyncOpenAI | None = None
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
            model=self._config.model, timeout=self._config.timeout, endpoint=self._endpoint()
        ):
            completion = await self._create(messages, json_schema)
        return self._reply(completion)

    async def aclose(self) -> None:
        """Close the HTTP connections, if any were opened."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def _create(
        self, messages: Sequence[ChatMessage], json_schema: dict[str, object] | None
    ) -> "ChatCompletion":
        import openai

        if json_schema is None or not self._send_response_format:
            return await self._request(messages, response_format=None)
        try:
            return await self._request(messages, response_format=_response_format(json_schema))
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            logger.info(
                "Server refused response_format (HTTP %s); retrying as plain text", exc.status_code
            )
        completion = await self._request(messages, response_format=None)
        self._send_response_format = False
        return completion

    async def _request(
        self,
        messages: Sequence[ChatMessage],
        *,
        response_format: "ResponseFormatJSONSchema | None",
    ) -> "ChatCompletion":
        import openai

        return await self._connect().chat.completions.create(
            model=self._config.model,
            messages=[_message(m) for m in messages],
            temperature=self._config.temperature,
            max_tokens=self._config.max_tokens,
            response_format=openai.omit if response_format is None else response_format,
        )

    def _connect(self) -> "AsyncOpenAI":
        if self._client is None:
            import openai

            config = self._config
            api_key = config.api_key or (_PLACEHOLDER_KEY if config.base_url else None)
            # Retries belong to a wrapper that sees every attempt, so the SDK makes just one.
            self._client = openai.AsyncOpenAI(
                api_key=api_key, base_url=config.base_url, timeout=config.timeout, max_retries=0
            )
        return self._client

    def _endpoint(self) -> str:
        """Host and port of the server, without user, password, path or query."""
        if not self._config.base_url:
            return _DEFAULT_ENDPOINT
        parts = urlsplit(self._config.base_url)
        host = parts.hostname or "the configured base URL"
        return f"{host}:{parts.port}" if parts.port else host

    @staticmethod
    def _reply(completion: "ChatCompletion") -> ChatReply:
        if not completion.choices:
            raise AIServiceUnavailable("The AI service sent a reply without any choices")
        usage = completion.usage
        return ChatReply(
            text=completion.choices[0].message.content or "",
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
        )


def _message(message: ChatMessage) -> "ChatCompletionMessageParam":
    if message.role is Role.SYSTEM:
        return {"role": "system", "content": message.content}
    if message.role is Role.ASSISTANT:
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": message.content}


def _response_format(json_schema: dict[str, object]) -> "ResponseFormatJSONSchema":
    # strict=False: strict mode demands additionalProperties=false everywhere, which few schemas
    # and fewer local servers honour.
    return {
        "type": "json_schema",
        "json_schema": {"name": "sql_draft", "schema": json_schema, "strict": False},
    }
