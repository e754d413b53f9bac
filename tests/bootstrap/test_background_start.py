"""The stdio server's background start: the backend it hands the tools, or the error they give."""

import pytest
from pydantic import SecretStr

from application.messages import DescribeRequest
from bootstrap.serve_stdio import BackgroundStart
from bootstrap.settings import DatabaseSettings
from domain.errors import DatabaseUnavailable, ErrorCode
from tests.container_settings import settings_for

pytestmark = pytest.mark.anyio


async def test_the_backend_answers_once_the_pools_are_open(shop_dsn: str) -> None:
    start = BackgroundStart(settings_for(shop_dsn))
    try:
        backend = await start.ready()
        described = await backend.use_cases.describe.execute(DescribeRequest())
    finally:
        await start.close()

    assert "customers" in described.text


async def test_a_refused_role_reaches_the_tools_as_err_001_naming_the_variable(
    shop_dsn: str,
) -> None:
    settings = settings_for(shop_dsn)
    database = DatabaseSettings(
        postgres_dsn=SecretStr(shop_dsn), db_role="no_such_role_here", _env_file=None
    )
    start = BackgroundStart(settings.model_copy(update={"database": database}))
    try:
        with pytest.raises(DatabaseUnavailable) as refused:
            await start.ready()
    finally:
        await start.close()

    assert refused.value.code == ErrorCode.DATABASE_CONNECTION
    assert "PG_MCP_DB_ROLE" in refused.value.message
    assert "no_such_role_here" in refused.value.message
