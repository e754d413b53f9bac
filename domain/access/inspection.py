"""One pass over a parsed statement that refuses every read of a refused table or hidden column."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from domain.access.catalog import AccessCatalog
from domain.access.refusals import (
    refuse_ambiguous,
    refuse_column,
    refuse_unresolved_name,
    refuse_whole_row,
)
from domain.access.sources import ScopeSources, Source
from domain.access.stars import StarExpander
from domain.safety.pg_names import NameRef


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

    def __init__(self, catalog: AccessCatalog, relations: Mapping[int, NameRef]) -> None:
        self._catalog = catalog
        self._relations = relations
        self._sources = ScopeSources(catalog)
        self._stars = StarExpander(self._sources)
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
        """Every table sqlglot scopes as a CTE (or not) must be one for PostgreSQL too.

        Refused relations were refused already, on PostgreSQL's reading (resolution.py).
        """
        for table in scope.tables:
            if not isinstance(table.this, exp.Identifier):
                continue
            ours = _is_cte_reference(scope, table)
            theirs = self._relations.get(_start(table))
            if theirs is None or theirs.cte != ours:
                raise refuse_ambiguous(table.name, "a CTE" if theirs and theirs.cte else "a table")

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
            names = [identifier.name for identifier in join.args.get("using") or []]
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
        source = self._find(scope, column.table)
        if source is None or column.args.get("db") is not None:
            raise refuse_unresolved_name(column.sql(dialect="postgres"))
        if not source.hidden:
            return
        if not _is_projection(column):
            raise refuse_whole_row(source.alias, source.first_hidden())
        columns = self._stars.qualified(source, column.args["table"])
        self.expansions.append(Expansion(star=column, columns=columns))

    def _check_column(self, scope: Scope, column: exp.Column) -> None:
        name = column.name
        qualifier = column.table
        if qualifier:
            source = self._find(scope, qualifier)
            if source is None or not _names_a_column(source, column):
                # PostgreSQL reads `t.f` as f(t) when f is no column of t.
                raise refuse_unresolved_name(column.sql(dialect="postgres"))
            if name in source.hidden:
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

    def _check_leftovers(self, tree: exp.Expr) -> None:
        """A column outside every query scope cannot be resolved: refuse it."""
        for column in tree.find_all(exp.Column):
            if id(column) not in self._seen_columns:
                raise refuse_unresolved_name(column.sql(dialect="postgres"))


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


def _names_a_column(source: Source, column: exp.Column) -> bool:
    """Whether `t.c` or `schema.t.c` is a column of the source (never a function call)."""
    if column.args.get("catalog") is not None or source.columns is None:
        return False
    if column.args.get("db") is not None:
        relation = source.relation
        if relation is None or (relation.schema, relation.name) != (column.db, source.alias):
            return False
    return column.name in source.columns


def _start(table: exp.Table) -> int:
    identifiers = [table.args.get(key) for key in ("catalog", "db", "this")]
    return min(int(part.meta.get("start", -1)) for part in identifiers if part is not None)


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
        and column.name in set(query.named_selects)
    )
