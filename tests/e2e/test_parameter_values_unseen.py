"""Over the real stdio boundary, with every log, request log and trace on, no value is written,
and no error or prompt holds one."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.node_client import install_client, node_missing, run_client_logged
from tests.e2e.stdio import server_env
from tests.fake_llm_server import FakeLLMServer, Json

pytestmark = pytest.mark.skipif(node_missing(), reason="node and npm are needed for the TS client")

SECRET = "s3cret-Value-4711"
DRAFT = "SELECT count(*) AS n FROM customers WHERE name = :code"
CAST = "SELECT count(*) AS n FROM orders WHERE id = (:code || '')::int"
CALLS: list[dict[str, Any]] = [
    {"name": "query", "arguments": {"query": DRAFT, "parameters": {"code": SECRET}}},
    {"name": "query", "arguments": {"query": "count them", "parameters": {"code": SECRET}}},
    {"name": "query", "arguments": {"query": CAST, "parameters": {"code": SECRET}}},
    {"name": "query", "arguments": {"query": "SELECT :code::date", "parameters": {"code": SECRET}}},
    {"name": "explain", "arguments": {"query": DRAFT, "parameters": {"code": SECRET}}},
    {"name": "query", "arguments": {"query": DRAFT, "parameters": [SECRET]}},
]


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLMServer]:
    def responder(request: Json) -> str:
        return DRAFT

    with FakeLLMServer(responder=responder) as server:
        yield server


def test_no_value_reaches_stderr_or_a_reply_with_logs_requests_and_traces_on(
    shop_dsn: str, llm: FakeLLMServer
) -> None:
    env = server_env(
        shop_dsn,
        llm.base_url,
        PG_MCP_LOG_LEVEL="DEBUG",
        PG_MCP_LOG_REQUESTS="true",
        PG_MCP_TRACING_ENABLED="true",
    )

    seen, stderr = run_client_logged(install_client(), env, CALLS)

    codes = [
        outcome["result"].get("structuredContent", {}).get("error", {}).get("code")
        for outcome in seen["results"]
    ]
    assert codes == [None, None, "ERR_006", "ERR_008", None, "ERR_008"]
    assert "WHERE name = $1" in stderr  # the requests were logged, with placeholders
    assert SECRET not in stderr
    # Rows and a plan may show a value to the caller who sent it (the planner folds it in);
    # an error, the logs, the traces and the model never do.
    errors = [outcome["result"] for outcome in seen["results"] if outcome["result"].get("isError")]
    assert all(SECRET not in str(error) for error in errors)
    assert SECRET not in str(llm.requests)
