"""The README's terminal commands run as written: a stranger's first hour must not drift."""

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import reachable_temp_dir

README = (Path(__file__).parent.parent / "README.md").read_text()
# `pg-mcp ask --demo "SELECT ..."` needs no model: the commands a newcomer can paste first.
SQL_ASKS = re.findall(r'`(pg-mcp ask --demo "SELECT [^"`]+")`', README)


@pytest.fixture
def home() -> Iterator[Path]:
    """A clean home that the demo's PostgreSQL may enter, even as `nobody` when run as root."""
    with reachable_temp_dir("pgmcp-home-") as directory:
        yield directory


def run(command: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`command` with `pg-mcp` run from this interpreter, in a clean home, no PG_MCP_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG_MCP_", "OPENAI_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home))
    # Root's default demo directory is shared (/var/tmp): each test keeps its own.
    env["PG_MCP_DEMO_DATA_DIR"] = str(home / "demo-pgdata")
    argv = [sys.executable, "-m", "bootstrap", *shlex.split(command)[1:]]
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=home, check=False, timeout=300
    )


def test_the_readme_shows_sql_a_newcomer_can_ask_without_a_model() -> None:
    assert SQL_ASKS


@pytest.mark.parametrize("command", SQL_ASKS)
def test_each_sql_question_in_the_readme_answers_rows_from_the_demo(
    command: str, home: Path
) -> None:
    done = run(command, home)

    assert done.returncode == 0, done.stderr[-2000:]
    assert "row" in done.stdout


def test_the_version_command_in_the_contract_answers(home: Path) -> None:
    done = run("pg-mcp --version", home)

    assert done.returncode == 0
    assert done.stdout.startswith("pg-mcp ")
