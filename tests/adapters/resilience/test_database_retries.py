import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from adapters.resilience.around import GuardedDatabase
from adapters.resilience.backoff import OnRetry, Retries, Sleep
from adapters.resilience.failures import database_may_heal
from adapters.resilience.retry_policy import RetryPolicy
from domain.errors import (
    DatabaseUnavailable,
    ErrorCode,
    PgMcpError,
    QueryTimedOut,
    SqlExecutionFailed,
    UnsafeSql,
)
from domain.ports import Database
from tests.adapters.resilience.fakes import FlakyDatabase, RecordingSleep

pool_for = asynccontextmanager(open_pool)


def retried(
    inner: Database, on_retry: OnRetry | None = None, sleep: Sleep = asyncio.sleep
) -> GuardedDatabase:
    """The database with pg-mcp's database retries around it."""
    retries = Retries(
        RetryPolicy(),
        what="Database",
        transient=database_may_heal,
        on_retry=on_retry,
        sleep=sleep,
    )
    return GuardedDatabase(inner, retries)


Call = Callable[[Database], Awaitable[object]]
CALLS: dict[str, Call] = {
    "fetch": lambda db: db.fetch("SELECT 1", max_rows=10, timeout=5.0),
    "explain": lambda db: db.explain("SELECT 1", timeout=5.0),
    "introspect": lambda db: db.introspect(),
}


def unreachable() -> DatabaseUnavailable:
    return DatabaseUnavailable("Database 'shop' is not reachable: connection refused")


async def error_of(call: Awaitable[object]) -> PgMcpError:
    with pytest.raises(PgMcpError) as caught:
        async with asyncio.timeout(10):
            await call
    return caught.value


@pytest.mark.parametrize("method", CALLS)
@pytest.mark.anyio
async def test_each_method_is_retried_while_the_database_is_unreachable(method: str) -> None:
    inner, sleep = FlakyDatabase([unreachable(), unreachable()]), RecordingSleep()
    retries: list[int] = []
    db = retried(inner, on_retry=retries.append, sleep=sleep)

    async with asyncio.timeout(5):
        await CALLS[method](db)

    assert inner.calls == 3
    assert retries == [1, 2]
    assert 0.5 <= sleep.delays[0] <= 1.0


@pytest.mark.parametrize(
    "error",
    [SqlExecutionFailed("column x does not exist"), UnsafeSql("read only"), QueryTimedOut()],
    ids=["sql_error", "unsafe", "timeout"],
)
@pytest.mark.anyio
async def test_errors_of_the_statement_itself_are_never_retried(error: PgMcpError) -> None:
    inner = FlakyDatabase([error])
    retries: list[int] = []
    db = retried(inner, on_retry=retries.append, sleep=RecordingSleep())

    raised = await error_of(db.fetch("SELECT x", max_rows=10, timeout=5.0))

    assert raised.code is error.code
    assert inner.calls == 1
    assert retries == []


@pytest.mark.anyio
async def test_the_name_is_the_inner_databases() -> None:
    db = retried(FlakyDatabase(name="sales"))

    assert db.name == "sales"


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def fetch_with_retries(dsn: str) -> tuple[PgMcpError, list[int]]:
    """The error of one fetch from a real pool at `dsn` behind the retries, and the retries."""
    retries: list[int] = []
    async with pool_for(PoolConfig(name="db", dsn=dsn, pool_min=0, pool_max=1)) as pool:
        inner = AsyncpgDatabase(name="db", pool=pool, clock=FakeClock())
        db = retried(inner, on_retry=retries.append, sleep=RecordingSleep())
        return await error_of(db.fetch("SELECT 1", max_rows=10, timeout=5.0)), retries


@pytest.mark.anyio
async def test_a_refused_connection_to_postgres_is_retried_then_reported_as_err_001() -> None:
    raised, retries = await fetch_with_retries(
        f"postgresql://postgres@127.0.0.1:{refused_port()}/postgres"
    )

    assert raised.code is ErrorCode.DATABASE_CONNECTION
    assert retries == [1, 2]


@pytest.fixture
async def shop(shop_dsn: str) -> AsyncIterator[AsyncpgDatabase]:
    async with pool_for(PoolConfig(name="shop", dsn=shop_dsn, pool_min=1, pool_max=2)) as pool:
        yield AsyncpgDatabase(name="shop", pool=pool, clock=FakeClock())


@pytest.mark.anyio
async def test_a_sql_error_from_postgres_is_reported_once_without_retry(
    shop: AsyncpgDatabase,
) -> None:
    retries: list[int] = []
    db = retried(shop, on_retry=retries.append, sleep=RecordingSleep())

    raised = await error_of(db.fetch("SELECT no_such_column FROM customers", max_rows=5, timeout=5))

    assert raised.code is ErrorCode.SQL_EXECUTION
    assert retries == []


@pytest.mark.anyio
async def test_a_healthy_postgres_answers_through_the_wrapper(shop: AsyncpgDatabase) -> None:
    db = retried(shop, sleep=RecordingSleep())

    async with asyncio.timeout(10):
        result = await db.fetch("SELECT 1 AS n", max_rows=5, timeout=5)

    assert result.rows == ((1,),)


def dsn_with(shop_dsn: str, *, user: str | None = None, host: str | None = None) -> str:
    if host is not None:
        return f"postgresql://postgres@{host}:5432/postgres"
    parts = urlsplit(shop_dsn)
    return urlunsplit(parts._replace(netloc=f"{user}@{parts.netloc.rsplit('@', 1)[-1]}"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"user": "nobody_at_all"}, 'role "nobody_at_all" does not exist'),
        ({"host": "no-such-host.invalid"}, "the host name does not resolve"),
    ],
)
@pytest.mark.anyio
async def test_a_failure_the_next_attempt_would_meet_again_is_not_retried(
    shop_dsn: str, change: dict[str, str], reason: str
) -> None:
    raised, retries = await fetch_with_retries(dsn_with(shop_dsn, **change))

    assert raised.code is ErrorCode.DATABASE_CONNECTION
    assert reason in raised.message
    assert retries == []
