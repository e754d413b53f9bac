"""SQL drafted by the connected client's own model, over the in-memory MCP client."""

import asyncio
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.session import ClientRequestContext, SamplingFnT
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import (
    INTERNAL_ERROR,
    CreateMessageRequestParams,
    CreateMessageResult,
    ErrorData,
    ImageContent,
    TextContent,
)

from adapters.mcp.auto_chat_model import AutoChatModel
from adapters.mcp.request_scope import bind_request, current_request
from adapters.mcp.sampling_chat_model import SamplingChatModel
from adapters.memory.scripted_chat_model import ScriptedChatModel
from domain.errors import ErrorCode, PgMcpError
from domain.models import ChatMessage, Role
from domain.ports import ChatModel

CONVERSATION = (
    ChatMessage(role=Role.SYSTEM, content="You write one PostgreSQL SELECT."),
    ChatMessage(role=Role.USER, content="How many customers?"),
    ChatMessage(role=Role.ASSISTANT, content="SELECT count(*) FROM customer"),
    ChatMessage(role=Role.USER, content="relation customer does not exist; try again"),
)


class RecordingSampler:
    """A client's sampling handler that answers with a fixed text and keeps what it was asked."""

    def __init__(self, text: str = "SELECT 1") -> None:
        self.text = text
        self.requests: list[CreateMessageRequestParams] = []

    async def __call__(
        self, context: ClientRequestContext, params: CreateMessageRequestParams
    ) -> CreateMessageResult:
        self.requests.append(params)
        return CreateMessageResult(
            role="assistant", content=TextContent(type="text", text=self.text), model="client-model"
        )


def _server(model: ChatModel) -> MCPServer:
    server = MCPServer(name="sampling-test")

    @server.tool()
    async def draft(ctx: Context[Any, Any]) -> str:
        """Draft SQL with the model under test; an error comes back as its code."""
        with bind_request(ctx):
            try:
                return (await model.complete(CONVERSATION)).text
            except PgMcpError as error:
                return str(error.code)

    return server


async def _draft(model: ChatModel, sampler: SamplingFnT | None, *, mode: str = "legacy") -> str:
    async with (
        asyncio.timeout(5),
        Client(_server(model), sampling_callback=sampler, mode=mode) as client,
    ):
        result = await client.call_tool("draft", {})
    content = result.content[0]
    assert isinstance(content, TextContent)
    return content.text


@pytest.mark.anyio
async def test_the_clients_model_drafts_the_sql() -> None:
    sampler = RecordingSampler("SELECT 1")

    assert await _draft(SamplingChatModel(), sampler) == "SELECT 1"


@pytest.mark.anyio
async def test_the_client_receives_the_system_prompt_and_the_conversation() -> None:
    sampler = RecordingSampler()

    await _draft(SamplingChatModel(max_tokens=512), sampler)

    [params] = sampler.requests
    assert params.system_prompt == "You write one PostgreSQL SELECT."
    assert [(m.role, m.content) for m in params.messages] == [
        (m.role.value, TextContent(type="text", text=m.content)) for m in CONVERSATION[1:]
    ]
    assert (params.max_tokens, params.temperature, params.include_context) == (512, 0.0, "none")


@pytest.mark.anyio
async def test_a_client_without_sampling_gets_err_003() -> None:
    assert await _draft(SamplingChatModel(), None) == ErrorCode.AI_SERVICE


@pytest.mark.anyio
async def test_a_connection_without_a_back_channel_gets_err_003_without_asking() -> None:
    sampler = RecordingSampler()

    # The 2026-07-28 per-request protocol cannot carry a server request, even with sampling.
    assert await _draft(SamplingChatModel(), sampler, mode="auto") == ErrorCode.AI_SERVICE
    assert sampler.requests == []


@pytest.mark.anyio
async def test_a_client_that_refuses_to_sample_gets_err_003() -> None:
    async def refuse(
        context: ClientRequestContext, params: CreateMessageRequestParams
    ) -> ErrorData:
        return ErrorData(code=INTERNAL_ERROR, message="User rejected sampling request")

    assert await _draft(SamplingChatModel(), refuse) == ErrorCode.AI_SERVICE


@pytest.mark.anyio
async def test_a_sampling_handler_that_raises_gets_err_003() -> None:
    async def crash(
        context: ClientRequestContext, params: CreateMessageRequestParams
    ) -> CreateMessageResult:
        raise RuntimeError("the client's model is down")

    assert await _draft(SamplingChatModel(), crash) == ErrorCode.AI_SERVICE


@pytest.mark.anyio
async def test_a_reply_without_text_gets_err_003() -> None:
    async def picture(
        context: ClientRequestContext, params: CreateMessageRequestParams
    ) -> CreateMessageResult:
        image = ImageContent(type="image", data="AAAA", mime_type="image/png")
        return CreateMessageResult(role="assistant", content=image, model="client-model")

    assert await _draft(SamplingChatModel(), picture) == ErrorCode.AI_SERVICE


@pytest.mark.anyio
async def test_a_client_that_never_answers_times_out_with_err_003() -> None:
    async def stall(
        context: ClientRequestContext, params: CreateMessageRequestParams
    ) -> CreateMessageResult:
        await anyio.Event().wait()
        raise AssertionError("unreachable")

    assert await _draft(SamplingChatModel(timeout=0.05), stall) == ErrorCode.AI_SERVICE


@pytest.mark.anyio
async def test_sampling_outside_a_tool_call_gets_err_003() -> None:
    with pytest.raises(PgMcpError) as caught:
        await SamplingChatModel().complete(CONVERSATION)

    assert caught.value.code == ErrorCode.AI_SERVICE


@pytest.mark.anyio
async def test_auto_uses_the_preferred_model_when_one_is_configured() -> None:
    sampler = RecordingSampler("SELECT 'sampled'")
    auto = AutoChatModel(
        preferred=ScriptedChatModel(["SELECT 'openai'"]), sampling=SamplingChatModel()
    )

    assert await _draft(auto, sampler) == "SELECT 'openai'"
    assert sampler.requests == []


@pytest.mark.anyio
async def test_auto_samples_the_client_when_no_model_is_configured() -> None:
    auto = AutoChatModel(preferred=None, sampling=SamplingChatModel())

    assert await _draft(auto, RecordingSampler("SELECT 'sampled'")) == "SELECT 'sampled'"


@pytest.mark.anyio
async def test_auto_without_a_model_or_sampling_gets_err_003() -> None:
    auto = AutoChatModel(preferred=None, sampling=SamplingChatModel())

    assert await _draft(auto, None) == ErrorCode.AI_SERVICE


def test_the_request_is_unbound_after_the_block() -> None:
    ctx: Context[Any, Any] = Context()

    with bind_request(ctx):
        assert current_request() is ctx
    assert current_request() is None
