"""The asyncpg pool of one database: opened at start-up, closed at shutdown."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

import asyncpg
import asyncpg.exceptions as pg
from asyncpg.pool import PoolConnectionProxy

from adapters.postgres.rendering import interval_tuple, render_interval_tuple

logger = logging.getLogger(__name__)

_SSL_MODES = frozenset({"disable", "require", "verify-full"})

# Startup parameters survive the pool's RESET ALL; read-only is a second lock behind
# BEGIN READ ONLY for anything that might run outside our transactions.
_SERVER_SETTINGS = {"application_name": "pg-mcp", "default_transaction_read_only": "on"}

# What asyncpg's own reset (advisory locks, cursors, LISTEN, RESET ALL) leaves behind: the
# session's role and authorization, temp objects and sequence state.
_RESET_MORE = """
SET SESSION AUTHORIZATION DEFAULT;
RESET ROLE;
RESET ALL;
DISCARD TEMP;
DISCARD SEQUENCES;
"""

# Last in the reset script: its tag ("SELECT n") counts the SQL-level prepared statements left
# (asyncpg's own, named __asyncpg_*, are its statement cache and stay). There are none unless a
# gap let a PREPARE through, so the PL/pgSQL block that drops them (a third of the reset's cost
# in PostgreSQL) runs only then, in a round trip of its own.
_COUNT_PREPARED = (
    "SELECT FROM pg_catalog.pg_prepared_statements WHERE name NOT LIKE '\\_\\_asyncpg\\_%';"
)
_NONE_PREPARED = "SELECT 0"
_DEALLOCATE = """
DO $$DECLARE s record; BEGIN
  FOR s IN SELECT name FROM pg_catalog.pg_prepared_statements
           WHERE name NOT LIKE '\\_\\_asyncpg\\_%' LOOP
    EXECUTE pg_catalog.format('DEALLOCATE %I', s.name);
  END LOOP;
END$$;
"""

# Set by end_transaction in the task that holds the connection, read by the pool's reset on
# release (asyncpg runs it in a shielded copy of that task's context): the session was already
# reset in the round trip that ended the transaction, so release costs no second one.
_reset_with_transaction: ContextVar[bool] = ContextVar("pg_mcp_reset_done", default=False)

# A healthy server ends a read-only transaction in milliseconds; one that takes this long is
# hung, and the connection is hung up on rather than returned.
_END_TIMEOUT = 5.0

# Transactions ending after their call has answered: held here so that none is collected early.
_ending: set[asyncio.Task[None]] = set()

# What a statement on a pooled connection raises when the server refuses it or the connection
# is lost or broken (asyncpg's protocol left mid-way: InternalClientError). Ending the call's
# transaction or resetting its session meets these; the connection is then dropped, not reused.
CONNECTION_FAILURES = (pg.PostgresError, pg.InterfaceError, pg.InternalClientError, OSError)
_END_FAILURES = (*CONNECTION_FAILURES, TimeoutError)  # TimeoutError: _END_TIMEOUT ran out

# Caught only to keep the server starting; the first call reports ERR_001 (errors.py).
_START_ERRORS = (OSError, TimeoutError, pg.PostgresError, pg.InterfaceError)


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolConfig:
    """How to reach one database: its name for clients, DSN, pool size and TLS mode."""

    name: str
    dsn: str
    pool_min: int = 1
    pool_max: int = 5
    ssl: str | None = None  # None: as the DSN says; "disable", "require", "verify-full"
    acquire_timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.ssl is not None and self.ssl not in _SSL_MODES:
            raise ValueError(f"ssl must be one of {sorted(_SSL_MODES)}, not {self.ssl!r}")
        if not 0 <= self.pool_min <= self.pool_max or self.pool_max < 1:
            raise ValueError("pool sizes need 0 <= pool_min <= pool_max and pool_max >= 1")


async def init_connection(conn: asyncpg.Connection[Any]) -> None:
    """Decode json/jsonb to Python values and interval to an ISO 8601 duration."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, schema="pg_catalog", encoder=json.dumps, decoder=json.loads, format="text"
        )
    await conn.set_type_codec(
        "interval",
        schema="pg_catalog",
        encoder=interval_tuple,
        decoder=render_interval_tuple,
        format="tuple",
    )


def _reset_script(conn: asyncpg.Connection[Any] | PoolConnectionProxy[Any]) -> str:
    # setseed() makes random() predictable and no RESET undoes it: reseed from the OS.
    seed = secrets.randbelow(2**52) / 2**51 - 1
    return (
        f"{conn.get_reset_query()}\n{_RESET_MORE}SELECT pg_catalog.setseed({seed!r});\n"
        + _COUNT_PREPARED
    )


