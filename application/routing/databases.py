"""The configured databases, looked up by the name a client gives."""

from collections.abc import Mapping

from domain.errors import InvalidRequest
from domain.ports import Database


class DatabaseDirectory:
    """Finds a configured database by name; the first one serves when none is named."""

    def __init__(
        self, databases: Mapping[str, Database], descriptions: Mapping[str, str] | None = None
    ) -> None:
        if not databases:
            raise ValueError("at least one database must be configured")
        self._databases = dict(databases)
        self._descriptions = dict(descriptions or {})

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the configured databases, in configuration order."""
        return tuple(self._databases)

    def description(self, name: str) -> str:
        """What the operator says the database holds; empty when not said."""
        return self._descriptions.get(name, "")

    def pick(self, name: str | None) -> Database:
        """The database called `name`, or the first one when name is None.

        Raises:
            InvalidRequest: no database has that name.
        """
        if name is None:
            return next(iter(self._databases.values()))
        database = self._databases.get(name)
        if database is None:
            known = ", ".join(self._databases)
            raise InvalidRequest(f"Unknown database {name!r}; known databases: {known}")
        return database
