"""The part of each schema a client may see, computed once per snapshot."""

from dataclasses import replace

from domain.access.rules import AccessRules
from domain.access.visibility import visible_schema
from domain.models import RelationKind, SchemaSnapshot

_KEPT = 16


class VisibleSchemas:
    """Caches visible_schema per snapshot object, so prompts and indexes reuse one result."""

    def __init__(self, rules: AccessRules) -> None:
        self._rules = rules
        # Keyed by id(); the snapshot is held too, so its id cannot be reused while cached.
        self._cache: dict[int, tuple[SchemaSnapshot, SchemaSnapshot]] = {}

    @property
    def rules(self) -> AccessRules:
        """The access rules applied."""
        return self._rules

    def of(self, snapshot: SchemaSnapshot) -> SchemaSnapshot:
        """The snapshot without blocked tables and columns, nor partitions (their parent shows)."""
        cached = self._cache.get(id(snapshot))
        if cached is not None and cached[0] is snapshot:
            return cached[1]
        visible = _without_partitions(visible_schema(snapshot, self._rules))
        if len(self._cache) >= _KEPT:
            self._cache.pop(next(iter(self._cache)))
        self._cache[id(snapshot)] = (snapshot, visible)
        return visible


def _without_partitions(snapshot: SchemaSnapshot) -> SchemaSnapshot:
    # Hundreds of yearly or hashed partitions would crowd the prompt; a query of the parent
    # reads them all. Inheritance children stay: they are tables in their own right.
    partitioned = {
        (t.schema, t.name) for t in snapshot.tables if t.kind is RelationKind.PARTITIONED_TABLE
    }
    kept = tuple(t for t in snapshot.tables if partitioned.isdisjoint(t.parents))
    return replace(snapshot, tables=kept)