async def _reset(conn: asyncpg.Connection[Any] | PoolConnectionProxy[Any], first: str) -> None:
    """Run `first` and the reset in one round trip; a second drops prepared statements left."""
    if await conn.execute(f"{first}{_reset_script(conn)}") != _NONE_PREPARED:
        await conn.execute(_DEALLOCATE)


@dataclass(slots=True)
class CallConnection:
    """A pooled connection lent to one call; `end_later` hands its COMMIT to the background."""

    conn: PoolConnectionProxy[asyncpg.Record]
    ending_later: bool = False

    def end_later(self) -> None:
        """Commit and reset after the caller has its answer; release only once both are done."""
        self.ending_later = True


@asynccontextmanager
async def call_connection(
    pool: asyncpg.Pool[asyncpg.Record], *, timeout: float
) -> AsyncIterator[CallConnection]:
    """A pooled connection for one call; its session is clean once it is back in the pool.

    A call that read in a read-only transaction calls `end_later`: its COMMIT cannot change
    what was read, so neither it nor the session reset sent with it holds up the reply. The
    connection returns to the pool only after both, so no call sees another's session.
    """
    token = _reset_with_transaction.set(False)
    try:
        call = CallConnection(await pool.acquire(timeout=timeout))
        try:
            yield call
        finally:
            if call.ending_later:
                task = asyncio.create_task(_commit_and_release(pool, call.conn))
                _ending.add(task)
                task.add_done_callback(_ending.discard)
            else:
                await pool.release(call.conn)
    finally:
        _reset_with_transaction.reset(token)


async def calls_ended() -> None:
    """Wait until every transaction handed to the background has ended and its connection is
    back in its pool."""
    loop = asyncio.get_running_loop()
    # Only this loop's: a task of a loop that has closed can no longer be waited for.
    while pending := [task for task in _ending if task.get_loop() is loop]:
        await asyncio.wait(pending)


async def _commit_and_release(
    pool: asyncpg.Pool[asyncpg.Record], conn: PoolConnectionProxy[asyncpg.Record]
) -> None:
    try:
        async with asyncio.timeout(_END_TIMEOUT):
            await end_transaction(conn, "COMMIT")
    except _END_FAILURES:
        # Closed: release then hands it back without a reset, and the pool opens a fresh one.
        logger.warning("a call's read-only transaction did not end cleanly; closing its connection")
        conn.terminate()
    finally:
        await pool.release(conn)


async def end_transaction(
    conn: PoolConnectionProxy[Any], command: Literal["COMMIT", "ROLLBACK"]
) -> None:
    """End the transaction and reset the session in one round trip; release then skips its own."""
    await _reset(conn, f"{command};\n")
    _reset_with_transaction.set(True)


async def reset_connection(conn: asyncpg.Connection[Any]) -> None:
    """Leave nothing of one call's session for the next: the pool runs this on release."""
    if _reset_with_transaction.get():
        return
    try:
        await _reset(conn, "")
    except CONNECTION_FAILURES:
        # A session that cannot be cleaned must not serve another call; the pool reconnects.
        logger.warning("a pooled connection could not be reset; closing it")
        conn.terminate()


async def _create(config: PoolConfig, *, min_size: int) -> asyncpg.Pool[asyncpg.Record]:
    options: dict[str, Any] = {"ssl": config.ssl} if config.ssl is not None else {}
    return await asyncpg.create_pool(
        dsn=config.dsn,
        min_size=min_size,
        max_size=config.pool_max,
        timeout=config.acquire_timeout,
        init=init_connection,
        reset=reset_connection,
        server_settings=_SERVER_SETTINGS,
        **options,
    )


async def open_pool(config: PoolConfig) -> AsyncIterator[asyncpg.Pool[asyncpg.Record]]:
    """Yield the pool of one database, connecting lazily when it is down at start-up."""
    try:
        pool = await _create(config, min_size=config.pool_min)
    except _START_ERRORS as exc:
        # A database that is down must not stop the server; calls report ERR_001 until it is up.
        logger.warning(
            "database %s not reachable at start (%s); connecting on first use",
            config.name,
            type(exc).__name__,
        )
        pool = await _create(config, min_size=0)
    try:
        yield pool
    finally:
        await _close(pool, grace=config.acquire_timeout)


async def _close(pool: asyncpg.Pool[asyncpg.Record], *, grace: float) -> None:
    try:
        async with asyncio.timeout(grace):
            await pool.close()
    except TimeoutError:
        # A connection stuck on a silent server must not hold up shutdown.
        pool.terminate()
