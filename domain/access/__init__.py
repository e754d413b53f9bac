"""Access rules: which tables and columns SQL may read, enforced on the parsed tree.

AccessRules (rules.py)        what the operator blocks or allows, by name
AccessCatalog (catalog.py)    a snapshot under the rules: refused relations, hidden columns
ScopeSources (sources.py)     what each FROM item of each query scope stands for
StatementInspection           resolves every table and column; refuses (refusals.py)
  (inspection.py)             and plans star narrowing (stars.py)
AccessPolicy (policy.py)      the entry point: on(SchemaSnapshot) is an AccessView, whose
                              check(CheckedSql) resolves and refuses
visible_schema (visibility.py)  the snapshot with refused things removed

Nothing is re-exported here: the settings read AccessRules before the server answers its first
message, and the policy's modules (and sqlglot) should load after that, not with it.
"""
