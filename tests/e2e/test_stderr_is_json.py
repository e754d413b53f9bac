"""With tracing on, stderr still holds only JSON lines: log records and spans, told apart."""

import json
import subprocess
import sys
import tempfile
from typing import Any

from tests.e2e.stdio import server_env

_CALLS: list[dict[str, Any]] = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "lean", "version": "0"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "query", "arguments": {"query": "SELECT count(*) FROM customers"}},
    },
]


def test_logs_and_spans_on_stderr_are_json_lines_of_their_own_kind(shop_dsn: str) -> None:
    env = server_env(shop_dsn, None, PG_MCP_TRACING_ENABLED="true", PG_MCP_LOG_LEVEL="INFO")
    server = subprocess.Popen(
        [sys.executable, "-m", "bootstrap"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    assert server.stdin is not None
    assert server.stdout is not None
    for call in _CALLS:
        server.stdin.write(json.dumps(call) + "\n")
        server.stdin.flush()
        if "id" in call:
            while json.loads(server.stdout.readline()).get("id") != call["id"]:
                pass
    _, stderr = server.communicate(timeout=60)

    entries = [json.loads(line) for line in stderr.splitlines()]
    spans = [entry for entry in entries if entry.get("kind") == "span"]
    logs = [entry for entry in entries if entry.get("kind") != "span"]
    assert spans
    assert {"ts", "name", "trace_id", "duration_ms"} <= spans[0].keys()
    assert all("level" in entry and "message" in entry for entry in logs)
