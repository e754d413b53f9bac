import asyncio
import socket
from collections.abc import Awaitable
from contextlib import asynccontextmanager

import pytest

from adapters.memory.fake_clock import FakeClock
from adapters.postgres.asyncpg_database import AsyncpgDatabase
from adapters.postgres.pool import PoolConfig, open_pool
from adapters.resilience.around import GuardedChatModel, GuardedDatabase
from adapters.resilience.circuit_breaker import CircuitBreaker, CircuitGuard, CircuitOpen
from adapters.resilience.failures import ai_unavailable, database_unreachable
from domain.errors import (
    AIServiceUnavailable,
    DatabaseUnavailable,
    ErrorCode,
    PgMcpError,
    QueryTimedOut,
    SqlExecutionFailed,
)
from domain.models import QueryResult
from tests.adapters.resilience.fakes import (
    QUESTION,
    FlakyChatModel,
    FlakyDatabase,
    Overloaded,
    is_overloaded,
)

pool_for = asynccontextmanager(open_pool)


def unreachable() -> DatabaseUnavailable:
    return DatabaseUnavailable("Database 'shop' is not reachable: connection refused")


def guarded(
    inner: FlakyDatabase, clock: FakeClock, *, success_threshold: int = 1
) -> tuple[GuardedDatabase, CircuitBreaker]:
    breaker = CircuitBreaker(
        "database 'shop'",
        clock=clock,
        failure_threshold=3,
        open_seconds=30.0,
        success_threshold=success_threshold,
    )
    guard = CircuitGuard(breaker, unavailable=DatabaseUnavailable, counts=database_unreachable)
    return GuardedDatabase(inner, guard), breaker


async def error_of(call: Awaitable[object]) -> PgMcpError:
    with pytest.raises(PgMcpError) as caught:
        async with asyncio.timeout(5):
            await call
    return caught.value


async def fetch(db: GuardedDatabase) -> QueryResult:
    async with asyncio.timeout(5):
        return await db.fetch("SELECT 1", max_rows=10, timeout=5.0)


async def trip(db: GuardedDatabase, inner: FlakyDatabase) -> None:
    inner.fail_with(unreachable(), unreachable(), unreachable())
    for _ in range(3):
        await error_of(fetch(db))


@pytest.mark.anyio
async def test_the_circuit_opens_after_failure_threshold_failures_in_a_row() -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, breaker = guarded(inner, clock)
    inner.fail_with(unreachable(), unreachable())
    for _ in range(2):
        await error_of(fetch(db))
    assert breaker.state == "closed"

    inner.fail_with(unreachable())
    await error_of(fetch(db))

    assert breaker.state == "open"
    assert breaker.retry_at == clock.now() + 30.0


@pytest.mark.anyio
async def test_an_open_circuit_fails_fast_with_err_001_saying_when_it_tries_again() -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, _breaker = guarded(inner, clock)
    await trip(db, inner)
    clock.advance(18.0)

    raised = await error_of(fetch(db))

    assert raised.code is ErrorCode.DATABASE_CONNECTION
    assert inner.calls == 3
    assert isinstance(raised.__cause__, CircuitOpen)
    assert raised.__cause__.retry_in == pytest.approx(12.0)


@pytest.mark.anyio
async def test_the_chat_model_circuit_fails_fast_with_err_003() -> None:
    clock, inner = FakeClock(), FlakyChatModel([Overloaded()] * 2)
    breaker = CircuitBreaker("the AI service", clock=clock, failure_threshold=2)
    model = GuardedChatModel(
        inner, CircuitGuard(breaker, unavailable=AIServiceUnavailable, counts=ai_unavailable)
    )
    for _ in range(2):
        await error_of(model.complete(QUESTION))

    raised = await error_of(model.complete(QUESTION))

    assert raised.code is ErrorCode.AI_SERVICE
    assert inner.calls == 2
    assert breaker.state == "open"


@pytest.mark.anyio
async def test_a_success_resets_the_count_of_failures() -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, breaker = guarded(inner, clock)
    inner.fail_with(unreachable(), unreachable())
    for _ in range(2):
        await error_of(fetch(db))
    await fetch(db)

    inner.fail_with(unreachable(), unreachable())
    for _ in range(2):
        await error_of(fetch(db))

    assert breaker.state == "closed"


@pytest.mark.anyio
async def test_the_circuit_turns_half_open_exactly_after_open_seconds() -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, breaker = guarded(inner, clock)
    await trip(db, inner)

    clock.advance(29.5)
    assert breaker.state == "open"
    clock.advance(0.5)
    assert breaker.state == "half_open"
    assert breaker.retry_at is None


@pytest.mark.anyio
async def test_a_successful_trial_call_closes_the_circuit() -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, breaker = guarded(inner, clock)
    await trip(db, inner)
    clock.advance(30.0)

    result = await fetch(db)

    assert result.rows == ((1,),)
    assert breaker.state == "closed"


