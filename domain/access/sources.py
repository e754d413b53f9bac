"""What each name in a FROM clause stands for, with the columns it shows and those it hides."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from domain.access.catalog import AccessCatalog, Relation


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One FROM item as seen from a query: its visible columns (None: unknown) and hidden ones."""

    alias: str
    columns: tuple[str, ...] | None
    spelled: tuple[exp.Identifier, ...] | None = None
    hidden: dict[str, str] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()

    def first_hidden(self) -> str:
        """The label ("users.password") of one hidden column, for messages."""
        return min(self.hidden.values())


class ScopeSources:
    """The sources of every scope of one statement, built once per scope."""

    def __init__(self, catalog: AccessCatalog) -> None:
        self._catalog = catalog
        self._by_scope: dict[int, dict[str, Source]] = {}
        self._by_node: dict[int, Source] = {}

    def of(self, scope: Scope) -> dict[str, Source]:
        """Sources of `scope` by lowercase alias, including aliased parenthesised joins."""
        sources = self._by_scope.get(id(scope))
        if sources is None:
            sources = {}
            for alias, value in scope.sources.items():
                source = self._source(alias.lower(), value)
                sources[alias.lower()] = source
            self._by_scope[id(scope)] = sources
            for node in _join_groups(scope.expression):
                members = [self._by_node.get(id(table)) for table in node.find_all(exp.Table)]
                sources[node.alias.lower()] = _group(node.alias.lower(), members)
        return sources

    def for_node(self, scope: Scope, node: exp.Expr) -> Source | None:
        """The source a FROM item node stands for, if the scope knows it."""
        self.of(scope)
        found = self._by_node.get(id(node))
        if found is None and isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            found = self.base(node)
        return found or self.of(scope).get(node.alias_or_name.lower())

    def chain(self, scope: Scope) -> Iterator[dict[str, Source]]:
        """Sources of the scope, then of each enclosing scope (for correlated references)."""
        current: Scope | None = scope
        while current is not None:
            yield self.of(current)
            current = current.parent

    def base(self, table: exp.Table) -> Source:
        """The source for a table reference that is not a CTE."""
        relations = self._catalog.relations(table.db.lower() or None, table.name.lower())
        alias_node = table.args.get("alias")
        renamed = list(alias_node.columns) if alias_node else []
        renames = [identifier.name.lower() for identifier in renamed]
        alias = table.alias_or_name.lower()
        hidden: dict[str, str] = {}
        for relation in relations:
            visible = _renamed(relation.columns, renames)
            names = relation.columns if relation.columns is not None else tuple(relation.hidden)
            for index, real in enumerate(names):
                if real in relation.hidden:
                    shown = visible[index] if visible is not None else real
                    hidden.setdefault(shown, f"{relation.label}.{real}")
        first = relations[0]
        columns = _renamed(first.columns, renames)
        spelled = None
        if first.spelled is not None:
            quoted = tuple(exp.Identifier(this=name, quoted=True) for name in first.spelled)
            spelled = tuple(renamed[: len(quoted)]) + quoted[len(renamed) :]
        return Source(
            alias=alias, columns=columns, spelled=spelled, hidden=hidden, relations=relations
        )

    def _source(self, alias: str, value: exp.Table | Scope) -> Source:
        if isinstance(value, Scope):
            return Source(alias=alias, columns=_scope_columns(value))
        if isinstance(value.this, exp.Identifier):
            source = self.base(value)
        else:
            columns = tuple(name.lower() for name in value.alias_column_names) or None
            source = Source(alias=alias, columns=columns)
        self._by_node[id(value)] = source
        return source


def _renamed(columns: tuple[str, ...] | None, renames: list[str]) -> tuple[str, ...] | None:
    if columns is None:
        return None
    return tuple(renames[: len(columns)]) + columns[len(renames) :]


def _scope_columns(scope: Scope) -> tuple[str, ...] | None:
    query = scope.expression
    outer = [name.lower() for name in scope.outer_columns]
    if not isinstance(query, exp.Query) or query.is_star:
        return tuple(outer) or None
    named = [name.lower() for name in query.named_selects]
    return tuple(outer[: len(named)]) + tuple(named[len(outer) :])


def _join_groups(query: exp.Expr) -> Iterator[exp.Subquery]:
    """Parenthesised joins with an alias: `(a JOIN b ON ...) AS j` hides a and b behind j."""
    items = [query.args.get("from_"), *(query.args.get("joins") or [])]
    for item in items:
        node = item.this if item is not None else None
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Table) and node.alias:
            yield node


def _group(alias: str, members: list[Source | None]) -> Source:
    hidden: dict[str, str] = {}
    for member in members:
        if member is not None:
            hidden.update(member.hidden)
    return Source(alias=alias, columns=None, hidden=hidden)
