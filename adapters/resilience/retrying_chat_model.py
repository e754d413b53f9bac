"""A chat model that tries again after transient failures."""

import asyncio
from collections.abc import Sequence

from adapters.resilience.backoff import (
    OnRetry,
    RetryAfter,
    Sleep,
    Transient,
    async_retrying,
    call_with_retries,
    no_retry_after,
)
from adapters.resilience.retry_policy import RetryPolicy
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel


class RetryingChatModel(ChatModel):
    """Retries the inner model's transient failures with backoff, honouring Retry-After."""

    def __init__(
        self,
        inner: ChatModel,
        policy: RetryPolicy,
        *,
        transient: Transient,
        retry_after: RetryAfter = no_retry_after,
        on_retry: OnRetry | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._transient = transient
        self._retry_after = retry_after
        self._on_retry = on_retry
        self._sleep = sleep

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """The inner model's reply; the last error once the attempts are spent."""
        return await call_with_retries(
            lambda: self._inner.complete(messages, json_schema=json_schema),
            transient=self._transient,
            retrying=lambda: async_retrying(
                self._policy,
                what="The chat model",
                transient=self._transient,
                retry_after=self._retry_after,
                on_retry=self._on_retry,
                sleep=self._sleep,
            ),
        )
