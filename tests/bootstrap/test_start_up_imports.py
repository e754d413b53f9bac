"""What a stdio server loads before it can answer its handshake: not the SQL parsers, the use
cases, the pools' driver or the model's SDK, which load in the background (cold start)."""

import subprocess
import sys

import pytest

from tests.e2e.stdio import server_env

# Each costs tens of milliseconds to import; together they were a third of a cold start.
_DEFERRED = (
    "sqlglot",
    "pglast",
    "asyncpg",
    "openai",
    "prometheus_client",
    "dependency_injector",
    "bootstrap.container",
    "application.answer_question",
)


def _loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_the_command_and_the_stdio_server_load_none_of_the_heavy_modules() -> None:
    loaded = _loaded_by("import bootstrap.cli, bootstrap.serve_stdio")

    assert "bootstrap.serve_stdio" in loaded
    assert loaded.isdisjoint(_DEFERRED), sorted(loaded.intersection(_DEFERRED))


def test_what_the_background_loads_brings_them() -> None:
    loaded = _loaded_by("import bootstrap.serving")

    assert {"sqlglot", "pglast", "asyncpg", "bootstrap.container"} <= loaded


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("import bootstrap.cli", id="version-config-refusal"),
        pytest.param("import bootstrap.cli, bootstrap.runtime", id="ask"),
    ],
)
def test_the_command_loads_the_mcp_sdk_only_to_serve(statement: str) -> None:
    # `--version`, `config` and a refused configuration answer in a quarter of the time;
    # `pg-mcp ask` in about half.
    loaded = _loaded_by(statement)

    assert "mcp" not in loaded, "the MCP SDK is loaded by " + statement


def test_a_question_without_a_model_is_refused_without_loading_the_model_sdk(
    shop_dsn: str,
) -> None:
    # Loading it to learn that the refusal was no SDK error held the first call for 0.8 s.
    code = (
        "import asyncio, sys\n"
        "from bootstrap.loader import load_settings\n"
        "from bootstrap.runtime import answer_once\n"
        "question = 'how many customers are there?'\n"
        "status = asyncio.run(answer_once(load_settings(), question, None, sql_only=False))\n"
        "print(status, 'openai' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=server_env(shop_dsn, None),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.stdout.split() == ["1", "False"], done.stderr
    assert "No AI model is configured" in done.stderr
