"""A chat model behind a token bucket."""

from collections.abc import Sequence

from adapters.resilience.rate_limits import LlmRateLimiter
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel


class RateLimitedChatModel(ChatModel):
    """Takes a token from the limiter before each call to the inner model."""

    def __init__(self, inner: ChatModel, limiter: LlmRateLimiter) -> None:
        self._inner = inner
        self._limiter = limiter

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """The inner model's reply, once the limiter allows the call.

        Raises:
            RateLimited: too many calls to the chat model.
        """
        await self._limiter.acquire()
        return await self._inner.complete(messages, json_schema=json_schema)
