"""`pg-mcp ask` answers once in the terminal."""

import subprocess
import sys
import tempfile
from importlib import metadata

from tests.e2e.stdio import server_env


def _ask(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bootstrap", "ask", *args],
        env=server_env(dsn, None),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tempfile.gettempdir(),
        check=False,
    )


def test_ask_prints_the_sql_and_a_table_of_rows(shop_dsn: str) -> None:
    done = _ask(shop_dsn, "SELECT country, count(*) AS n FROM customers GROUP BY 1 ORDER BY 1")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("SELECT country")
    assert lines[2].split("|")[0].strip() == "country"
    assert lines[-1].endswith("rows)")


def test_one_row_is_counted_as_one_row(shop_dsn: str) -> None:
    done = _ask(shop_dsn, "SELECT count(*) AS n FROM customers")

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "(1 row)"


def test_a_question_without_a_model_says_what_to_set_in_the_terminal(shop_dsn: str) -> None:
    done = _ask(shop_dsn, "How many customers are there?")

    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("ERR_003: No AI model is configured")
    assert "PG_MCP_OPENAI_API_KEY" in done.stderr
    assert "MCP client" not in done.stderr


def test_ask_with_sql_only_prints_the_sql(shop_dsn: str) -> None:
    done = _ask(shop_dsn, "--sql", "SELECT count(*) FROM customers")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SELECT count(*) FROM customers"


def test_ask_reports_a_refusal_with_its_code_and_a_failing_status(shop_dsn: str) -> None:
    done = _ask(shop_dsn, "DELETE FROM canary")

    assert done.returncode == 1
    assert done.stdout == ""
    assert "ERR_005" in done.stderr


def test_version_prints_the_installed_version_and_exits_zero() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bootstrap", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 0
    assert done.stdout.strip() == f"pg-mcp {metadata.version('pgmcp-ask')}"


def test_ask_binds_named_and_positional_values_without_writing_them_into_the_sql(
    shop_dsn: str,
) -> None:
    named = _ask(
        shop_dsn,
        "SELECT count(*) AS n FROM customers WHERE country = :country AND id <= :top",
        "--param",
        "country=FR",
        "--param",
        "top=1000000",
    )
    positional = _ask(
        shop_dsn, "SELECT count(*) AS n FROM customers WHERE country = $1", "--param", '1="FR"'
    )
    everyone = _ask(shop_dsn, "SELECT count(*) AS n FROM customers WHERE country = 'FR'")

    assert named.returncode == 0, named.stderr
    assert positional.returncode == 0, positional.stderr
    sql = named.stdout.splitlines()[0]
    assert sql.endswith("country = $1 AND id <= $2")  # the values are bound, never written in
    counts = {done.stdout.splitlines()[-3] for done in (named, positional, everyone)}
    assert len(counts) == 1


def test_ask_refuses_a_parameter_without_a_name_before_starting(shop_dsn: str) -> None:
    done = _ask(shop_dsn, "SELECT 1", "--param", "=42")

    assert done.returncode == 2
    assert "NAME=VALUE" in done.stderr
