"""A chat model that fails fast while its circuit is open."""

from collections.abc import Callable, Sequence

from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitOpen
from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel


def _ai_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, AIServiceUnavailable)


class CircuitBreakingChatModel(ChatModel):
    """Refuses calls with AIServiceUnavailable while the chat model's circuit is open."""

    def __init__(
        self,
        inner: ChatModel,
        breaker: CircuitBreaker,
        *,
        counts: Callable[[BaseException], bool] = _ai_unavailable,
    ) -> None:
        self._inner = inner
        self.breaker = breaker
        self._counts = counts

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """The inner model's reply unless the circuit is open.

        Raises:
            AIServiceUnavailable: the circuit is open; the message says when it will try again.
        """
        try:
            return await self.breaker.call(
                lambda: self._inner.complete(messages, json_schema=json_schema),
                counts=self._counts,
            )
        except CircuitOpen as exc:
            last = self.breaker.last_failure
            suffix = f" (last error: {last})" if isinstance(last, AIServiceUnavailable) else ""
            raise AIServiceUnavailable(f"{exc}{suffix}") from exc
