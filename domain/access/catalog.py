"""A schema snapshot under access rules: which relations are refused, which columns hidden."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from domain.access.rules import ANY_TABLE, AccessRules, split_name
from domain.models import SchemaSnapshot, Table

DEFAULT_SCHEMA = "public"


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    """A table or view under the rules; names are lowercase."""

    schema: str | None
    name: str
    columns: tuple[str, ...] | None
    spelled: tuple[str, ...] | None = None
    hidden: frozenset[str] = frozenset()
    refusal: str | None = None
    unlisted: bool = False  # refused only for being missing from the allow list

    @property
    def label(self) -> str:
        """The name used in messages: bare in the public schema, else schema-qualified."""
        if self.schema in (None, DEFAULT_SCHEMA):
            return self.name
        return f"{self.schema}.{self.name}"


class AccessCatalog:
    """Relations of one snapshot under one set of rules, looked up by name.

    A view that reads a blocked table or a hidden column, directly or through other views, is
    refused too. What each view reads comes from view_sources, or else from the snapshot
    (Table.depends_on). A source that is merely missing from allowed_tables does not count:
    listing a view is how an operator exposes a safe projection of a table they keep unlisted.
    """

    def __init__(
        self,
        snapshot: SchemaSnapshot,
        rules: AccessRules,
        view_sources: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self._blocked = {split_name(name) for name in rules.blocked_tables}
        self._blocked_columns = [split_name(name) for name in rules.blocked_columns]
        self._allowed_columns = [split_name(name) for name in rules.allowed_columns]
        self._allowed: set[tuple[str, ...]] | None = None
        if rules.allowed_tables:
            self._allowed = {split_name(name) for name in rules.allowed_tables}
            self._allowed.update(parts[:-1] for parts in self._allowed_columns)
        self._by_name: dict[str, list[Relation]] = {}
        self._hidden_names: dict[str, str] | None = None
        for table in snapshot.tables:
            relation = self._relation(table.schema.lower(), table.name.lower(), table)
            self._by_name.setdefault(relation.name, []).append(relation)
        if view_sources is None:
            sources = _snapshot_view_sources(snapshot)
        else:
            sources = {_qualified(key): deps for key, deps in view_sources.items()}
        if sources:
            self._refuse_views(sources)

    def relations(self, schema: str | None, name: str) -> tuple[Relation, ...]:
        """Every relation a reference `schema.name` (or bare `name`: any schema) may mean."""
        known = [r for r in self._by_name.get(name, ()) if schema in (None, r.schema)]
        if not known:
            return (self._relation(schema, name, None),)
        # An unqualified name resolves through search_path, which is unknown here; prefer
        # public for the column list but keep the others so that their rules still apply.
        known.sort(key=lambda relation: relation.schema != DEFAULT_SCHEMA)
        return tuple(known)

    def hidden_names(self) -> dict[str, str]:
        """Every hidden column name of the snapshot, with one label for it."""
        if self._hidden_names is None:
            self._hidden_names = {
                column: f"{relation.label}.{column}"
                for relations in self._by_name.values()
                for relation in relations
                for column in sorted(relation.hidden)
            }
        return self._hidden_names

    def _relation(self, schema: str | None, name: str, table: Table | None) -> Relation:
        columns = _columns(table) if table else None
        hidden = self._hidden(schema, name, columns)
        refusal, unlisted = self._table_refusal(schema, name)
        if refusal is None and columns is None and self._column_allow_list(schema, name):
            refusal = f"table {name} is not in the schema, so its allowed columns cannot be checked"
        return Relation(
            schema=schema,
            name=name,
            columns=columns,
            spelled=tuple(column.name for column in table.columns) if table else None,
            hidden=hidden,
            refusal=refusal,
            unlisted=unlisted,
        )

    def _table_refusal(self, schema: str | None, name: str) -> tuple[str | None, bool]:
        keys = {(name,), (schema, name)} if schema else {(name,)}
        label = Relation(schema=schema, name=name, columns=None).label
        if keys & self._blocked:
            return f"table {label} is blocked", False
        if self._allowed is not None and not keys & self._allowed:
            return f"table {label} is not in the allowed tables", True
        return None, False

    def _hidden(
        self, schema: str | None, name: str, columns: tuple[str, ...] | None
    ) -> frozenset[str]:
        hidden = {
            parts[-1]
            for parts in self._blocked_columns
            if _names_table(parts[:-1], schema, name, wildcard=True)
        }
        allowed = self._column_allow_list(schema, name)
        if allowed and columns is not None:
            hidden.update(column for column in columns if column not in allowed)
        if columns is not None:
            hidden.intersection_update(columns)
        return frozenset(hidden)

    def _column_allow_list(self, schema: str | None, name: str) -> frozenset[str]:
        return frozenset(
            parts[-1] for parts in self._allowed_columns if _names_table(parts[:-1], schema, name)
        )

    def _refuse_views(self, view_sources: Mapping[str, frozenset[str]]) -> None:
        for relations in self._by_name.values():
            for index, relation in enumerate(relations):
                if relation.refusal is None:
                    reason = self._view_reason(relation, view_sources)
                    if reason:
                        relations[index] = _with_refusal(relation, reason)

    def _view_reason(
        self, view: Relation, view_sources: Mapping[str, frozenset[str]]
    ) -> str | None:
        seen: set[str] = set()
        pending = [f"{view.schema}.{view.name}"]
        while pending:
            current = pending.pop()
            seen.add(current)
            for dependency in view_sources.get(current, frozenset()):
                parts = split_name(dependency)
                # Resolved from the parts, not re-joined: a name may hold a dot.
                table = parts[:2] if len(parts) == 3 else parts
                schema = table[-2] if len(table) > 1 else None
                for relation in self.relations(schema, table[-1]):
                    reason = _dependency_reason(view, relation, parts)
                    if reason:
                        return reason
                    if f"{relation.schema}.{relation.name}" not in seen:
                        pending.append(f"{relation.schema}.{relation.name}")
        return None


def _dependency_reason(view: Relation, relation: Relation, parts: tuple[str, ...]) -> str | None:
    if relation.refusal and not relation.unlisted:
        return f"view {view.label} reads from a refused table ({relation.refusal})"
    # A bare table dependency stands for a whole-row read, so any hidden column counts.
    hidden = {parts[-1]} & relation.hidden if len(parts) == 3 else set(relation.hidden)
    if hidden:
        return f"view {view.label} reads blocked column {relation.label}.{min(hidden)}"
    return None


def _with_refusal(relation: Relation, reason: str) -> Relation:
    return replace(relation, refusal=reason, unlisted=False)


def _names_table(
    table_parts: tuple[str, ...], schema: str | None, name: str, *, wildcard: bool = False
) -> bool:
    if wildcard and table_parts == (ANY_TABLE,):
        return True
    if len(table_parts) == 1:
        return table_parts[0] == name
    return table_parts == (schema, name)


def _snapshot_view_sources(snapshot: SchemaSnapshot) -> dict[str, frozenset[str]]:
    return {
        f"{table.schema.lower()}.{table.name.lower()}": frozenset(table.depends_on)
        for table in snapshot.tables
        if table.depends_on
    }


def _qualified(dotted: str) -> str:
    parts = split_name(dotted)
    return ".".join(parts if len(parts) > 1 else (DEFAULT_SCHEMA, *parts))


def _columns(table: Table) -> tuple[str, ...]:
    return tuple(column.name.lower() for column in table.columns)
