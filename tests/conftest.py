from collections.abc import Iterator

import pytest

from tests.pg import FIXTURES, create_database, running_cluster


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """Admin DSN of the throwaway cluster shared by the whole run."""
    with running_cluster() as dsn:
        yield dsn


@pytest.fixture(scope="session")
def shop_dsn(pg_admin_dsn: str) -> str:
    """A database holding the small shop schema of the safety corpus (read-only use only)."""
    return create_database(pg_admin_dsn, (FIXTURES / "shop_schema.sql",), prefix="shop")


@pytest.fixture
def fresh_shop_dsn(pg_admin_dsn: str) -> str:
    """A new shop database for a test that checks nothing changed."""
    return create_database(pg_admin_dsn, (FIXTURES / "shop_schema.sql",), prefix="shopx")
