import asyncpg
import pytest


@pytest.mark.anyio
async def test_shop_database_has_its_canary_row(shop_dsn: str) -> None:
    conn = await asyncpg.connect(shop_dsn)
    try:
        assert await conn.fetchval("SELECT note FROM canary WHERE id = 1") == "untouched"
    finally:
        await conn.close()
