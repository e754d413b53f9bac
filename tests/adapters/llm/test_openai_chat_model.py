import asyncio
import time
from contextlib import aclosing
from pathlib import Path

import pytest

from adapters.llm.openai_chat_model import OpenAIChatModel, OpenAIConfig
from adapters.llm.unconfigured_chat_model import UnconfiguredChatModel
from domain.errors import AIServiceUnavailable, ErrorCode
from domain.models import ChatMessage, Role
from tests.fake_llm_server import FakeLLMServer, Fault, Raw, Reply
from tests.self_signed import self_signed, server_context

pytestmark = pytest.mark.anyio

QUESTION = (
    ChatMessage(role=Role.SYSTEM, content="You write PostgreSQL."),
    ChatMessage(role=Role.USER, content="How many customers are there?"),
)
SQL_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {"sql": {"type": "string"}},
    "required": ["sql"],
}
SECRET_KEY = "sk-test-0123456789abcdefSECRET"


def model_for(
    server_url: str, *, api_key: str | None = None, timeout: float = 5.0
) -> OpenAIChatModel:
    return OpenAIChatModel(
        OpenAIConfig(api_key=api_key, base_url=server_url, model="fake-model", timeout=timeout)
    )


async def test_plain_text_reply_is_returned_as_is(llm_server: FakeLLMServer) -> None:
    llm_server.script("SELECT count(*) FROM customers")

    async with aclosing(model_for(llm_server.base_url)) as model:
        reply = await model.complete(QUESTION)

    assert reply.text == "SELECT count(*) FROM customers"
    sent = llm_server.requests[0]
    assert sent["model"] == "fake-model"
    assert sent["messages"] == [
        {"role": "system", "content": "You write PostgreSQL."},
        {"role": "user", "content": "How many customers are there?"},
    ]
    assert "response_format" not in sent


async def test_token_usage_is_reported(llm_server: FakeLLMServer) -> None:
    llm_server.script("SELECT 1 AS one")

    async with aclosing(model_for(llm_server.base_url)) as model:
        reply = await model.complete(QUESTION)

    # The fake counts words: 3 + 5 in the question, 4 in the answer.
    assert (reply.tokens_in, reply.tokens_out) == (8, 4)


async def test_json_schema_is_sent_as_response_format(llm_server: FakeLLMServer) -> None:
    llm_server.script('{"sql": "SELECT 1"}')

    async with aclosing(model_for(llm_server.base_url)) as model:
        reply = await model.complete(QUESTION, json_schema=SQL_SCHEMA)

    assert reply.text == '{"sql": "SELECT 1"}'
    assert llm_server.requests[0]["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "sql_draft", "schema": SQL_SCHEMA, "strict": False},
    }


async def test_server_refusing_response_format_gets_one_plain_retry_then_no_more() -> None:
    with FakeLLMServer(reject_response_format=True) as server:
        server.script("SELECT 1", "SELECT 2")
        async with aclosing(model_for(server.base_url)) as model:
            first = await model.complete(QUESTION, json_schema=SQL_SCHEMA)
            second = await model.complete(QUESTION, json_schema=SQL_SCHEMA)

        sent = server.requests

    assert (first.text, second.text) == ("SELECT 1", "SELECT 2")
    assert ["response_format" in request for request in sent] == [True, False, False]


