"""The chat model in place when none is configured: every call says how to configure one."""

from collections.abc import Sequence

from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel

_ADVICE = (
    "No AI model is configured: set PG_MCP_OPENAI_API_KEY to use OpenAI, or "
    "PG_MCP_OPENAI_BASE_URL to use a local OpenAI-compatible server such as Ollama "
    "(http://localhost:11434/v1), with PG_MCP_OPENAI_MODEL naming the model"
)


class UnconfiguredChatModel(ChatModel):
    """Stands in for the chat model when neither an API key nor a base URL is set."""

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """Always refuse, telling the user how to configure a model.

        Raises:
            AIServiceUnavailable: always.
        """
        raise AIServiceUnavailable(_ADVICE)
