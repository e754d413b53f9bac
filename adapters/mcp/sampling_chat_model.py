"""A chat model that is the connected MCP client's own model, reached by sampling/createMessage."""

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from adapters.mcp.request_scope import current_request, supports_sampling
from domain.errors import AIServiceUnavailable
from domain.models import ChatMessage, ChatReply, Role
from domain.ports import ChatModel

# The SDK is imported by the calls that sample: only a served tool call can, and `pg-mcp ask`
# builds this model without loading the SDK.
if TYPE_CHECKING:
    from mcp.server.mcpserver import Context
    from mcp.shared.exceptions import MCPError
    from mcp.types import CreateMessageRequestParams, CreateMessageResult, SamplingMessage

logger = logging.getLogger(__name__)

NO_SAMPLING_ADVICE = (
    "The connected MCP client does not offer sampling; configure PG_MCP_OPENAI_API_KEY or "
    "PG_MCP_OPENAI_BASE_URL"
)
_NO_REQUEST = (
    "Sampling needs a connected MCP client, and there is none for this call; configure "
    "PG_MCP_OPENAI_API_KEY or PG_MCP_OPENAI_BASE_URL"
)


class SamplingChatModel(ChatModel):
    """Asks the model of the client that made the current tool call, through MCP sampling."""

    def __init__(self, *, max_tokens: int = 1024, timeout: float = 120.0) -> None:
        self._max_tokens = max_tokens
        # Clients such as Claude Desktop ask the user to approve each sampling request, so the
        # wait covers a human as well as a model.
        self._timeout = timeout

    async def complete(
        self, messages: Sequence[ChatMessage], *, json_schema: dict[str, object] | None = None
    ) -> ChatReply:
        """Answer with the client's model; json_schema is ignored, as sampling has no JSON mode.

        Raises:
            AIServiceUnavailable: no client can sample, or it refused, failed or timed out.
        """
        from mcp.shared.exceptions import MCPError
        from mcp.shared.message import ServerMessageMetadata
        from mcp.types import CreateMessageRequest, CreateMessageResult

        ctx = _sampling_request()
        try:
            result = await ctx.request_context.session.send_request(
                CreateMessageRequest(params=self._params(messages)),
                CreateMessageResult,
                request_read_timeout_seconds=self._timeout,
                metadata=ServerMessageMetadata(related_request_id=ctx.request_context.request_id),
            )
        except MCPError as exc:
            logger.info("sampling failed: %s", exc.message)
            raise AIServiceUnavailable(_failure_message(exc)) from exc
        except ValidationError as exc:
            raise AIServiceUnavailable("The MCP client's sampling reply could not be read") from exc
        return ChatReply(text=_text_of(result))

    def _params(self, messages: Sequence[ChatMessage]) -> "CreateMessageRequestParams":
        from mcp.types import CreateMessageRequestParams

        system = "\n\n".join(m.content for m in messages if m.role is Role.SYSTEM)
        return CreateMessageRequestParams(
            messages=[_sampling_message(m) for m in messages if m.role is not Role.SYSTEM],
            system_prompt=system or None,
            include_context="none",
            temperature=0.0,
            max_tokens=self._max_tokens,
        )


def _sampling_request() -> "Context[Any, Any]":
    ctx = current_request()
    if ctx is None:
        raise AIServiceUnavailable(_NO_REQUEST)
    if not supports_sampling(ctx):
        raise AIServiceUnavailable(NO_SAMPLING_ADVICE)
    return ctx


def _sampling_message(message: ChatMessage) -> "SamplingMessage":
    from mcp.types import SamplingMessage, TextContent

    role = "assistant" if message.role is Role.ASSISTANT else "user"
    return SamplingMessage(role=role, content=TextContent(type="text", text=message.content))


def _text_of(result: "CreateMessageResult") -> str:
    from mcp.types import TextContent

    if not isinstance(result.content, TextContent):
        raise AIServiceUnavailable("The MCP client's model replied without text")
    return result.content.text


def _failure_message(exc: "MCPError") -> str:
    # The client's error text is its own (for example "User rejected sampling request") and is
    # what tells the user why; it carries nothing of pg-mcp's configuration.
    return f"The MCP client's model did not answer: {exc.message[:200]}"
