"""What each name in a FROM clause stands for, with the columns it shows and those it hides."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from domain.access.catalog import AccessCatalog, Relation
from domain.safety.dialect import ORIGINAL_NAME


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One FROM item as seen from a query: its visible columns (None: unknown) and hidden ones."""

    alias: str
    columns: tuple[str, ...] | None
    spelled: tuple[exp.Identifier, ...] | None = None
    hidden: dict[str, str] = field(default_factory=dict)
    relation: Relation | None = None  # the table or view, for a source that is one

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
                source = self._source(alias, value)
                sources[alias] = source
            self._by_scope[id(scope)] = sources
            for node in _join_groups(scope.expression):
                members = [self._member(table, sources) for table in node.find_all(exp.Table)]
                sources[node.alias] = _group(node.alias, members)
        return sources

    def _member(self, table: exp.Table, sources: dict[str, Source]) -> Source | None:
        """A table of a parenthesised join, which may belong to a scope not yet visited."""
        found = self._by_node.get(id(table)) or sources.get(table.alias_or_name)
        if found is None and isinstance(table.this, exp.Identifier):
            found = self.base(table)
        return found

    def for_node(self, scope: Scope, node: exp.Expr) -> Source | None:
        """The source a FROM item node stands for, if the scope knows it."""
        self.of(scope)
        found = self._by_node.get(id(node))
        if found is None and isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            found = self.base(node)
        return found or self.of(scope).get(node.alias_or_name)

    def chain(self, scope: Scope) -> Iterator[dict[str, Source]]:
        """Sources of the scope, then of each enclosing scope (for correlated references)."""
        current: Scope | None = scope
        while current is not None:
            yield self.of(current)
            current = current.parent

    def base(self, table: exp.Table) -> Source:
        """The source for a table reference that is not a CTE."""
        relation = self._catalog.relation(table.db or None, table.name)
        alias_node = table.args.get("alias")
        renamed = list(alias_node.columns) if alias_node else []
        renames = [identifier.name for identifier in renamed]
        columns = _renamed(relation.columns, renames)
        hidden: dict[str, str] = {}
        names = relation.columns if relation.columns is not None else tuple(relation.hidden)
        for index, real in enumerate(names):
            if real in relation.hidden:
                shown = columns[index] if columns is not None else real
                hidden.setdefault(shown, f"{relation.label}.{real}")
        spelled = None
        if relation.spelled is not None:
            quoted = tuple(exp.Identifier(this=name, quoted=True) for name in relation.spelled)
            spelled = tuple(renamed[: len(quoted)]) + quoted[len(renamed) :]
        return Source(
            alias=table.alias_or_name,
            columns=columns,
            spelled=spelled,
            hidden=hidden,
            relation=relation,
        )

    def _source(self, alias: str, value: exp.Table | Scope) -> Source:
        call = value.expression if isinstance(value, Scope) else None
        if isinstance(call, exp.Unnest) or (
            isinstance(call, exp.Lateral) and not isinstance(call.this, exp.Subquery)
        ):
            # A function in FROM (unnest(...), LATERAL jsonb_each(...)): its own columns.
            columns = tuple(call.alias_column_names) or _function_columns(call, alias)
            return Source(alias=alias, columns=columns)
        if isinstance(value, Scope):
            return Source(alias=alias, columns=self._scope_columns(value))
        if isinstance(value.this, exp.Identifier):
            source = self.base(value)
        else:
            columns = tuple(value.alias_column_names) or _function_columns(value, alias)
            source = Source(alias=alias, columns=columns)
        self._by_node[id(value)] = source
        return source

    def _scope_columns(self, scope: Scope) -> tuple[str, ...] | None:
        """The output column names of a subquery or CTE, stars expanded; None when unknown."""
        query = scope.expression
        if isinstance(query, exp.Lateral) and isinstance(query.this, exp.Subquery):
            query = query.this.this
        outer = list(scope.outer_columns)
        named = self._projected(scope, query) if isinstance(query, exp.Query) else None
        if named is None:
            return tuple(outer) or None
        return tuple(outer[: len(named)]) + tuple(named[len(outer) :])

    def _projected(self, scope: Scope, query: exp.Query) -> list[str] | None:
        if not isinstance(query, exp.Select) or scope.expression is not query:
            return None if query.is_star else list(query.named_selects)
        sources = self.of(scope)
        names: list[str] = []
        for projection in query.expressions:
            if isinstance(projection, exp.Star):
                starred = [sources.get(item.alias_or_name) for item in _from_items(query)]
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                starred = [sources.get(projection.table)]
            else:
                names.append(projection.alias_or_name)
                continue
            for source in starred:
                if source is None or source.columns is None:
                    return None
                names.extend(source.columns)
        return names


def _renamed(columns: tuple[str, ...] | None, renames: list[str]) -> tuple[str, ...] | None:
    if columns is None:
        return None
    return tuple(renames[: len(columns)]) + columns[len(renames) :]


# Set-returning functions whose result columns have names of their own (else: the alias).
_RECORD_COLUMNS = {
    **dict.fromkeys(
        ("json_each", "jsonb_each", "json_each_text", "jsonb_each_text"), ("key", "value")
    ),
    **dict.fromkeys(
        (
            "json_array_elements",
            "jsonb_array_elements",
            "json_array_elements_text",
            "jsonb_array_elements_text",
        ),
        ("value",),
    ),
}


# Set-returning functions of one unnamed column, which takes the alias as its name.
_SCALAR_ROWS = frozenset(
    {
        *("generate_series", "generate_subscripts", "unnest", "regexp_split_to_table"),
        *("regexp_matches", "string_to_table", "json_object_keys", "jsonb_object_keys"),
        *("jsonb_path_query", "jsonb_path_query_tz"),
    }
)


def _function_columns(item: exp.Expr, alias: str) -> tuple[str, ...] | None:
    """The columns of a function in FROM without a column alias list; None when unknown."""
    call = item.this if isinstance(item, (exp.Table, exp.Lateral)) else item
    if isinstance(call, exp.Unnest):
        name = "unnest"
    elif isinstance(call, exp.Anonymous):
        name = call.name
    else:
        name = str(call.meta.get(ORIGINAL_NAME) or type(call).__name__.lower())
    columns = _RECORD_COLUMNS.get(name) or ((alias,) if name in _SCALAR_ROWS else None)
    if columns is None:
        return None
    offset = item.args.get("offset")
    extra = (offset.name,) if isinstance(offset, exp.Identifier) else ()
    return columns + extra + ("ordinality",)


def _from_items(query: exp.Select) -> list[exp.Expr]:
    items = [query.args.get("from_"), *(query.args.get("joins") or [])]
    return [item.this for item in items if item is not None]


def _join_groups(query: exp.Expr) -> Iterator[exp.Subquery]:
    """Parenthesised joins with an alias: `(a JOIN b ON ...) AS j` hides a and b behind j."""
    items = [query.args.get("from_"), *(query.args.get("joins") or [])]
    for item in items:
        node = item.this if item is not None else None
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Table) and node.alias:
            yield node


def _group(alias: str, members: list[Source | None]) -> Source:
    hidden: dict[str, str] = {}
    columns: list[str] | None = []
    for member in members:
        if member is not None:
            hidden.update(member.hidden)
        if member is None or member.columns is None:
            columns = None
        elif columns is not None:
            columns.extend(member.columns)
    return Source(
        alias=alias, columns=tuple(columns) if columns is not None else None, hidden=hidden
    )
