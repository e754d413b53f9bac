import importlib.util
import io
import json
import logging
from typing import Any

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.observability.call_observer import CallObserver
from adapters.observability.tracing import configure_tracing, shutdown_tracing, tracer_of

SQL = "SELECT name FROM customers WHERE email = 'alice@example.com'"


async def traced_call(
    stream: io.StringIO, *, log_requests: bool, code: str | None
) -> list[dict[str, Any]]:
    provider = configure_tracing(True, stream)
    calls = CallObserver(tracer=tracer_of(provider), log_requests=log_requests)
    record = calls.start("query", "shop", question="Which customers are from Oslo?")
    for stage in ("schema", "drafting", "checking", "running"):
        await record.stage(stage)
    record.finish(code=code, rows=2, attempts=1, sql=SQL)
    shutdown_tracing(provider)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.anyio
async def test_a_call_is_one_span_with_a_child_per_stage() -> None:
    spans = await traced_call(io.StringIO(), log_requests=False, code=None)

    by_name = {span["name"]: span for span in spans}
    root = by_name["pg_mcp.query"]
    stages = [s["name"] for s in spans if s["name"].startswith("pg_mcp.stage.")]
    assert stages == [
        "pg_mcp.stage.rate_limit",
        "pg_mcp.stage.schema",
        "pg_mcp.stage.llm",
        "pg_mcp.stage.safety",
        "pg_mcp.stage.database",
    ]
    assert {s["parent_id"] for s in spans if s is not root} == {root["span_id"]}
    assert {s["trace_id"] for s in spans} == {root["trace_id"]}
    assert by_name["pg_mcp.stage.llm"]["attributes"] == {"pg_mcp.attempt": 1}
    attributes = root["attributes"]
    assert attributes["pg_mcp.tool"] == "query"
    assert attributes["pg_mcp.database"] == "shop"
    assert attributes["pg_mcp.row_count"] == 2
    assert attributes["pg_mcp.attempts"] == 1
    assert root["status"] == "UNSET"


@pytest.mark.anyio
async def test_spans_hold_neither_sql_nor_the_question_unless_requests_are_logged() -> None:
    quiet = io.StringIO()
    await traced_call(quiet, log_requests=False, code=None)
    verbose = io.StringIO()
    spans = await traced_call(verbose, log_requests=True, code=None)

    assert "customers" not in quiet.getvalue()
    assert "Oslo" not in quiet.getvalue()
    root = next(s for s in spans if s["name"] == "pg_mcp.query")
    assert root["attributes"]["db.query.text"] == SQL


@pytest.mark.anyio
async def test_a_failed_call_carries_its_error_code_and_error_status() -> None:
    spans = await traced_call(io.StringIO(), log_requests=False, code="ERR_006")

    root = next(s for s in spans if s["name"] == "pg_mcp.query")
    assert (root["status"], root["attributes"]["error.type"]) == ("ERROR", "ERR_006")


def test_tracing_off_gives_no_provider_and_no_tracer() -> None:
    provider = configure_tracing(False, io.StringIO())
    assert (provider, tracer_of(provider)) == (None, None)


@pytest.mark.skipif(
    importlib.util.find_spec("opentelemetry.exporter") is not None,
    reason="the OTLP exporter is installed",
)
def test_otlp_without_the_exporter_installed_falls_back_to_the_stream_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = io.StringIO()
    with caplog.at_level(logging.WARNING):
        provider = configure_tracing(True, stream, otlp_protocol="http/protobuf")
    calls = CallObserver(tracer=tracer_of(provider), timer=FakeClock().now)
    calls.start("get_schema", "shop").finish(code=None)
    shutdown_tracing(provider)

    assert "OTLP exporter is not installed" in caplog.text
    assert json.loads(stream.getvalue().splitlines()[-1])["name"] == "pg_mcp.get_schema"
