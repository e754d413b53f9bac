"""A chat model that answers from a script: for tests, demos and embedders."""

from collections.abc import Callable, Iterable, Sequence

from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel

Responder = Callable[[Sequence[ChatMessage]], str]


class ScriptedChatModel(ChatModel):
    """Replies with the scripted texts in order, or computes a reply with a responder."""

    def __init__(self, replies: Iterable[str] = (), *, responder: Responder | None = None) -> None:
        self._replies = list(replies)
        self._responder = responder
        self.conversations: list[tuple[ChatMessage, ...]] = []

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """Answer with the next scripted reply (or the responder's)."""
        self.conversations.append(tuple(messages))
        if self._replies:
            return ChatReply(text=self._replies.pop(0))
        if self._responder is not None:
            return ChatReply(text=self._responder(messages))
        raise AIServiceUnavailable("The scripted chat model has no reply left")
