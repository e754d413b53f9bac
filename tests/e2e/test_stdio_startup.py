"""Start-up over stdio: without a model, with a database down, with bad configuration."""

import asyncio
import json
import socket
import subprocess
import sys
import uuid
from asyncio.subprocess import PIPE

import pytest

from tests.e2e.lean_client import PROTOCOL_VERSION
from tests.e2e.stdio import run_pg_mcp, server_env, stdio_client
from tests.pg import admin_execute, with_user


@pytest.mark.anyio
async def test_without_a_model_the_server_lists_tools_and_explains_how_to_configure(
    shop_dsn: str,
) -> None:
    async with stdio_client(server_env(shop_dsn, None)) as client:
        tools = (await client.list_tools()).tools
        result = await client.call_tool("query", {"query": "How many customers?"})
        schema = await client.call_tool("get_schema", {})

    assert len(tools) == 3
    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "ERR_003"
    assert "PG_MCP_OPENAI_API_KEY" in result.content[0].text  # type: ignore[union-attr]
    assert not schema.is_error  # the schema needs no model


@pytest.mark.anyio
async def test_a_database_that_is_down_gives_err_001_without_the_password() -> None:
    dsn = "postgresql://someone:s3cretpw@127.0.0.1:1/nowhere"
    env = server_env(dsn, "http://127.0.0.1:9/v1", PG_MCP_POOL_ACQUIRE_TIMEOUT="2")
    async with stdio_client(env) as client:
        result = await client.call_tool("get_schema", {})

    assert result.is_error
    assert result.structured_content is not None
    assert result.structured_content["error"]["code"] == "ERR_001"
    assert "s3cretpw" not in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PG_MCP_MAX_RESULT_ROWS", "lots"),
        ("PG_MCP_QUERY_TIMEOUT", "-1"),
        ("PG_MCP_ALLOWED_STATEMENTS", "SELECT,DELETE"),
        ("PG_MCP_DATABASES", '[{"name": "a"}]'),
    ],
)
def test_bad_configuration_stops_start_up_with_one_line_naming_the_variable(
    variable: str, value: str
) -> None:
    env = server_env("postgresql://u:pw@127.0.0.1:1/db", None, **{variable: value})

    done = run_pg_mcp(env=env)

    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert variable in lines[0]
    assert "Traceback" not in done.stderr


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the server with no client on stdin: it serves until stdin closes, or refuses."""
    return run_pg_mcp(env=env)


def _refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_a_role_that_does_not_exist_stops_start_up(shop_dsn: str) -> None:
    done = _start(server_env(shop_dsn, None, PG_MCP_DB_ROLE="no_such_role_here"))

    line = _refusal(done)
    assert line.startswith("pg-mcp: configuration error: PG_MCP_DB_ROLE:")
    assert 'role "no_such_role_here" does not exist' in line


@pytest.mark.anyio
async def test_a_refused_role_stops_the_server_while_the_client_holds_stdin_open(
    shop_dsn: str,
) -> None:
    # The handshake is answered while the pools open: the refusal may come after it, and the
    # server must still stop rather than wait on a client that stays.
    env = server_env(shop_dsn, None, PG_MCP_DB_ROLE="no_such_role_here")
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bootstrap", env=env, stdin=PIPE, stdout=PIPE, stderr=PIPE
    )
    assert server.stdin is not None
    assert server.stderr is not None
    hello = {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": {"name": "t"}}
    request = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello}
    server.stdin.write(json.dumps(request).encode() + b"\n")
    try:
        async with asyncio.timeout(30):
            status = await server.wait()
    finally:
        server.stdin.close()
        if server.returncode is None:
            server.kill()
    stderr = (await server.stderr.read()).decode()

    assert status == 2
    assert "Traceback" not in stderr
    line = stderr.strip().splitlines()[-1]
    assert line.startswith("pg-mcp: configuration error: PG_MCP_DB_ROLE:")


def test_a_role_the_login_may_not_assume_stops_start_up(shop_dsn: str, pg_admin_dsn: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    login, other = f"login_{suffix}", f"other_{suffix}"
    asyncio.run(admin_execute(pg_admin_dsn, f"CREATE ROLE {login} LOGIN; CREATE ROLE {other}"))

    line = _refusal(_start(server_env(with_user(shop_dsn, login), None, PG_MCP_DB_ROLE=other)))

    assert f'login role "{login}" may not SET ROLE to "{other}"' in line


def test_a_metrics_port_in_use_stops_start_up(shop_dsn: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        line = _refusal(_start(server_env(shop_dsn, None, PG_MCP_METRICS_PORT=str(port))))

    assert line.startswith(
        f"pg-mcp: configuration error: PG_MCP_METRICS_PORT: cannot listen on 127.0.0.1:{port}"
    )
