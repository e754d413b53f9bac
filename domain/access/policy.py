"""The access policy: refuse SQL that reads blocked tables or columns, narrow stars that would."""

from dataclasses import replace
from typing import cast

from sqlglot import exp

from domain.access.catalog import AccessCatalog
from domain.access.inspection import Expansion, StatementInspection
from domain.access.resolution import qualified_text, resolve_relations
from domain.access.rules import AccessRules
from domain.models import SchemaSnapshot
from domain.safety.checked import CheckedSql


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

    def on(self, snapshot: SchemaSnapshot) -> "AccessView":
        """The rules applied to one snapshot, ready to check any number of statements."""
        rules = self._rules if self._rules.enabled else AccessRules()
        return AccessView(AccessCatalog(snapshot, rules))

    def check(self, checked: CheckedSql, snapshot: SchemaSnapshot) -> CheckedSql:
        """check() of this snapshot's view, built for this one statement."""
        return self.on(snapshot).check(checked)


class AccessView:
    """The access rules over one snapshot: built once when the snapshot is loaded."""

    def __init__(self, catalog: AccessCatalog) -> None:
        self.catalog = catalog

    def check(self, checked: CheckedSql) -> CheckedSql:
        """The SQL made runnable (names qualified), or with stars narrowed and not yet runnable.

        Names are resolved even when the rules are off: a qualified name that is no column
        would be a function call.

        Raises:
            UnsafeSql: the SQL reads a blocked table or column (rule blocked_table/blocked_column),
                a relation the snapshot lacks (unknown_relation), or a name that is no column
                of what it qualifies (unresolved_name).
        """
        resolved = resolve_relations(checked, self.catalog)
        expansions = StatementInspection(self.catalog, checked.relations).run(checked.tree)
        if not expansions:
            return replace(checked, runnable=qualified_text(checked, resolved, self.catalog))
        tree = _expanded(checked.tree, expansions)
        # PostgreSQL's names describe the old text: the caller checks the new one again.
        return CheckedSql(sql=tree.sql(dialect="postgres"), tree=tree, kind=checked.kind)


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
