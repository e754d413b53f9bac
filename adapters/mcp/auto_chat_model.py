"""The chat model of provider "auto": the configured one, else the client's own through sampling."""

from collections.abc import Sequence

from adapters.mcp.request_scope import current_request, supports_sampling
from adapters.mcp.sampling_chat_model import SamplingChatModel
from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply
from domain.ports import ChatModel

# Written here rather than imported: adapters.mcp may not import adapters.llm.
_ADVICE = (
    "No AI model is configured and the connected MCP client does not offer sampling: set "
    "PG_MCP_OPENAI_API_KEY to use OpenAI, or PG_MCP_OPENAI_BASE_URL to use a local "
    "OpenAI-compatible server such as Ollama (http://localhost:11434/v1), with "
    "PG_MCP_OPENAI_MODEL naming the model"
)


class AutoChatModel(ChatModel):
    """Uses the preferred model when there is one, else the client's model when it can sample."""

    def __init__(self, *, preferred: ChatModel | None, sampling: SamplingChatModel) -> None:
        self._preferred = preferred
        self._sampling = sampling

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """Answer with the preferred model, else by sampling the current client.

        Raises:
            AIServiceUnavailable: neither is available, or the chosen one failed.
        """
        return await self._choose().complete(messages, json_schema=json_schema)

    def _choose(self) -> ChatModel:
        if self._preferred is not None:
            return self._preferred
        ctx = current_request()
        if ctx is not None and supports_sampling(ctx):
            return self._sampling
        raise AIServiceUnavailable(_ADVICE)
