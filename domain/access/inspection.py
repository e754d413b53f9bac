"""One pass over a parsed statement that refuses every read of a refused table or hidden column."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from domain.access.catalog import AccessCatalog
from domain.access.refusals import (
    refuse_column,
    refuse_table,
    refuse_unresolved,
    refuse_whole_row,
)
from domain.access.sources import ScopeSources, Source
from domain.access.stars import StarExpander


@dataclass(frozen=True, slots=True)
class Expansion:
    """A `*` or `t.*` projection to be replaced by the permitted columns it stands for."""

    star: exp.Expr
    columns: tuple[exp.Expr, ...]


class StatementInspection:
    """Resolves every table and column of one statement against the catalog.

    Raises:
        UnsafeSql: a refused table, or a hidden column read directly, through a whole-row
            reference, in a join condition, or by a name that cannot be told apart from one.
    """

    def __init__(self, catalog: AccessCatalog) -> None:
        self._catalog = catalog
        self._sources = ScopeSources(catalog)
        self._stars = StarExpander(self._sources)
        self._seen_tables: set[int] = set()
        self._seen_columns: set[int] = set()
        self.expansions: list[Expansion] = []

    def run(self, tree: exp.Expr) -> list[Expansion]:
        """Check the whole statement; return the star expansions it needs."""
        for scope in traverse_scope(tree):
            self._check_tables(scope)
            self._check_joins(scope)
            self._check_nodes(scope)
        self._check_leftovers(tree)
        return self.expansions

    def _check_tables(self, scope: Scope) -> None:
        for table in scope.tables:
            self._seen_tables.add(id(table))
            if _is_cte_reference(scope, table):
                continue
            self._check_table(table)

    def _check_table(self, table: exp.Table) -> None:
        if not isinstance(table.this, exp.Identifier):
            return
        for relation in self._catalog.relations(table.db.lower() or None, table.name.lower()):
            if relation.refusal:
                raise refuse_table(relation.refusal)

    def _check_joins(self, scope: Scope) -> None:
        query = scope.expression
        if isinstance(query, exp.Select) and query.args.get("from_"):
            self._check_join_list(scope, query.args["from_"].this, query.args.get("joins") or [])

    def _check_join_list(
        self, scope: Scope, first: exp.Expr, joins: Iterable[exp.Join]
    ) -> list[Source]:
        left = self._members(scope, first)
        for join in joins:
            right = self._members(scope, join.this)
            names = [identifier.name.lower() for identifier in join.args.get("using") or []]
            for source in left + right:
                for name in names:
                    if name in source.hidden:
                        raise refuse_column(source.hidden[name], " (used in a join condition)")
            if join.method == "NATURAL":
                _check_natural(left, right)
            left += right
        return left

    def _members(self, scope: Scope, item: exp.Expr) -> list[Source]:
        if isinstance(item, exp.Subquery) and isinstance(item.this, exp.Table):
            return self._check_join_list(scope, item.this, item.this.args.get("joins") or [])
        source = self._sources.for_node(scope, item)
        return [source] if source is not None else []

    def _check_nodes(self, scope: Scope) -> None:
        query = scope.expression
        for node in scope.walk():
            if type(node) is exp.Column:
                self._seen_columns.add(id(node))
                if isinstance(node.this, exp.Star):
                    self._check_qualified_star(scope, node)
                elif not _is_output_reference(query, node):
                    self._check_column(scope, node)
            elif isinstance(node, exp.Star) and _is_projection(node):
                expansion = self._stars.plain(scope)
                if expansion is not None:
                    self.expansions.append(Expansion(star=node, columns=expansion))

    def _check_qualified_star(self, scope: Scope, column: exp.Column) -> None:
        source = self._find(scope, column.table.lower())
        if source is None:
            self._refuse_unresolved(scope, column.table.lower(), any_hidden=True)
            return
        if not source.hidden:
            return
        if not _is_projection(column):
            raise refuse_whole_row(source.alias, source.first_hidden())
        columns = self._stars.qualified(source, column.args["table"])
        self.expansions.append(Expansion(star=column, columns=columns))

    def _check_column(self, scope: Scope, column: exp.Column) -> None:
        name = column.name.lower()
        qualifier = column.table.lower()
        if qualifier:
            source = self._find(scope, qualifier)
            if source is None:
                self._refuse_unresolved(scope, name)
            elif name in source.hidden:
                raise refuse_column(source.hidden[name])
            return
        for sources in self._sources.chain(scope):
            for source in sources.values():
                if name in source.hidden:
                    raise refuse_column(source.hidden[name])
            if any(
                source.columns is not None and name in source.columns for source in sources.values()
            ):
                return
        whole_row = self._find(scope, name)
        if whole_row is not None and whole_row.hidden:
            raise refuse_whole_row(whole_row.alias, whole_row.first_hidden())

    def _find(self, scope: Scope, alias: str) -> Source | None:
        for sources in self._sources.chain(scope):
            if alias in sources:
                return sources[alias]
        return None

    def _refuse_unresolved(self, scope: Scope, name: str, *, any_hidden: bool = False) -> None:
        """A qualifier that names no source: refuse when a hidden column could be meant."""
        for sources in self._sources.chain(scope):
            for source in sources.values():
                if source.hidden and (any_hidden or name in source.hidden):
                    label = source.hidden.get(name) or source.first_hidden()
                    raise refuse_unresolved(name, label)

    def _check_leftovers(self, tree: exp.Expr) -> None:
        """Tables and columns outside any query scope are judged without resolution."""
        for table in tree.find_all(exp.Table):
            if id(table) not in self._seen_tables:
                self._check_table(table)
        hidden = self._catalog.hidden_names()
        for column in tree.find_all(exp.Column):
            if id(column) not in self._seen_columns and column.name.lower() in hidden:
                raise refuse_column(hidden[column.name.lower()])


def _check_natural(left: list[Source], right: list[Source]) -> None:
    """NATURAL joins compare every common column, so a hidden one may not be common."""
    for ours, theirs in ((left, right), (right, left)):
        for source in ours:
            for name, label in source.hidden.items():
                if any(other.columns is None or name in other.columns for other in theirs):
                    raise refuse_column(label, " (compared by a NATURAL join)")


def _is_cte_reference(scope: Scope, table: exp.Table) -> bool:
    target = scope.sources.get(table.name)
    return not table.db and isinstance(target, Scope) and target.is_cte


def _is_projection(node: exp.Expr) -> bool:
    return isinstance(node.parent, exp.Select) and node.arg_key == "expressions"


def _is_output_reference(query: exp.Expr, column: exp.Column) -> bool:
    """`ORDER BY name` alone names an output column before an input one (PostgreSQL rule)."""
    ordered = column.parent
    return (
        not column.table
        and isinstance(ordered, exp.Ordered)
        and isinstance(ordered.parent, exp.Order)
        and ordered.parent.parent is query
        and isinstance(query, exp.Query)
        and column.name.lower() in {name.lower() for name in query.named_selects}
    )
