"""work_mem and temp_file_limit in every transaction, and what a non-superuser login is told."""

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from domain.errors import ErrorCode, PgMcpError
from tests.pg import create_database

pool_for = asynccontextmanager(open_pool)
SPILL = "SELECT g FROM generate_series(1, 3000000) AS g ORDER BY g DESC LIMIT 1"


@asynccontextmanager
async def database_at(
    dsn: str,
    *,
    work_mem_kb: int = 16 * 1024,
    temp_file_limit_kb: int = 1024 * 1024,
    role: str | None = None,
) -> AsyncIterator[AsyncpgDatabase]:
    async with pool_for(PoolConfig(name="x", dsn=dsn, pool_max=1)) as pool:
        yield AsyncpgDatabase(
            name="x",
            pool=pool,
            clock=FakeClock(),
            work_mem_kb=work_mem_kb,
            temp_file_limit_kb=temp_file_limit_kb,
            role=role,
        )


def login_role(admin_dsn: str, tmp_path: Path, setup: str = "") -> str:
    """A database and a fresh login role that is not a superuser."""
    role = f"reader_{uuid.uuid4().hex[:8]}"
    sql = tmp_path / "role.sql"
    sql.write_text(f"CREATE ROLE {role} LOGIN; {setup.format(role=role)}")
    parts = urlsplit(create_database(admin_dsn, (sql,), prefix="lim"))
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


@pytest.fixture
def reader_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    return login_role(pg_admin_dsn, tmp_path)


@pytest.fixture
def narrow_role(pg_admin_dsn: str, tmp_path: Path) -> tuple[str, str]:
    """A database whose superuser login may SET ROLE to a role that is not a superuser."""
    role = f"narrow_{uuid.uuid4().hex[:8]}"
    sql = tmp_path / "narrow.sql"
    sql.write_text(f"CREATE ROLE {role} NOLOGIN;")
    return create_database(pg_admin_dsn, (sql,), prefix="narrow"), role


@pytest.fixture
def tight_reader_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    return login_role(pg_admin_dsn, tmp_path, "ALTER ROLE {role} SET temp_file_limit = '64MB';")


async def shown(database: AsyncpgDatabase, name: str) -> object:
    result = await database.fetch(f"SHOW {name}", max_rows=1, timeout=5)
    return result.rows[0][0]


@pytest.mark.anyio
async def test_every_transaction_sets_work_mem_and_temp_file_limit(shop_dsn: str) -> None:
    async with database_at(shop_dsn, work_mem_kb=2048, temp_file_limit_kb=10240) as database:
        assert await shown(database, "work_mem") == "2MB"
        assert await shown(database, "temp_file_limit") == "10MB"


@pytest.mark.anyio
async def test_the_limit_is_set_before_the_transaction_switches_to_a_narrower_role(
    narrow_role: tuple[str, str],
) -> None:
    dsn, role = narrow_role
    async with database_at(dsn, temp_file_limit_kb=10240, role=role) as database:
        assert await shown(database, "temp_file_limit") == "10MB"
        assert await shown(database, "role") == role


@pytest.mark.anyio
async def test_a_query_spilling_past_the_temp_file_limit_fails_with_err_006(
    shop_dsn: str,
) -> None:
    async with database_at(shop_dsn, work_mem_kb=64, temp_file_limit_kb=1024) as database:
        with pytest.raises(PgMcpError) as caught:
            await database.fetch(SPILL, max_rows=1, timeout=20)

        assert caught.value.code is ErrorCode.SQL_EXECUTION
        assert "temp_file_limit" in caught.value.message


@pytest.mark.anyio
async def test_a_login_that_may_not_set_the_limit_still_answers_and_is_told_how_once(
    reader_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        async with database_at(reader_dsn) as database:
            first = await database.fetch("SELECT 1", max_rows=1, timeout=5)
            await database.fetch("SELECT 2", max_rows=1, timeout=5)
            assert await shown(database, "work_mem") == "16MB"

    assert first.rows == ((1,),)
    advice = [r.getMessage() for r in caplog.records if "temp_file_limit" in r.getMessage()]
    assert len(advice) == 1
    assert "ALTER ROLE" in advice[0]


@pytest.mark.anyio
async def test_a_role_whose_own_limit_is_tight_enough_is_not_warned(
    tight_reader_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        async with database_at(tight_reader_dsn) as database:
            assert await shown(database, "temp_file_limit") == "64MB"

    assert not [r for r in caplog.records if "temp_file_limit" in r.getMessage()]
