"""Who is asking: the authenticated caller of the tool call being served, if any."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """An authenticated caller and what PostgreSQL should know of them.

    - subject: who the caller is (rate limits and the audit log are keyed by it).
    - db_role: the role each transaction takes (SET LOCAL ROLE), if identity reaches PostgreSQL.
    - db_user: the value of pg_mcp.user in each transaction, for row-level security policies.
    """

    subject: str
    scopes: frozenset[str] = frozenset()
    db_role: str | None = None
    db_user: str | None = None


# A ContextVar, not a parameter: the identity crosses the use cases to the database adapter
# without every port growing an argument, and concurrent calls each see their own.
_current: ContextVar[Caller | None] = ContextVar("pg_mcp_caller", default=None)


@contextmanager
def bind_caller(caller: Caller | None) -> Iterator[None]:
    """Make caller the current one for the code run inside the block."""
    token = _current.set(caller)
    try:
        yield
    finally:
        _current.reset(token)


def current_caller() -> Caller | None:
    """The caller bound by the innermost bind_caller; None over stdio or outside a call."""
    return _current.get()