async def test_a_400_that_is_not_about_response_format_is_still_reported(
    llm_server: FakeLLMServer,
) -> None:
    too_long = Fault(status=400, body={"error": {"message": "context length exceeded"}})
    llm_server.script(too_long, too_long, "SELECT 1")

    async with aclosing(model_for(llm_server.base_url)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            await model.complete(QUESTION, json_schema=SQL_SCHEMA)
        await model.complete(QUESTION, json_schema=SQL_SCHEMA)

    assert caught.value.code == ErrorCode.AI_SERVICE
    # The plain retry failed too, so response_format was not given up on.
    assert "response_format" in llm_server.requests[2]


@pytest.mark.parametrize("status", [500, 502, 503, 429, 404, 400])
async def test_server_errors_become_err_003(llm_server: FakeLLMServer, status: int) -> None:
    llm_server.script(Fault(status=status))

    async with aclosing(model_for(llm_server.base_url)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            await model.complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE


async def test_rejected_api_key_is_err_003_and_never_shown(llm_server: FakeLLMServer) -> None:
    body = {"error": {"message": f"Incorrect API key provided: {SECRET_KEY}"}}
    llm_server.script(Fault(status=401, body=body))

    async with aclosing(model_for(llm_server.base_url, api_key=SECRET_KEY)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            await model.complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE
    assert SECRET_KEY not in str(caught.value)
    assert "PG_MCP_OPENAI_API_KEY" in str(caught.value)


async def test_a_proxy_named_in_the_environment_carries_the_call(
    llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = llm_server.base_url.removesuffix("/v1")
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    llm_server.script("SELECT 1")

    # The model's host does not resolve: only the proxy can have answered.
    async with aclosing(model_for("http://model.invalid:8000/v1")) as model:
        reply = await model.complete(QUESTION)

    assert reply.text == "SELECT 1"
    assert llm_server.targets == ["http://model.invalid:8000/v1/chat/completions"]


async def test_a_tls_endpoint_is_trusted_through_ssl_cert_file_and_refused_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with FakeLLMServer(tls=server_context(cert, key)) as server:
        server.script("SELECT 1")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        async with aclosing(model_for(server.base_url)) as model:
            reply = await model.complete(QUESTION)
        monkeypatch.delenv("SSL_CERT_FILE")
        async with aclosing(model_for(server.base_url)) as model:
            with pytest.raises(AIServiceUnavailable) as refused:
                await model.complete(QUESTION)

    assert server.base_url.startswith("https://")
    assert reply.text == "SELECT 1"
    assert refused.value.code == ErrorCode.AI_SERVICE
    assert len(server.requests) == 1  # the untrusted certificate ended the call before a request


async def test_credentials_in_the_base_url_are_not_shown() -> None:
    with FakeLLMServer() as server:
        url = server.base_url.replace("http://", "http://user:hunter2@")
    model = model_for(url)

    with pytest.raises(AIServiceUnavailable) as caught:
        async with asyncio.timeout(5):
            await model.complete(QUESTION)
    await model.aclose()

    assert caught.value.code == ErrorCode.AI_SERVICE
    assert "hunter2" not in str(caught.value)


async def test_hanging_server_is_err_003_once_the_timeout_passes(
    llm_server: FakeLLMServer,
) -> None:
    llm_server.script(Reply(text="SELECT 1", delay=3.0))

    started = time.monotonic()
    async with aclosing(model_for(llm_server.base_url, timeout=0.5)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            async with asyncio.timeout(5):
                await model.complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE
    assert time.monotonic() - started < 1.5


async def test_stopped_server_is_err_003() -> None:
    with FakeLLMServer() as server:
        url = server.base_url

    async with aclosing(model_for(url)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            async with asyncio.timeout(5):
                await model.complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE


async def test_reply_without_choices_is_err_003(llm_server: FakeLLMServer) -> None:
    llm_server.script(Raw(body={"id": "x", "object": "chat.completion", "choices": []}))

    async with aclosing(model_for(llm_server.base_url)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            await model.complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE


@pytest.mark.parametrize(
    "reply",
    [
        Fault(status=200, body="<html>not JSON</html>"),
        Raw(body={"choices": [{"index": 0}]}),
        Raw(body={"choices": [{"message": {"content": ["not", "text"]}}]}),
        Raw(body={"choices": [{"message": {"content": "SELECT 1"}}], "usage": "many"}),
    ],
)
async def test_a_reply_that_cannot_be_read_is_err_003(
    llm_server: FakeLLMServer, reply: Fault | Raw
) -> None:
    llm_server.script(reply)

    async with aclosing(model_for(llm_server.base_url)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            await model.complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE


async def test_a_warmed_up_model_asks_over_one_kept_alive_connection() -> None:
    with FakeLLMServer(keep_alive=True) as server:
        server.script("SELECT 1", "SELECT 2", "SELECT 3")
        async with aclosing(model_for(server.base_url)) as model:
            await model.warm_up()
            replies = [await model.complete(QUESTION) for _ in range(3)]

        assert [r.text for r in replies] == ["SELECT 1", "SELECT 2", "SELECT 3"]
        assert server.connections == 1


async def test_empty_reply_is_returned_for_the_application_to_judge(
    llm_server: FakeLLMServer,
) -> None:
    llm_server.script("")

    async with aclosing(model_for(llm_server.base_url)) as model:
        reply = await model.complete(QUESTION)

    assert reply.text == ""


async def test_closing_an_unused_model_is_harmless() -> None:
    await model_for("http://127.0.0.1:9/v1").aclose()


async def test_unconfigured_model_explains_how_to_configure_one() -> None:
    with pytest.raises(AIServiceUnavailable) as caught:
        await UnconfiguredChatModel().complete(QUESTION)

    assert caught.value.code == ErrorCode.AI_SERVICE
    assert "PG_MCP_OPENAI_API_KEY" in caught.value.message
    assert "PG_MCP_OPENAI_BASE_URL" in caught.value.message


def test_config_repr_hides_the_api_key() -> None:
    config = OpenAIConfig(api_key=SECRET_KEY, base_url=None, model="gpt-4o-mini", timeout=30)

    assert SECRET_KEY not in repr(config)
