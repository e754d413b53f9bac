"""The access policy: refuse SQL that reads blocked tables or columns, narrow stars that would."""

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from threading import Lock
from typing import cast

from sqlglot import exp

from domain.access.catalog import AccessCatalog
from domain.access.inspection import Expansion, StatementInspection
from domain.access.resolution import qualified_text, resolve_relations
from domain.access.rules import AccessRules
from domain.models import SchemaSnapshot
from domain.safety.checked import CheckedSql

_CACHED_CATALOGS = 8


class AccessPolicy:
    """Applies AccessRules to checked SQL, resolving names against a schema snapshot.

    - A reference to a blocked (or, in allow-list mode, unlisted) table or view is refused.
    - A hidden column is refused wherever it is read: select list, WHERE, JOIN ON/USING,
      NATURAL joins, GROUP BY, HAVING, ORDER BY, window clauses, subqueries, CTEs.
    - Whole-row references (`u`, `u.*` in an expression, `row_to_json(u)`) are refused.
    - `*` and `t.*` in a select list are rewritten to the permitted columns.
    """

    def __init__(self, rules: AccessRules) -> None:
        self._rules = rules
        self._lock = Lock()
        self._catalogs: OrderedDict[tuple[int, int], tuple[object, object, AccessCatalog]] = (
            OrderedDict()
        )

    def check(
        self,
        checked: CheckedSql,
        snapshot: SchemaSnapshot,
        *,
        view_sources: Mapping[str, frozenset[str]] | None = None,
    ) -> CheckedSql:
        """The SQL made runnable (names qualified), or with stars narrowed and not yet runnable.

        Names are resolved even when the rules are off: a qualified name that is no column
        would be a function call. view_sources maps a view to what it reads.

        Raises:
            UnsafeSql: the SQL reads a blocked table or column (rule blocked_table/blocked_column),
                a relation the snapshot lacks (unknown_relation), or a name that is no column
                of what it qualifies (unresolved_name).
        """
        catalog = self.catalog(snapshot, view_sources)
        resolved = resolve_relations(checked, catalog)
        expansions = StatementInspection(catalog, checked.relations).run(checked.tree)
        if not expansions:
            return replace(checked, runnable=qualified_text(checked, resolved, catalog))
        tree = _expanded(checked.tree, expansions)
        # PostgreSQL's names describe the old text: the caller checks the new one again.
        return CheckedSql(sql=tree.sql(dialect="postgres"), tree=tree, kind=checked.kind)

    def catalog(
        self, snapshot: SchemaSnapshot, view_sources: Mapping[str, frozenset[str]] | None = None
    ) -> AccessCatalog:
        """The catalog for this snapshot, built once and kept while the snapshot is in use."""
        key = (id(snapshot), id(view_sources))
        # Large statements are checked in worker threads: the cache is shared between them.
        with self._lock:
            cached = self._catalogs.get(key)
            if cached is not None and cached[0] is snapshot and cached[1] is view_sources:
                self._catalogs.move_to_end(key)
                return cached[2]
        rules = self._rules if self._rules.enabled else AccessRules()
        catalog = AccessCatalog(snapshot, rules, view_sources)
        with self._lock:
            self._catalogs[key] = (snapshot, view_sources, catalog)
            if len(self._catalogs) > _CACHED_CATALOGS:
                self._catalogs.popitem(last=False)
        return catalog


def _expanded(tree: exp.Expression, expansions: list[Expansion]) -> exp.Expression:
    """A copy of the tree with each star replaced; the caller's tree is left as it was."""
    copy = tree.copy()
    twins = {id(old): new for old, new in zip(tree.walk(), copy.walk(), strict=True)}
    for expansion in expansions:
        star = twins[id(expansion.star)]
        select = cast(exp.Select, star.parent)
        projections = list(select.expressions)
        position = next(i for i, node in enumerate(projections) if node is star)
        projections[position : position + 1] = [column.copy() for column in expansion.columns]
        select.set("expressions", projections)
    return copy
