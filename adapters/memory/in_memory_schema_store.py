"""A schema store in a dict."""

from domain.models import SchemaSnapshot
from domain.ports import SchemaStore


class InMemorySchemaStore(SchemaStore):
    """Keeps one snapshot per database in memory."""

    def __init__(self) -> None:
        self._snapshots: dict[str, SchemaSnapshot] = {}

    async def get(self, database: str) -> SchemaSnapshot | None:
        """The stored snapshot, if any."""
        return self._snapshots.get(database)

    async def put(self, snapshot: SchemaSnapshot) -> None:
        """Store or replace the snapshot of its database."""
        self._snapshots[snapshot.database] = snapshot
