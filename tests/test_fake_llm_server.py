import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fake_llm_server import FakeLLMServer, Fault


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(model="tiny-sql") as server:
        yield server


def call(
    server: FakeLLMServer, method: str, path: str, body: object = None
) -> tuple[int, dict[str, str], Any]:
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        payload = None if body is None else json.dumps(body)
        connection.request(method, url.path + path, body=payload)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read())
    finally:
        connection.close()


def ask(server: FakeLLMServer, question: str) -> tuple[int, dict[str, str], Any]:
    request = {"model": "tiny-sql", "messages": [{"role": "user", "content": question}]}
    return call(server, "POST", "/chat/completions", request)


def test_models_lists_the_configured_model(llm_server: FakeLLMServer) -> None:
    status, _, body = call(llm_server, "GET", "/models")

    assert status == 200
    assert [model["id"] for model in body["data"]] == ["tiny-sql"]


def test_script_is_followed_then_the_responder_answers(llm_server: FakeLLMServer) -> None:
    llm_server.script("SELECT 1", Fault(status=429, retry_after=2))
    llm_server.responder = lambda request: f"-- {request['messages'][-1]['content']}"

    first, second, third = (ask(llm_server, q) for q in ("a", "b", "c"))

    assert first[0] == 200
    assert first[2]["choices"][0]["message"]["content"] == "SELECT 1"
    assert (second[0], second[1]["Retry-After"]) == (429, "2")
    assert third[2]["choices"][0]["message"]["content"] == "-- c"
    assert [r["messages"][0]["content"] for r in llm_server.requests] == ["a", "b", "c"]


def test_response_format_can_be_refused_like_some_local_servers() -> None:
    with FakeLLMServer(reject_response_format=True) as server:
        request = {"messages": [], "response_format": {"type": "json_object"}}
        status, _, body = call(server, "POST", "/chat/completions", request)

    assert status == 400
    assert body["error"]["param"] == "response_format"
