"""Start-up over stdio: without a model, with a database down, with bad configuration."""

import subprocess
import sys
import tempfile

import pytest

from tests.e2e.stdio import server_env, stdio_client


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

    done = subprocess.run(
        [sys.executable, "-m", "bootstrap"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tempfile.gettempdir(),
        check=False,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert variable in lines[0]
    assert "Traceback" not in done.stderr
