"""Times every chat-model call and counts its tokens (an `Around` of the chat model)."""

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from adapters.observability.server_metrics import ServerMetrics
from domain.models import ChatReply

T = TypeVar("T")


class LlmCallMetrics:
    """Records each call's latency and outcome and the reply's tokens in and out."""

    def __init__(
        self, metrics: ServerMetrics, *, timer: Callable[[], float] = time.perf_counter
    ) -> None:
        self._metrics = metrics
        self._timer = timer

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call's result, unchanged."""
        started = self._timer()
        try:
            reply = await call()
        except Exception:
            self._metrics.observe_llm_call(self._timer() - started, ok=False)
            raise
        self._metrics.observe_llm_call(self._timer() - started, ok=True)
        if isinstance(reply, ChatReply):
            self._metrics.count_tokens(reply.tokens_in, reply.tokens_out)
        return reply
