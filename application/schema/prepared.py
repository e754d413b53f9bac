"""A loaded snapshot with everything the calls derive from it, built once per load."""

from dataclasses import replace
from functools import cached_property

from application.schema.retrieval.index import SchemaIndex
from domain.access.policy import AccessPolicy
from domain.access.rules import AccessRules
from domain.access.visibility import visible_part
from domain.models import RelationKind, SchemaSnapshot


class PreparedSchema:
    """One snapshot under the access rules: the gate's view, what clients see, the search index.

    Compared and hashed by identity: a reload prepares a new one, so anything kept per prepared
    schema (a gate decision, a value index) is never reused under another snapshot or rules.
    """

    def __init__(self, snapshot: SchemaSnapshot, rules: AccessRules) -> None:
        self.snapshot = snapshot
        self.access = AccessPolicy(rules).on(snapshot)
        shown = visible_part(snapshot, self.access.catalog) if rules.enabled else snapshot
        self.visible = _without_partitions(shown)

    @property
    def database(self) -> str:
        """The database the snapshot was read from."""
        return self.snapshot.database

    @cached_property
    def index(self) -> SchemaIndex:
        """Blocks, token costs and BM25 terms of the visible tables, built on first use."""
        return SchemaIndex.build(self.visible)


def _without_partitions(snapshot: SchemaSnapshot) -> SchemaSnapshot:
    # Hundreds of yearly or hashed partitions would crowd the prompt; a query of the parent
    # reads them all. Inheritance children stay: they are tables in their own right.
    partitioned = {
        t.relation_name for t in snapshot.tables if t.kind is RelationKind.PARTITIONED_TABLE
    }
    kept = tuple(t for t in snapshot.tables if partitioned.isdisjoint(t.parents))
    return replace(snapshot, tables=kept)
