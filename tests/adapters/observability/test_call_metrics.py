import urllib.request

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.observability.call_observer import CallObserver
from adapters.observability.call_record import STAGE_NAMES
from adapters.observability.exposition import render_metrics, start_metrics_http
from adapters.observability.server_metrics import ServerMetrics
from application.progress import STAGES
from domain.errors import ErrorCode
from tests.adapters.observability.metrics_text import sample


def observer(clock: FakeClock) -> tuple[CallObserver, ServerMetrics]:
    metrics = ServerMetrics()
    return CallObserver(metrics=metrics, timer=clock.now), metrics


def test_every_progress_stage_has_a_metric_stage() -> None:
    assert set(STAGE_NAMES) == set(STAGES)


def test_a_finished_query_is_counted_by_tool_outcome_and_code() -> None:
    clock = FakeClock()
    calls, metrics = observer(clock)
    calls.start("query", "shop").finish(code=None, rows=3, attempts=1)
    calls.start("query", "shop").finish(code=ErrorCode.SQL_SECURITY)
    calls.start("get_schema", None).finish(code=None)

    registry = metrics.registry
    ok = {"tool": "query", "outcome": "ok", "code": "none"}
    assert sample(registry, "pg_mcp_tool_calls_total", **ok) == 1
    refused = {"tool": "query", "outcome": "error", "code": "ERR_005"}
    assert sample(registry, "pg_mcp_tool_calls_total", **refused) == 1
    schema = {"tool": "get_schema", "outcome": "ok", "code": "none"}
    assert sample(registry, "pg_mcp_tool_calls_total", **schema) == 1


@pytest.mark.anyio
async def test_stage_histograms_split_the_call_at_the_progress_reports() -> None:
    clock = FakeClock()
    calls, metrics = observer(clock)
    record = calls.start("query", "shop")
    clock.advance(0.001)
    await record.stage("schema")
    clock.advance(0.02)
    await record.stage("drafting")
    clock.advance(1.5)
    await record.stage("checking")
    clock.advance(0.004)
    await record.stage("running")
    clock.advance(0.3)
    record.finish(code=None, rows=2, attempts=1)

    spent = {
        stage: sample(
            metrics.registry, "pg_mcp_stage_duration_seconds_sum", tool="query", stage=stage
        )
        for stage in ("rate_limit", "schema", "llm", "safety", "database", "total")
    }
    assert spent == pytest.approx(
        {
            "rate_limit": 0.001,
            "schema": 0.02,
            "llm": 1.5,
            "safety": 0.004,
            "database": 0.3,
            "total": 1.825,
        }
    )


@pytest.mark.anyio
async def test_repair_drafts_are_counted_and_the_llm_stage_sums_every_draft() -> None:
    clock = FakeClock()
    calls, metrics = observer(clock)
    record = calls.start("query", "shop")
    await record.stage("schema")
    for _ in range(3):
        await record.stage("drafting")
        clock.advance(1.0)
        await record.stage("checking")
    record.finish(code="ERR_005")

    assert sample(metrics.registry, "pg_mcp_repair_attempts_total", tool="query") == 2
    llm_sum = sample(
        metrics.registry, "pg_mcp_stage_duration_seconds_sum", tool="query", stage="llm"
    )
    assert llm_sum == 3.0
    llm_count = sample(
        metrics.registry, "pg_mcp_stage_duration_seconds_count", tool="query", stage="llm"
    )
    assert llm_count == 1


@pytest.mark.anyio
async def test_a_rate_limited_call_counts_a_refusal_by_where_it_was_refused() -> None:
    clock = FakeClock()
    calls, metrics = observer(clock)
    calls.start("query", "shop").finish(code="ERR_009")
    record = calls.start("query", "shop")
    await record.stage("schema")
    await record.stage("drafting")
    record.finish(code="ERR_009")

    assert sample(metrics.registry, "pg_mcp_rate_limit_refusals_total", kind="requests") == 1
    assert sample(metrics.registry, "pg_mcp_rate_limit_refusals_total", kind="llm") == 1


def test_finishing_a_call_twice_counts_it_once() -> None:
    clock = FakeClock()
    calls, metrics = observer(clock)
    record = calls.start("explain", "shop")
    record.finish(code=None)
    record.finish(code="ERR_006")

    ok = {"tool": "explain", "outcome": "ok", "code": "none"}
    assert sample(metrics.registry, "pg_mcp_tool_calls_total", **ok) == 1
    failed = {"tool": "explain", "outcome": "error", "code": "ERR_006"}
    assert sample(metrics.registry, "pg_mcp_tool_calls_total", **failed) is None


def test_two_servers_keep_separate_counts() -> None:
    clock = FakeClock()
    first, first_metrics = observer(clock)
    _, second_metrics = observer(clock)
    first.start("query", "shop").finish(code=None)

    assert "pg_mcp_tool_calls_total{" in render_metrics(first_metrics.registry)
    assert "pg_mcp_tool_calls_total{" not in render_metrics(second_metrics.registry)


def test_the_http_endpoint_serves_the_metrics_on_loopback() -> None:
    clock = FakeClock()
    calls, metrics = observer(clock)
    calls.start("query", "shop").finish(code=None)
    endpoint = start_metrics_http(metrics.registry, 0)
    try:
        url = f"http://127.0.0.1:{endpoint.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode()
    finally:
        endpoint.close()

    assert 'pg_mcp_tool_calls_total{code="none",outcome="ok",tool="query"} 1.0' in text
