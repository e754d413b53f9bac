import ast
import asyncio
import builtins
import importlib
import inspect
from pathlib import Path

import asyncpg.exceptions as pg
import pytest

import adapters.postgres
from adapters.postgres.errors import _ASYNCPG_ERRORS, target_of, translate, translate_asyncpg_errors
from domain.errors import (
    DatabaseUnavailable,
    ErrorCode,
    PgMcpError,
    QueryTimedOut,
    SqlExecutionFailed,
    UnsafeSql,
)

PACKAGE = Path(adapters.postgres.__file__).parent
OWN_MODULES = ("pool", "asyncpg_database", "capped_select", "introspection", "rendering", "errors")


def caught_names(module_name: str) -> list[tuple[str, str]]:
    """(module, dotted name) of every class named in an `except` clause of the module."""
    tree = ast.parse((PACKAGE / f"{module_name}.py").read_text())
    names = []
    for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
        if handler.type is None:
            continue
        nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        names += [(module_name, ast.unparse(node)) for node in nodes]
    return names


def resolve(module_name: str, dotted: str) -> object:
    module = importlib.import_module(f"adapters.postgres.{module_name}")
    first, *rest = dotted.split(".")
    value = getattr(module, first, None) or getattr(builtins, first)
    for part in rest:
        value = getattr(value, part)
    return value


@pytest.mark.parametrize(
    ("module_name", "dotted"), [pair for m in OWN_MODULES for pair in caught_names(m)]
)
def test_every_exception_the_adapter_catches_is_in_the_translation_table(
    module_name: str, dotted: str
) -> None:
    caught = resolve(module_name, dotted)

    if isinstance(caught, tuple):
        assert all(c in _ASYNCPG_ERRORS for c in caught), dotted
    else:
        assert inspect.isclass(caught)
        assert caught in _ASYNCPG_ERRORS or issubclass(caught, PgMcpError), dotted


ASYNCPG_ERRORS = sorted(
    (
        cls
        for cls in vars(pg).values()
        if inspect.isclass(cls) and issubclass(cls, Exception) and not issubclass(cls, Warning)
    ),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("exc_type", ASYNCPG_ERRORS, ids=lambda cls: cls.__name__)
def test_every_asyncpg_exception_becomes_a_pg_mcp_error(exc_type: type[Exception]) -> None:
    assert target_of(exc_type) is not None


@pytest.mark.parametrize(
    ("exc_type", "expected"),
    [
        (pg.QueryCanceledError, QueryTimedOut),
        (pg.LockNotAvailableError, QueryTimedOut),
        (pg.AdminShutdownError, DatabaseUnavailable),
        (pg.CannotConnectNowError, DatabaseUnavailable),
        (pg.TooManyConnectionsError, DatabaseUnavailable),
        (pg.ConnectionDoesNotExistError, DatabaseUnavailable),
        (pg.InvalidPasswordError, DatabaseUnavailable),
        (pg.InvalidCatalogNameError, DatabaseUnavailable),
        (pg.ReadOnlySQLTransactionError, UnsafeSql),
        (pg.InsufficientPrivilegeError, UnsafeSql),
        (pg.PostgresSyntaxError, SqlExecutionFailed),
        (pg.UndefinedColumnError, SqlExecutionFailed),
        (pg.UndefinedTableError, SqlExecutionFailed),
        (pg.UndefinedFunctionError, SqlExecutionFailed),
        (pg.DataError, SqlExecutionFailed),
        (pg.DivisionByZeroError, SqlExecutionFailed),
        (pg.InterfaceError, DatabaseUnavailable),
        (pg.InternalClientError, DatabaseUnavailable),
        (pg.ProtocolError, DatabaseUnavailable),
        (pg.OutdatedSchemaCacheError, SqlExecutionFailed),
        (ConnectionRefusedError, DatabaseUnavailable),
        (ConnectionResetError, DatabaseUnavailable),
        (TimeoutError, DatabaseUnavailable),
    ],
)
def test_the_most_specific_class_picks_the_error(
    exc_type: type[Exception], expected: type[PgMcpError]
) -> None:
    assert target_of(exc_type) is expected


def test_server_errors_keep_the_sqlstate_message_and_hint_for_repair() -> None:
    exc = pg.PostgresError.new(
        {"C": "42703", "M": 'column "nme" does not exist', "H": 'Perhaps you meant "name".'}
    )

    error = translate(exc, "shop")

    assert isinstance(error, SqlExecutionFailed)
    assert error.code is ErrorCode.SQL_EXECUTION
    assert (error.message, error.sqlstate, error.hint) == (
        'column "nme" does not exist',
        "42703",
        'Perhaps you meant "name".',
    )


def test_a_write_stopped_by_read_only_is_a_security_refusal() -> None:
    exc = pg.PostgresError.new({"C": "25006", "M": "cannot execute DELETE in a read-only txn"})

    error = translate(exc, "shop")

    assert error.code is ErrorCode.SQL_SECURITY
    assert error.details() == {"rule": "read_only_transaction"}


@pytest.mark.parametrize(
    "exc",
    [
        OSError("could not connect to postgresql://bob:hunter2@db.internal:5432/shop"),
        ConnectionRefusedError(111, "Connect call failed hunter2"),
        pg.InterfaceError("connection to postgresql://bob:hunter2@db/shop is closed"),
        pg.ClientConfigurationError("invalid DSN postgresql://bob:hunter2@db/shop"),
    ],
    ids=type,
)
def test_connection_errors_never_echo_the_dsn_or_password(exc: Exception) -> None:
    error = translate(exc, "shop")

    assert error.code is ErrorCode.DATABASE_CONNECTION
    assert "hunter2" not in str(error)


def test_a_connection_whose_protocol_broke_is_unavailable_and_retried_not_repaired() -> None:
    # What asyncpg raises for a pooled connection that read the server's FATAL at shutdown.
    exc = pg.InternalClientError("cannot switch to state 15; another operation (2) is in progress")

    error = translate(exc, "shop")

    assert error.code is ErrorCode.DATABASE_CONNECTION
    assert str(error) == "Database 'shop' is not reachable: connection broken"
    assert isinstance(error, DatabaseUnavailable)
    assert not error.lasting


def test_translation_chains_the_original_and_leaves_cancellation_alone() -> None:
    original = pg.QueryCanceledError("canceling statement due to statement timeout")
    with pytest.raises(QueryTimedOut) as caught, translate_asyncpg_errors("shop"):
        raise original
    assert caught.value.__cause__ is original

    with pytest.raises(asyncio.CancelledError), translate_asyncpg_errors("shop"):
        raise asyncio.CancelledError
