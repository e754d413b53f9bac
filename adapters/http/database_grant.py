"""Each database call checks the caller's token grants that database, however it was chosen."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from adapters.http.tool_scopes import database_scope, missing_scopes
from application.caller import current_caller
from domain.errors import InvalidRequest

T = TypeVar("T")


class DatabaseGrant:
    """An `Around` for one database: a caller whose scopes lack database:<name> is refused.

    The HTTP gate refuses a database named in the call; this catches the one routing picked.
    Calls with no authenticated caller (stdio) pass.
    """

    def __init__(self, database: str) -> None:
        self._database = database

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call, if the current caller may reach this database.

        Raises:
            InvalidRequest: the caller's token does not grant this database.
        """
        caller = current_caller()
        needed = [database_scope(self._database)]
        if caller is not None and missing_scopes(needed, caller.scopes):
            raise InvalidRequest(
                f"Your access token does not grant database {self._database!r} (scope {needed[0]})"
            )
        return await call()
