"""A chat model that counts tokens and times every call of the model it wraps."""

import time
from collections.abc import Callable, Sequence

from adapters.observability.server_metrics import ServerMetrics
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel


class InstrumentedChatModel(ChatModel):
    """Records each call's latency and outcome and the reply's tokens in and out."""

    def __init__(
        self,
        inner: ChatModel,
        metrics: ServerMetrics,
        *,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._inner = inner
        self._metrics = metrics
        self._timer = timer

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """The inner model's reply, unchanged."""
        started = self._timer()
        try:
            reply = await self._inner.complete(messages, json_schema=json_schema)
        except Exception:
            self._metrics.observe_llm_call(self._timer() - started, ok=False)
            raise
        self._metrics.observe_llm_call(self._timer() - started, ok=True)
        self._metrics.count_tokens(reply.tokens_in, reply.tokens_out)
        return reply
