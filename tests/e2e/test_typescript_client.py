"""The real TypeScript SDK client over stdio: results validate, errors arrive coded, none throws."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.node_client import install_client, node_missing, run_client
from tests.e2e.stdio import question_of, server_env
from tests.fake_llm_server import FakeLLMServer, Json

pytestmark = pytest.mark.skipif(node_missing(), reason="node and npm are needed for the TS client")

BY_COUNTRY = "SELECT name FROM customers WHERE country = :country ORDER BY name"
SQL_FOR = {
    "Customer names": "SELECT name FROM customers ORDER BY name",
    "Customers of a country": BY_COUNTRY,
    "Delete the canary": "DELETE FROM canary",
    "Names please": "SELECT nme FROM customers",
}

# (tool, arguments, the code expected or None for success)
CALLS: list[tuple[str, dict[str, Any], str | None]] = [
    ("query", {"query": "Customer names"}, None),
    ("query", {"query": "Customer names", "return_mode": "sql"}, None),
    ("query", {"query": "Customer names", "max_rows": 2}, None),
    ("query", {"query": "Customers of a country", "parameters": {"country": "GB"}}, None),
    ("query", {"query": BY_COUNTRY, "return_mode": "sql", "parameters": {"country": "GB"}}, None),
    ("query", {"query": BY_COUNTRY, "parameters": {"nation": "GB"}}, "ERR_008"),
    ("query", {"query": "Customer names", "parameters": {"max_rows": 2}}, "ERR_008"),
    ("explain", {"query": BY_COUNTRY, "parameters": {"country": "GB"}}, None),
    ("query", {"query": "Delete the canary"}, "ERR_005"),
    ("query", {"query": "Names please"}, "ERR_006"),
    ("query", {"query": "Customer names", "database": "nope"}, "ERR_008"),
    ("query", {"query": "Customer names", "return_mode": "rows"}, "ERR_008"),
    ("query", {"query": 42}, "ERR_008"),
    ("query", {}, "ERR_008"),
    ("explain", {"query": "Customer names"}, None),
    ("explain", {"query": "Delete the canary"}, "ERR_005"),
    ("get_schema", {}, None),
    ("get_schema", {"format": "detailed"}, None),
    ("get_schema", {"format": "ddl"}, None),
    ("get_schema", {"format": "xml"}, "ERR_008"),
    ("get_schema", {"database": "nope"}, "ERR_008"),
    ("drop_database", {}, "ERR_008"),
]


def _responder(request: Json) -> str:
    return SQL_FOR.get(question_of(request), "SELECT 1 AS one")


@pytest.fixture(scope="module")
def script() -> Path:
    return install_client()


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(responder=_responder) as server:
        yield server


def _received(script: Path, env: dict[str, str], calls: list[tuple[str, dict[str, Any]]]) -> Any:
    return run_client(script, env, [{"name": n, "arguments": a} for n, a in calls])


def _assert_coded(outcome: dict[str, Any], code: str) -> None:
    assert "thrown" not in outcome, outcome
    result = outcome["result"]
    assert result["isError"] is True
    assert result["structuredContent"]["error"]["code"] == code
    assert result["content"][0]["text"].startswith(f"{code}: ")


def test_the_ts_client_gets_every_result_and_every_coded_error_without_a_throw(
    script: Path, shop_dsn: str, llm: FakeLLMServer
) -> None:
    env = server_env(shop_dsn, llm.base_url)
    seen = _received(script, env, [(tool, arguments) for tool, arguments, _ in CALLS])

    assert seen["tools"] == ["query", "explain", "get_schema"]
    for name, check in seen["schemas"].items():
        assert check == {"type": "object", "strictCompiles": True}, name
    for (tool, arguments, code), outcome in zip(CALLS, seen["results"], strict=True):
        if code is not None:
            _assert_coded(outcome, code)
            continue
        assert "thrown" not in outcome, (tool, arguments, outcome)
        assert outcome["result"].get("isError") in (None, False)
        assert outcome["result"]["structuredContent"]["database"]
    rows = seen["results"][0]["result"]["structuredContent"]
    assert {"database", "sql", "columns", "rows", "row_count", "truncated"} <= set(rows)
    assert rows["columns"] == ["name"]


def test_the_ts_client_sees_err_003_when_no_model_is_configured(
    script: Path, shop_dsn: str
) -> None:
    seen = _received(script, server_env(shop_dsn, None), [("query", {"query": "Customer names"})])

    _assert_coded(seen["results"][0], "ERR_003")
