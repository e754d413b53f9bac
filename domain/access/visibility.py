"""The part of a schema snapshot that the access rules let a reader (or a prompt) see."""

import re
from dataclasses import replace

from domain.access.catalog import AccessCatalog, Relation
from domain.access.rules import AccessRules
from domain.models import ForeignKey, Index, SchemaSnapshot, Table

_WORD = re.compile(r"\w+")


def visible_schema(
    snapshot: SchemaSnapshot,
    rules: AccessRules,
) -> SchemaSnapshot:
    """The snapshot without refused tables and hidden columns, and without keys that name them."""
    if not rules.enabled:
        return snapshot
    return visible_part(snapshot, AccessCatalog(snapshot, rules))


def visible_part(snapshot: SchemaSnapshot, catalog: AccessCatalog) -> SchemaSnapshot:
    """visible_schema() from the snapshot's catalog under enabled rules, already built."""
    shown: dict[tuple[str, str], Relation] = {}
    for table in snapshot.tables:
        relation = catalog.relation(table.schema, table.name)
        if relation.refusal is None:
            shown[(relation.schema or "", relation.name)] = relation
    tables = tuple(
        _visible_table(table, shown[key], shown)
        for table in snapshot.tables
        if (key := (table.schema, table.name)) in shown
    )
    return replace(snapshot, tables=tables)


def _visible_table(
    table: Table, relation: Relation, shown: dict[tuple[str, str], Relation]
) -> Table:
    def visible(names: tuple[str, ...]) -> bool:
        return not any(name in relation.hidden for name in names)

    def index_visible(index: Index) -> bool:
        # An expression index names its columns inside the expression: lower(email).
        words = {word.lower() for column in index.columns for word in _WORD.findall(column)}
        return not words & {name.lower() for name in relation.hidden}

    return replace(
        table,
        columns=tuple(c for c in table.columns if c.name not in relation.hidden),
        primary_key=table.primary_key if visible(table.primary_key) else (),
        unique_keys=tuple(key for key in table.unique_keys if visible(key)),
        foreign_keys=tuple(
            fk for fk in table.foreign_keys if visible(fk.columns) and _target_visible(fk, shown)
        ),
        indexes=tuple(index for index in table.indexes if index_visible(index)),
    )


def _target_visible(fk: ForeignKey, shown: dict[tuple[str, str], Relation]) -> bool:
    target = shown.get((fk.ref_schema, fk.ref_table))
    return target is not None and not any(c in target.hidden for c in fk.ref_columns)
