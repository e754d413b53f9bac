"""The real TypeScript SDK client over streamable HTTP, with a bearer token: results validate."""

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.node_client import install_client, node_missing
from tests.e2e.stdio import server_env
from tests.http.serving import HttpServer, http_server

pytestmark = pytest.mark.skipif(node_missing(), reason="node and npm are needed for the TS client")

TOKEN = "typescript-client-token-0001"


@pytest.fixture(scope="module")
def server(shop_dsn: str) -> Iterator[HttpServer]:
    env = server_env(shop_dsn, None, PG_MCP_AUTH_TOKENS=f'{{"{TOKEN}": "ts"}}')
    with http_server(env) as running:
        yield running


def _script() -> Path:
    """client_http.mjs beside the node_modules the stdio TS client test installs."""
    folder = install_client().parent
    shutil.copy(Path(__file__).parent / "client_http.mjs", folder)
    return folder / "client_http.mjs"


def test_the_typescript_client_calls_the_tools_over_http(server: HttpServer) -> None:
    calls = [
        {"name": "query", "arguments": {"query": "SELECT name FROM customers ORDER BY name"}},
        {"name": "query", "arguments": {"query": "DELETE FROM customers"}},
        {"name": "get_schema", "arguments": {}},
    ]
    done = subprocess.run(
        ["node", str(_script()), json.dumps(calls), server.url, TOKEN],
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    received = json.loads(done.stdout)

    assert set(received["tools"]) == {"query", "explain", "get_schema"}
    answered, refused, described = received["results"]
    assert "thrown" not in answered
    assert answered["result"]["structuredContent"]["row_count"] > 0
    assert refused["result"]["isError"] is True
    assert refused["result"]["structuredContent"]["error"]["code"] == "ERR_005"
    assert described["result"].get("isError") is not True
