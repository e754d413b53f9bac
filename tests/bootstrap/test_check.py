import asyncio
import io
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr

from bootstrap.check import run_check
from bootstrap.settings import OpenAISettings, Settings
from bootstrap.settings.team import SharedStateSettings
from tests.container_settings import settings_for
from tests.fake_llm_server import FakeLLMServer, Fault, error_body
from tests.pg import FIXTURES, admin_execute, create_database, with_user
from tests.redis_server import running_redis

pytestmark = pytest.mark.anyio

API_KEY = "sk-test-SECRET123"


def settings(dsn: str, llm: FakeLLMServer) -> Settings:
    openai = OpenAISettings(
        _env_file=None, api_key=SecretStr(API_KEY), base_url=llm.base_url, model="fake-model"
    )
    return settings_for(dsn).model_copy(update={"openai": openai})


async def check(settings: Settings) -> tuple[int, dict[str, tuple[str, str]]]:
    """The exit status and, per check, its status and detail as printed."""
    out = io.StringIO()
    async with asyncio.timeout(30):
        status = await run_check(settings, out)
    rows = {}
    for line in out.getvalue().splitlines()[2:]:
        name, result, detail = (cell.strip() for cell in line.split("|", 2))
        rows[name] = (result, detail)
    assert API_KEY not in out.getvalue()
    return status, rows


@pytest.fixture
def reader_dsn(pg_admin_dsn: str, tmp_path: Path) -> str:
    """A shop database reached by a login role that may only read its tables."""
    role = f"reader_{uuid.uuid4().hex[:8]}"
    grants = tmp_path / "grants.sql"
    grants.write_text(
        f"CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA public TO {role}; "
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};"
    )
    shop = FIXTURES / "shop_schema.sql"
    return with_user(create_database(pg_admin_dsn, (shop, grants), prefix="reader"), role)


async def test_a_reachable_database_and_model_pass_and_exit_zero(
    shop_dsn: str, llm_server: FakeLLMServer
) -> None:
    status, rows = await check(settings(shop_dsn, llm_server))

    assert status == 0
    assert rows["configuration"][0] == "PASS"
    assert rows["database default"][0] == "PASS"
    assert "PostgreSQL 18" in rows["database default"][1]
    assert rows["model fake-model"][0] == "PASS"
    assert len(llm_server.requests) == 1


async def test_a_superuser_login_is_a_warning_not_a_failure(
    shop_dsn: str, llm_server: FakeLLMServer
) -> None:
    status, rows = await check(settings(shop_dsn, llm_server))

    assert status == 0
    assert rows["role on default"][0] == "WARN"
    assert "superuser" in rows["role on default"][1]


async def test_a_role_that_may_only_read_passes_the_role_check(
    reader_dsn: str, llm_server: FakeLLMServer
) -> None:
    status, rows = await check(settings(reader_dsn, llm_server))

    assert status == 0
    assert rows["role on default"][0] == "PASS"


async def test_an_unreachable_database_fails_without_showing_its_password(
    llm_server: FakeLLMServer,
) -> None:
    # Port 1 on loopback refuses at once.
    dsn = "postgresql://app:S3cretPassw0rd@127.0.0.1:1/shop"
    out = io.StringIO()
    async with asyncio.timeout(30):
        status = await run_check(settings(dsn, llm_server), out)

    assert status == 1
    failed = [line for line in out.getvalue().splitlines() if line.startswith("database default")]
    assert "FAIL" in failed[0]
    assert "ERR_001" in failed[0]
    assert "S3cretPassw0rd" not in out.getvalue()


async def test_a_model_the_server_does_not_have_fails_the_check(
    shop_dsn: str, llm_server: FakeLLMServer
) -> None:
    llm_server.script(Fault(status=404, body=error_body(404, "model not found")))
    status, rows = await check(settings(shop_dsn, llm_server))

    assert status == 1
    assert rows["model fake-model"][0] == "FAIL"
    assert rows["model fake-model"][1].startswith("ERR_003")


async def test_no_model_configured_is_a_warning_since_sql_needs_none(shop_dsn: str) -> None:
    unset = OpenAISettings(_env_file=None, api_key=None, base_url=None, model="gpt-4o-mini")
    status, rows = await check(settings_for(shop_dsn).model_copy(update={"openai": unset}))

    assert status == 0
    assert rows["model gpt-4o-mini"][0] == "WARN"
    assert "SQL works" in rows["model gpt-4o-mini"][1]


def with_role(settings: Settings, role: str) -> Settings:
    database = settings.database.model_copy(update={"db_role": role})
    return settings.model_copy(update={"database": database})


async def test_a_db_role_that_does_not_exist_fails_the_check(
    shop_dsn: str, llm_server: FakeLLMServer
) -> None:
    status, rows = await check(with_role(settings(shop_dsn, llm_server), "no_such_role_x"))

    assert status == 1
    assert rows["PG_MCP_DB_ROLE on default"] == (
        "FAIL",
        'role "no_such_role_x" does not exist in database default',
    )


async def test_a_db_role_the_login_may_not_assume_fails_the_check(
    reader_dsn: str, pg_admin_dsn: str, llm_server: FakeLLMServer
) -> None:
    other = f"other_{uuid.uuid4().hex[:8]}"
    await admin_execute(pg_admin_dsn, f"CREATE ROLE {other} NOLOGIN")

    status, rows = await check(with_role(settings(reader_dsn, llm_server), other))

    assert status == 1
    result, detail = rows["PG_MCP_DB_ROLE on default"]
    assert result == "FAIL"
    assert f'may not SET ROLE to "{other}"' in detail


async def test_a_db_role_the_login_is_granted_passes(
    reader_dsn: str, pg_admin_dsn: str, llm_server: FakeLLMServer
) -> None:
    granted = f"granted_{uuid.uuid4().hex[:8]}"
    login = urlsplit(reader_dsn).username
    await admin_execute(pg_admin_dsn, f"CREATE ROLE {granted} NOLOGIN; GRANT {granted} TO {login}")

    status, rows = await check(with_role(settings(reader_dsn, llm_server), granted))

    assert status == 0
    assert rows["PG_MCP_DB_ROLE on default"] == ("PASS", f"{granted}: can be assumed")


async def test_a_shared_redis_is_checked_when_configured(shop_dsn: str) -> None:
    with running_redis() as redis:
        shared = SharedStateSettings(_env_file=None, redis_url=SecretStr(redis.url))
        _, rows = await check(settings_for(shop_dsn).model_copy(update={"shared": shared}))
        redis.stop()
        status, down = await check(settings_for(shop_dsn).model_copy(update={"shared": shared}))

    assert rows["redis"][0] == "PASS"
    assert status == 1
    assert down["redis"][0] == "FAIL"