@pytest.mark.anyio
async def test_the_circuit_closes_only_after_success_threshold_trial_successes() -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, breaker = guarded(inner, clock, success_threshold=2)
    await trip(db, inner)
    clock.advance(30.0)

    await fetch(db)
    assert breaker.state == "half_open"
    await fetch(db)
    assert breaker.state == "closed"


@pytest.mark.anyio
async def test_a_failed_trial_call_opens_the_circuit_again_for_open_seconds() -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, breaker = guarded(inner, clock)
    await trip(db, inner)
    clock.advance(30.0)
    inner.fail_with(unreachable())

    raised = await error_of(fetch(db))

    assert raised.code is ErrorCode.DATABASE_CONNECTION
    assert breaker.state == "open"
    assert breaker.retry_at == clock.now() + 30.0
    calls = inner.calls
    await error_of(fetch(db))
    assert inner.calls == calls


@pytest.mark.anyio
async def test_while_a_trial_call_runs_other_calls_fail_fast() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("database 'shop'", clock=clock, failure_threshold=1)
    gate = asyncio.Event()

    async def failing() -> None:
        raise unreachable()

    async def slow_success() -> str:
        await gate.wait()
        return "answered"

    with pytest.raises(DatabaseUnavailable):
        await breaker.call(failing)
    clock.advance(30.0)
    async with asyncio.timeout(5):
        trial = asyncio.create_task(breaker.call(slow_success))
        await asyncio.sleep(0)
        with pytest.raises(CircuitOpen):
            await breaker.call(slow_success)
        gate.set()
        assert await trial == "answered"
    assert breaker.state == "closed"


@pytest.mark.anyio
async def test_a_cancelled_trial_call_lets_the_next_call_be_the_trial() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("database 'shop'", clock=clock, failure_threshold=1)

    async def failing() -> None:
        raise unreachable()

    async def succeed() -> str:
        return "answered"

    with pytest.raises(DatabaseUnavailable):
        await breaker.call(failing)
    clock.advance(30.0)
    async with asyncio.timeout(5):
        trial = asyncio.create_task(breaker.call(asyncio.Event().wait))
        await asyncio.sleep(0)
        trial.cancel()
        with pytest.raises(asyncio.CancelledError):
            await trial
        assert await breaker.call(succeed) == "answered"
    assert breaker.state == "closed"


@pytest.mark.parametrize(
    "error", [SqlExecutionFailed("syntax error"), QueryTimedOut()], ids=["sql_error", "timeout"]
)
@pytest.mark.anyio
async def test_errors_of_the_statement_do_not_open_the_circuit(error: PgMcpError) -> None:
    clock, inner = FakeClock(), FlakyDatabase()
    db, breaker = guarded(inner, clock)
    inner.fail_with(unreachable(), unreachable(), error, unreachable(), unreachable())

    codes = [(await error_of(fetch(db))).code for _ in range(5)]

    assert codes[2] is error.code
    assert breaker.state == "closed"


@pytest.mark.anyio
async def test_a_chat_model_error_that_is_not_transient_does_not_open_the_circuit() -> None:
    clock = FakeClock()
    inner = FlakyChatModel([AIServiceUnavailable("bad key")] * 3)
    breaker = CircuitBreaker("the AI service", clock=clock, failure_threshold=2)
    model = GuardedChatModel(
        inner, CircuitGuard(breaker, unavailable=AIServiceUnavailable, counts=is_overloaded)
    )

    for _ in range(3):
        await error_of(model.complete(QUESTION))

    assert inner.calls == 3
    assert breaker.state == "closed"


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.anyio
async def test_an_unreachable_postgres_opens_the_circuit() -> None:
    clock = FakeClock()
    dsn = f"postgresql://postgres@127.0.0.1:{refused_port()}/postgres"
    async with pool_for(PoolConfig(name="down", dsn=dsn, pool_min=0, pool_max=1)) as pool:
        inner = AsyncpgDatabase(name="down", pool=pool, clock=clock)
        breaker = CircuitBreaker("database 'down'", clock=clock, failure_threshold=2)
        db = GuardedDatabase(
            inner,
            CircuitGuard(breaker, unavailable=DatabaseUnavailable, counts=database_unreachable),
        )
        for _ in range(2):
            raised = await error_of(db.fetch("SELECT 1", max_rows=1, timeout=5.0))
            assert raised.code is ErrorCode.DATABASE_CONNECTION

        raised = await error_of(db.fetch("SELECT 1", max_rows=1, timeout=5.0))

    assert raised.code is ErrorCode.DATABASE_CONNECTION
    assert isinstance(raised.__cause__, CircuitOpen)
