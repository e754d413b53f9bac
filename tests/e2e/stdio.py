"""Starts `pg-mcp` as a subprocess over stdio, the way an MCP client does."""

import compileall
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from mcp import Client, StdioServerParameters

from tests.fake_llm_server import Json

_ROOT = Path(__file__).resolve().parents[2]
_PACKAGES = ("domain", "application", "adapters", "bootstrap", "bench")


def byte_compile_pg_mcp() -> None:
    """Byte-compile pg-mcp's modules, as installing a package does. A source tree run where
    PYTHONDONTWRITEBYTECODE is set would compile them again in every server process."""
    for package in _PACKAGES:
        compileall.compile_dir(_ROOT / package, quiet=1)


def server_env(dsn: str, llm_base_url: str | None, **extra: str) -> dict[str, str]:
    """A clean environment: no PG_MCP_* of the host, only what the test gives."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG_MCP_", "OPENAI_"))}
    env["PG_MCP_POSTGRES_DSN"] = dsn
    if llm_base_url is not None:
        env["PG_MCP_OPENAI_BASE_URL"] = llm_base_url
        env["PG_MCP_OPENAI_MODEL"] = "fake-model"
    env.update(extra)
    return env


def run_pg_mcp(
    *args: str, env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `pg-mcp ARGS` with stdin closed (a server ends at once) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "bootstrap", *args],
        env=dict(env),
        input="",
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tempfile.gettempdir(),
        check=False,
    )


def stdio_client(env: Mapping[str, str]) -> Client:
    """An MCP client that spawns `python -m bootstrap` with `env`."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "bootstrap"],
        env=dict(env),
        cwd=tempfile.gettempdir(),
    )
    return Client(params, read_timeout_seconds=30)


def question_of(request: Json) -> str:
    """The question inside a drafting (or repair) request sent to the fake LLM.

    What follows it in the same message (the parameters' names and types) is left out.
    """
    asked = [str(m["content"]) for m in request["messages"] if "Question:" in str(m["content"])]
    question = asked[0].rsplit("Question:", 1)[-1] if asked else ""
    return question.split("\n\nParameters:", 1)[0].strip()
