"""Access rules: which tables and columns SQL may read, enforced on the parsed tree.

AccessRules (rules.py)        what the operator blocks or allows, by name
AccessCatalog (catalog.py)    a snapshot under the rules: refused relations, hidden columns
ScopeSources (sources.py)     what each FROM item of each query scope stands for
StatementInspection           resolves every table and column; refuses (refusals.py)
  (inspection.py)             and plans star narrowing (stars.py)
AccessPolicy (policy.py)      the entry point: on(SchemaSnapshot) is an AccessView, whose
                              check(CheckedSql) resolves and refuses
visible_schema (visibility.py)  the snapshot with refused things removed
"""

from domain.access.policy import AccessPolicy, AccessView
from domain.access.rules import AccessRules
from domain.access.visibility import visible_schema

__all__ = ["AccessPolicy", "AccessRules", "AccessView", "visible_schema"]
