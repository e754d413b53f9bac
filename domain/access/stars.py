"""Narrowing `*` and `t.*` to the permitted columns, in the order PostgreSQL would list them."""

from collections.abc import Sequence

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from domain.access.refusals import refuse_star
from domain.access.sources import ScopeSources, Source

# A result column of a FROM clause: its lowercase name (None for an opaque `t.*`) and expression.
Entry = tuple[str | None, exp.Expr]


class StarExpander:
    """Builds the column list that replaces a star over sources with hidden columns."""

    def __init__(self, sources: ScopeSources) -> None:
        self._sources = sources

    def qualified(self, source: Source, qualifier: exp.Identifier) -> tuple[exp.Expr, ...]:
        """The permitted columns of `t.*`, each qualified as `t`."""
        entries = _entries(source, qualifier)
        if not entries or entries[0][0] is None:
            raise refuse_star(source.first_hidden())
        return tuple(expression for _, expression in entries)

    def plain(self, scope: Scope) -> tuple[exp.Expr, ...] | None:
        """The permitted columns of a bare `*`, or None when nothing behind it is hidden."""
        query = scope.expression
        first = query.args["from_"].this if query.args.get("from_") else None
        hidden = [s for s in self._sources.of(scope).values() if s.hidden]
        if first is None or not hidden:
            return None
        entries = self._fold(scope, first, query.args.get("joins") or [], hidden[0])
        return tuple(expression for _, expression in entries)

    def _fold(
        self, scope: Scope, first: exp.Expr, joins: Sequence[exp.Join], culprit: Source
    ) -> list[Entry]:
        entries = self._item(scope, first, culprit)
        for join in joins:
            right = self._item(scope, join.this, culprit)
            names = _merged_names(join, entries, right)
            if names is None:
                raise refuse_star(culprit.first_hidden())
            entries = _merge(join, names, entries, right) if names else entries + right
        return entries

    def _item(self, scope: Scope, item: exp.Expr, culprit: Source) -> list[Entry]:
        if isinstance(item, exp.Subquery) and isinstance(item.this, exp.Table) and not item.alias:
            return self._fold(scope, item.this, item.this.args.get("joins") or [], culprit)
        source = self._sources.for_node(scope, item)
        qualifier = _qualifier(item)
        if source is None or qualifier is None:
            raise refuse_star(culprit.first_hidden())
        return _entries(source, qualifier)


def _entries(source: Source, qualifier: exp.Identifier) -> list[Entry]:
    if source.spelled is None or source.columns is None:
        if source.hidden:
            raise refuse_star(source.first_hidden())
        return [(None, exp.Column(this=exp.Star(), table=qualifier.copy()))]
    return [
        (name, exp.Column(this=spelled.copy(), table=qualifier.copy()))
        for name, spelled in zip(source.columns, source.spelled, strict=True)
        if name not in source.hidden
    ]


def _merged_names(join: exp.Join, left: list[Entry], right: list[Entry]) -> list[str] | None:
    """Columns a USING or NATURAL join merges; None when they cannot be known."""
    using = [identifier.name for identifier in join.args.get("using") or []]
    if not using and join.method != "NATURAL":
        return []
    if any(name is None for name, _ in left + right):
        return None
    if using:
        return using
    theirs = {name for name, _ in right}
    return [name for name, _ in left if name is not None and name in theirs]


def _merge(join: exp.Join, names: list[str], left: list[Entry], right: list[Entry]) -> list[Entry]:
    """PostgreSQL lists merged columns first, then the rest of the left, then of the right."""
    ours, theirs = dict(left), dict(right)
    side = join.side.upper()
    merged: list[Entry] = []
    for name in names:
        mine, other = ours.get(name), theirs.get(name)
        if mine is None or other is None:
            raise refuse_star(name)
        if side == "FULL":
            coalesced = exp.func("COALESCE", _bare(mine), _bare(other))
            merged.append((name, exp.alias_(coalesced, _output(mine).copy())))
        else:
            merged.append((name, other if side == "RIGHT" else mine))
    rest = [entry for entry in left + right if entry[0] not in names]
    return merged + rest


def _bare(expression: exp.Expr) -> exp.Expr:
    return expression.this if isinstance(expression, exp.Alias) else expression


def _output(expression: exp.Expr) -> exp.Identifier:
    """The identifier a merged column is listed under (a column's name or an alias)."""
    identifier = expression.args["alias"] if isinstance(expression, exp.Alias) else expression.this
    return (
        identifier
        if isinstance(identifier, exp.Identifier)
        else exp.to_identifier(expression.alias_or_name)
    )


def _qualifier(item: exp.Expr) -> exp.Identifier | None:
    alias = item.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.this is not None:
        return alias.this  # type: ignore[no-any-return]
    if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier):
        return item.this
    return None
