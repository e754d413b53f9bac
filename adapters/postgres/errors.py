"""asyncpg exceptions become pg-mcp errors here, once, at the adapter edge."""

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import asyncpg.exceptions as pg

from domain.errors import (
    DatabaseUnavailable,
    PgMcpError,
    QueryTimedOut,
    SqlExecutionFailed,
    UnsafeSql,
)
from domain.refusal_rules import RefusalRule

# The most specific class in an exception's MRO wins, so subclasses may refine a parent.
_ASYNCPG_ERRORS: dict[type[Exception], type[PgMcpError]] = {
    pg.QueryCanceledError: QueryTimedOut,  # 57014: statement_timeout fired
    pg.LockNotAvailableError: QueryTimedOut,  # 55P03: lock_timeout fired
    pg.IdleInTransactionSessionTimeoutError: QueryTimedOut,  # 25P03: session killed
    # 25006: a write reached the server and READ ONLY stopped it; a security refusal.
    pg.ReadOnlySQLTransactionError: UnsafeSql,
    pg.InsufficientPrivilegeError: UnsafeSql,  # 42501: the role may not read it
    pg.PostgresConnectionError: DatabaseUnavailable,  # class 08, connection lost
    pg.InvalidAuthorizationSpecificationError: DatabaseUnavailable,  # class 28, bad login
    pg.InvalidCatalogNameError: DatabaseUnavailable,  # 3D000: database does not exist
    pg.OperatorInterventionError: DatabaseUnavailable,  # class 57: shutdown, cannot connect
    pg.TooManyConnectionsError: DatabaseUnavailable,  # 53300
    # Everything else the server rejects (syntax 42601, undefined column 42703, data class
    # 22, ...) goes back to the model with PostgreSQL's own words so that it can repair.
    pg.PostgresError: SqlExecutionFailed,
    pg.OutdatedSchemaCacheError: SqlExecutionFailed,  # a cached plan outdated by DDL
    # Any other: asyncpg's protocol state is broken, e.g. by a server's FATAL read while the
    # connection sat in the pool ("another operation is in progress"). The connection is lost
    # to the call, not the statement wrong: a retry on a fresh one may well succeed.
    pg.InternalClientError: DatabaseUnavailable,
    pg.InterfaceError: DatabaseUnavailable,  # closed pool or connection
    OSError: DatabaseUnavailable,  # refused, unreachable, reset
    TimeoutError: DatabaseUnavailable,  # no connection within the acquire timeout
}

_CAUGHT = tuple(_ASYNCPG_ERRORS)
MAX_MESSAGE_CHARS = 500
# Failures that the next attempt would meet again: a rejected login, a missing database, a host
# name that does not resolve. Retrying them only makes the caller wait.
_LASTING = (
    pg.InvalidAuthorizationSpecificationError,
    pg.InvalidCatalogNameError,
    socket.gaierror,
)

_UNSAFE_RULES: dict[type[Exception], RefusalRule] = {
    pg.ReadOnlySQLTransactionError: RefusalRule.READ_ONLY_TRANSACTION,
    pg.InsufficientPrivilegeError: RefusalRule.INSUFFICIENT_PRIVILEGE,
}

# Fixed phrases: an OSError or client error may quote a host, a path or a DSN.
_UNAVAILABLE_REASONS: dict[type[Exception], str] = {
    socket.gaierror: "the host name does not resolve",
    ConnectionRefusedError: "connection refused",
    TimeoutError: "timed out waiting for a connection",
    pg.InterfaceError: "connection closed",
    pg.InternalClientError: "connection broken",
    OSError: "network error",
}


def target_of(exc_type: type[BaseException]) -> type[PgMcpError] | None:
    """The pg-mcp error an exception of exc_type becomes, or None when it is not ours."""
    return next((_ASYNCPG_ERRORS[c] for c in exc_type.__mro__ if c in _ASYNCPG_ERRORS), None)


def translate(exc: Exception, database: str) -> PgMcpError:
    """The pg-mcp error that tells a client what happened, without secrets."""
    target = target_of(type(exc)) or SqlExecutionFailed
    return _BUILDERS[target](exc, database)


def _server_message(exc: Exception) -> str:
    message = str(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
    return _shortened(message)


def _shortened(text: str | None) -> str:
    # PostgreSQL quotes the offending value ("invalid input syntax ...: "<200 KB>""): a reply,
    # a log line and the model's repair prompt need its start, not all of it.
    if text is None or len(text) <= MAX_MESSAGE_CHARS:
        return text or ""
    return f"{text[:MAX_MESSAGE_CHARS]}… ({len(text) - MAX_MESSAGE_CHARS} more characters)"


def _sql_failed(exc: Exception, database: str) -> PgMcpError:
    return SqlExecutionFailed(
        _server_message(exc),
        sqlstate=getattr(exc, "sqlstate", None),
        hint=_shortened(getattr(exc, "hint", None)) or None,
    )


def _unsafe(exc: Exception, database: str) -> PgMcpError:
    rule = next(
        (r for c, r in _UNSAFE_RULES.items() if isinstance(exc, c)), RefusalRule.SERVER_REFUSED
    )
    return UnsafeSql(_server_message(exc), rule=rule)


def _timed_out(exc: Exception, database: str) -> PgMcpError:
    return QueryTimedOut()


def _unavailable(exc: Exception, database: str) -> PgMcpError:
    if isinstance(exc, pg.PostgresError):
        reason = _server_message(exc)  # the server never echoes a password
    else:
        reason = next(
            (r for c, r in _UNAVAILABLE_REASONS.items() if isinstance(exc, c)), "client error"
        )
    return DatabaseUnavailable(
        f"Database {database!r} is not reachable: {reason}", lasting=isinstance(exc, _LASTING)
    )


_BUILDERS: dict[type[PgMcpError], Callable[[Exception, str], PgMcpError]] = {
    SqlExecutionFailed: _sql_failed,
    UnsafeSql: _unsafe,
    QueryTimedOut: _timed_out,
    DatabaseUnavailable: _unavailable,
}


@contextmanager
def translate_asyncpg_errors(database: str) -> Iterator[None]:
    """Re-raise asyncpg, socket and timeout errors as the matching PgMcpError."""
    try:
        yield
    except _CAUGHT as exc:
        raise translate(exc, database) from exc
