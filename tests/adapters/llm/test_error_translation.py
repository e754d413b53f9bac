from contextlib import aclosing

import openai
import pytest

from adapters.llm.errors import _MESSAGES, _OPENAI_ERRORS, is_transient, retry_after, translate
from adapters.llm.openai_chat_model import OpenAIChatModel, OpenAIConfig
from domain.errors import AIServiceUnavailable, ErrorCode, PgMcpError
from domain.models import ChatMessage, Role
from tests.fake_llm_server import FakeLLMServer, Fault, Reply

pytestmark = pytest.mark.anyio

QUESTION = (ChatMessage(role=Role.USER, content="How many orders?"),)


def api_errors(base: type[Exception] = openai.APIError) -> list[type[Exception]]:
    """`base` and every subclass openai defines, found by walking the class tree."""
    return [base, *(cls for sub in base.__subclasses__() for cls in api_errors(sub))]


async def failure_from(server: FakeLLMServer, fault: Fault | Reply) -> AIServiceUnavailable:
    """The error the adapter raises when the server answers with `fault`."""
    server.script(fault)
    config = OpenAIConfig(api_key=None, base_url=server.base_url, model="m", timeout=0.5)
    async with aclosing(OpenAIChatModel(config)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            await model.complete(QUESTION)
    return caught.value


@pytest.mark.parametrize("cls", api_errors(), ids=lambda cls: cls.__name__)
def test_every_openai_api_error_has_its_own_entry(cls: type[Exception]) -> None:
    assert cls in _OPENAI_ERRORS
    assert cls in _MESSAGES
    assert issubclass(_OPENAI_ERRORS[cls], PgMcpError)


def test_any_other_openai_error_falls_back_to_err_003() -> None:
    refusal = openai.ContentFilterFinishReasonError()

    error = translate(refusal, model="m", timeout=1, endpoint="host")

    assert error.code == ErrorCode.AI_SERVICE


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 408])
async def test_busy_or_failing_server_is_transient(llm_server: FakeLLMServer, status: int) -> None:
    assert is_transient(await failure_from(llm_server, Fault(status=status)))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_refused_request_is_not_transient(llm_server: FakeLLMServer, status: int) -> None:
    assert not is_transient(await failure_from(llm_server, Fault(status=status)))


async def test_timeout_is_transient(llm_server: FakeLLMServer) -> None:
    assert is_transient(await failure_from(llm_server, Reply(text="SELECT 1", delay=3)))


async def test_refused_connection_is_transient() -> None:
    with FakeLLMServer() as server:
        pass
    config = OpenAIConfig(api_key=None, base_url=server.base_url, model="m", timeout=5)
    async with aclosing(OpenAIChatModel(config)) as model:
        with pytest.raises(AIServiceUnavailable) as caught:
            await model.complete(QUESTION)

    assert is_transient(caught.value)


def test_errors_from_elsewhere_are_not_transient() -> None:
    assert not is_transient(AIServiceUnavailable("no model configured"))
    assert not is_transient(ValueError("boom"))


async def test_retry_after_header_is_read(llm_server: FakeLLMServer) -> None:
    error = await failure_from(llm_server, Fault(status=429, retry_after=7))

    assert retry_after(error) == 7.0


async def test_missing_retry_after_header_is_none(llm_server: FakeLLMServer) -> None:
    assert retry_after(await failure_from(llm_server, Fault(status=503))) is None
