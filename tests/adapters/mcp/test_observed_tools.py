"""Tool calls seen by the call observer: metrics over the metrics://prometheus resource."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from mcp import Client

from adapters.mcp.server import UseCases, build_server
from adapters.observability.call_observer import CallObserver
from adapters.observability.exposition import render_metrics
from adapters.observability.json_logging import configure_json_logging
from adapters.observability.server_metrics import ServerMetrics
from domain.models import ColumnInfo, QueryResult
from tests.application.shop import build_world

TOP = "SELECT name FROM customers ORDER BY name"
ROWS = QueryResult(columns=(ColumnInfo(name="name", type="text"),), rows=(("Ada",), ("Bob",)))


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_json_logging("INFO", stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def _client(metrics: ServerMetrics, replies: list[str]) -> Client:
    world = build_world(replies, {TOP: ROWS})
    server = build_server(
        UseCases(answer=world.answer, explain=world.explain, describe=world.describe),
        observer=CallObserver(metrics=metrics),
        metrics_text=lambda: render_metrics(metrics.registry),
    )
    return Client(server)


@pytest.mark.anyio
async def test_the_metrics_resource_counts_tool_calls_by_outcome_and_stage(
    log_stream: io.StringIO,
) -> None:
    metrics = ServerMetrics()
    async with _client(metrics, [TOP]) as client:
        await client.call_tool("query", {"query": "customer names"})
        await client.call_tool("query", {"query": "  "})
        resource = await client.read_resource("metrics://prometheus")

    text = resource.contents[0].text  # type: ignore[union-attr]
    assert 'pg_mcp_tool_calls_total{code="none",outcome="ok",tool="query"} 1.0' in text
    assert 'pg_mcp_tool_calls_total{code="ERR_008",outcome="error",tool="query"} 1.0' in text
    for stage in ("rate_limit", "schema", "llm", "safety", "database", "total"):
        assert f'pg_mcp_stage_duration_seconds_count{{stage="{stage}",tool="query"}}' in text
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    calls = [line for line in lines if line.get("tool") == "query"]
    assert [(c["outcome"], c["code"], c["rows"]) for c in calls] == [
        ("ok", None, 2),
        ("error", "ERR_008", None),
    ]
