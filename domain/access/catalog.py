"""A schema snapshot under access rules: which relations are refused, which columns hidden."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from domain.access.rules import ANY_TABLE, AccessRules, NamePart, NamePattern
from domain.models import Dependency, RelationName, SchemaSnapshot, Table

DEFAULT_SCHEMA = "public"
# Where an unqualified relation name is looked for, after pg_catalog (whose relations the
# safety policy judges): the server pins the same path, and qualifies every name it resolves.
SEARCH_PATH = (DEFAULT_SCHEMA,)
_ANY = NamePart(ANY_TABLE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    """A table or view under the rules; names are exact, as PostgreSQL stores them."""

    schema: str | None
    name: str
    columns: tuple[str, ...] | None
    spelled: tuple[str, ...] | None = None
    hidden: frozenset[str] = frozenset()
    refusal: str | None = None
    unlisted: bool = False  # refused only for being missing from the allow list

    @property
    def known(self) -> bool:
        """Whether the snapshot holds this relation."""
        return self.columns is not None

    @property
    def label(self) -> str:
        """The name used in messages: bare in the public schema, else schema-qualified."""
        if self.schema in (None, DEFAULT_SCHEMA):
            return self.name
        return f"{self.schema}.{self.name}"


class AccessCatalog:
    """Relations of one snapshot under one set of rules, looked up by exact name.

    A partition or inheritance child of a refused table is refused with it, and a blocked
    column of an ancestor is hidden in the child. A view that reads a blocked table or a
    hidden column, directly or through other views, is refused too. What each view reads
    comes from the snapshot (Table.depends_on). A source that is
    merely missing from allowed_tables does not count: listing a view is how an operator
    exposes a safe projection of a table they keep unlisted.
    """

    def __init__(
        self,
        snapshot: SchemaSnapshot,
        rules: AccessRules,
    ) -> None:
        self._rules = rules
        self._allowed_tables = set(rules.allowed_tables)
        self._allowed_tables.update(pattern[:-1] for pattern in rules.allowed_columns)
        self._by_key: dict[tuple[str, str], Relation] = {}
        self._enums = {(enum.schema, enum.name) for enum in snapshot.enums}
        self._extension_functions = {
            name: schema for schema, name in reversed(snapshot.extension_functions)
        }
        for table in snapshot.tables:
            lineage = [(table.schema, table.name), *table.parents]
            relation = self._relation(table.schema, table.name, table, lineage)
            self._by_key[(table.schema, table.name)] = relation
        sources = {
            table.relation_name: table.depends_on for table in snapshot.tables if table.depends_on
        }
        if sources:
            self._refuse_views(sources)

    def relation(self, schema: str | None, name: str) -> Relation:
        """The relation a reference `schema.name` (or bare `name`: first on the path) means."""
        for candidate in (schema,) if schema else SEARCH_PATH:
            found = self._by_key.get((candidate, name))
            if found is not None:
                return found
        return self._relation(schema, name, None, [(schema or "", name)])

    def extension_schema(self, name: str) -> str | None:
        """The schema of a trusted extension's function of this name, if the snapshot has one."""
        return self._extension_functions.get(name)

    def enum_schema(self, name: str) -> str | None:
        """The schema of the snapshot's enum type an unqualified type name resolves to."""
        return next((schema for schema in SEARCH_PATH if (schema, name) in self._enums), None)

    def _relation(
        self,
        schema: str | None,
        name: str,
        table: Table | None,
        lineage: list[tuple[str, str]],
    ) -> Relation:
        columns = tuple(column.name for column in table.columns) if table else None
        refusal, unlisted = self._table_refusal(schema, name, lineage)
        allowed = self._column_allow_list(schema, name)
        if refusal is None and columns is None and allowed:
            refusal = f"table {name} is not in the schema, so its allowed columns cannot be checked"
        hidden: set[str] = set()
        if columns is not None:
            hidden = {
                column
                for column in columns
                if any(self._blocks_column(s, n, column) for s, n in lineage)
            }
            if allowed:
                hidden.update(column for column in columns if column not in allowed)
        return Relation(
            schema=schema,
            name=name,
            columns=columns,
            spelled=columns,
            hidden=frozenset(hidden),
            refusal=refusal,
            unlisted=unlisted,
        )

    def _table_refusal(
        self, schema: str | None, name: str, lineage: list[tuple[str, str]]
    ) -> tuple[str | None, bool]:
        label = Relation(schema=schema, name=name, columns=None).label
        for ancestor_schema, ancestor in lineage:
            if _listed(self._rules.blocked_tables, ancestor_schema or None, ancestor, loose=True):
                via = "" if ancestor == name else f" (a part of blocked table {ancestor})"
                return f"table {label} is blocked{via}", False
        if self._allowed_tables and not _listed(self._allowed_tables, schema, name, loose=False):
            return f"table {label} is not in the allowed tables", True
        return None, False

    def _blocks_column(self, schema: str | None, name: str, column: str) -> bool:
        return any(
            pattern[-1].matches(column, loose=True)
            and (pattern[:-1] == (_ANY,) or _names_table(pattern[:-1], schema, name, loose=True))
            for pattern in self._rules.blocked_columns
        )

    def _column_allow_list(self, schema: str | None, name: str) -> frozenset[str]:
        return frozenset(
            pattern[-1].text
            for pattern in self._rules.allowed_columns
            if _names_table(pattern[:-1], schema, name, loose=False)
        )

    def _refuse_views(self, view_sources: Mapping[RelationName, tuple[Dependency, ...]]) -> None:
        for key, relation in list(self._by_key.items()):
            if relation.refusal is None:
                reason = self._view_reason(relation, view_sources)
                if reason:
                    self._by_key[key] = replace(relation, refusal=reason, unlisted=False)

    def _view_reason(
        self, view: Relation, view_sources: Mapping[RelationName, tuple[Dependency, ...]]
    ) -> str | None:
        seen: set[RelationName] = set()
        pending = [RelationName(view.schema or "", view.name)]
        while pending:
            current = pending.pop()
            seen.add(current)
            for dependency in view_sources.get(current, ()):
                relation = self.relation(*dependency.relation)
                reason = _dependency_reason(view, relation, dependency.column)
                if reason:
                    return reason
                key = RelationName(relation.schema or "", relation.name)
                if key not in seen:
                    pending.append(key)
        return None


def _dependency_reason(view: Relation, relation: Relation, column: str | None) -> str | None:
    if relation.refusal and not relation.unlisted:
        return f"view {view.label} reads from a refused table ({relation.refusal})"
    # A whole-relation dependency stands for a whole-row read, so any hidden column counts.
    hidden = set(relation.hidden) if column is None else {column} & relation.hidden
    if hidden:
        return f"view {view.label} reads blocked column {relation.label}.{min(hidden)}"
    return None


def _listed(patterns: Iterable[NamePattern], schema: str | None, name: str, *, loose: bool) -> bool:
    return any(_names_table(pattern, schema, name, loose=loose) for pattern in patterns)


def _names_table(pattern: NamePattern, schema: str | None, name: str, *, loose: bool) -> bool:
    if not pattern[-1].matches(name, loose=loose):
        return False
    if len(pattern) == 1:
        return True
    return schema is not None and pattern[0].matches(schema, loose=loose)
