"""`pg-mcp check` says whether temp_file_limit holds, and what to run when it cannot be set."""

import asyncio
import io
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bootstrap.check import run_check
from tests.container_settings import settings_for
from tests.pg import create_database

pytestmark = pytest.mark.anyio


async def temp_file_row(dsn: str) -> str:
    out = io.StringIO()
    async with asyncio.timeout(30):
        await run_check(settings_for(dsn), out)
    (row,) = [line for line in out.getvalue().splitlines() if line.startswith("temp_file_limit")]
    return row


@pytest.fixture
def reader_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    sql = tmp_path / "role.sql"
    sql.write_text(f"CREATE ROLE {role} LOGIN;")
    parts = urlsplit(create_database(pg_admin_dsn, (sql,), prefix="tfl"))
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


async def test_a_superuser_login_sets_the_limit_per_query(shop_dsn: str) -> None:
    row = await temp_file_row(shop_dsn)

    assert "PASS" in row
    assert "set per query" in row


async def test_a_login_that_may_not_set_it_is_told_which_alter_role_to_run(
    reader_dsn: str,
) -> None:
    row = await temp_file_row(reader_dsn)

    assert "WARN" in row
    assert "ALTER ROLE" in row
