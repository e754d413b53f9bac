"""The SQL safety rules: small pure functions over sqlglot's tree and PostgreSQL's reading.

Each rule checks sqlglot's tree and then pglast's facts, so a statement the two parsers read
differently (nested comments, dollar quotes, U&"" names) is judged as PostgreSQL will run it.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Protocol

from sqlglot import exp

from domain.refusal_rules import RefusalRule
from domain.safety.builtin_operators import BUILTIN_OPERATORS
from domain.safety.dialect import ORIGINAL_NAME
from domain.safety.functions import looks_like_system_function
from domain.safety.planner_rules import reject_unestimable_row_counts
from domain.safety.rule_context import RuleContext
from domain.safety.violation import Violation


class SafetyRule(Protocol):
    """A check over one parsed statement; returns why it refuses, or None."""

    __name__: str

    def __call__(self, tree: exp.Expression, ctx: RuleContext, /) -> Violation | None: ...


_QUERY_NODES = (exp.Select, exp.SetOperation, exp.Values, exp.Subquery)
_WRITE_NODES = (
    *(exp.DML, exp.DDL, exp.Drop, exp.Alter, exp.TruncateTable, exp.Command, exp.Set),
    *(exp.Transaction, exp.Commit, exp.Rollback, exp.Grant, exp.Revoke, exp.Analyze),
    *(exp.Use, exp.Pragma, exp.Kill, exp.LoadData, exp.Refresh, exp.Cache, exp.Uncache),
    *(exp.Describe, exp.Show, exp.Declare, exp.Execute),
)
_USER_DEFINED = exp.DataType.Type.USERDEFINED
_CATALOG_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
# Casts to these types look names up in the catalog: a probe of relations, roles and functions.
_CATALOG_TYPES = frozenset(
    {
        *("regclass", "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper"),
        *("regoperator", "regproc", "regprocedure", "regrole", "regtype"),
    }
)


def _statement_name(pg_kind: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", pg_kind.removesuffix("Stmt")).upper()


def reject_multiple_statements(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse text holding more than one statement, as either parser counts them."""
    count = max(ctx.statement_count, len(ctx.pg.statements))
    if count > 1:
        return Violation(
            rule=RefusalRule.MULTIPLE_STATEMENTS,
            message=f"{count} statements found; send exactly one",
        )
    return None


_OPT_IN = {"VariableShowStmt": "SHOW", "ExplainStmt": "EXPLAIN"}


def reject_non_query(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse anything but a query (or EXPLAIN / SHOW when the operator allows them)."""
    kind, allowed = ctx.pg.kind, ctx.allowed_statements
    query = isinstance(tree, _QUERY_NODES)
    if kind == "SelectStmt" and query:
        return None
    if kind == "ExplainStmt" and not (ctx.pg.explained == "SelectStmt" and query):
        kind = ctx.pg.explained  # what is explained decides: EXPLAIN DELETE is a DELETE
    if _OPT_IN.get(kind) in allowed:
        return None
    if kind in _OPT_IN:
        # Read-only, but off unless the operator turns it on: say how.
        word = _OPT_IN[kind]
        return Violation(
            rule=RefusalRule.NOT_A_QUERY,
            message=f"{word} is not allowed here; the operator may allow it with "
            f"PG_MCP_ALLOWED_STATEMENTS=SELECT,{word}",
        )
    name = _statement_name(kind) if kind != "SelectStmt" else type(tree).__name__.upper()
    return Violation(
        rule=RefusalRule.NOT_A_QUERY, message=f"{name} is not allowed; only a SELECT query"
    )


def reject_explain_analyze(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse EXPLAIN ANALYZE, which runs the statement it explains."""
    if "analyze" in ctx.pg.explain_options:
        return Violation(rule=RefusalRule.EXPLAIN_ANALYZE, message="EXPLAIN ANALYZE is not allowed")
    return None


def reject_data_modifying(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse writes and DDL anywhere in the statement, e.g. DELETE inside a CTE."""
    if ctx.pg.kind == "VariableShowStmt":
        return None
    node = next(ctx.find(*_WRITE_NODES), None)
    name = type(node).__name__.upper() if node else next(iter(ctx.pg.nested_statements), "")
    if name:
        return Violation(
            rule=RefusalRule.DATA_MODIFYING, message=f"{_statement_name(name)} is not allowed"
        )
    return None


def reject_select_into(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse SELECT INTO, which creates a table."""
    if next(ctx.find(exp.Into), None) or ctx.pg.has_into:
        return Violation(
            rule=RefusalRule.SELECT_INTO, message="SELECT INTO creates a table; not allowed"
        )
    return None


def reject_locking_clause(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse FOR UPDATE / FOR SHARE anywhere: row locks block writers."""
    if next(ctx.find(exp.Lock), None) or ctx.pg.has_locking:
        return Violation(rule=RefusalRule.LOCKING_CLAUSE, message="FOR UPDATE/SHARE is not allowed")
    return None


def _is_catalog(schema: str, name: str) -> bool:
    schema, name = schema.lower(), name.lower()
    return schema in _CATALOG_SCHEMAS or schema.startswith("pg_") or name.startswith("pg_")


def _sqlglot_relations(ctx: RuleContext) -> Iterator[tuple[str, str]]:
    for table in ctx.find(exp.Table):
        if isinstance(table.this, exp.Identifier):
            yield table.db, table.name


def reject_system_catalogs(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse pg_catalog, information_schema and pg_* relations unless the operator allows them."""
    if ctx.config.allow_system_catalogs:
        return None
    relations = (*_sqlglot_relations(ctx), *ctx.pg.relations)
    found = next(((s, n) for s, n in relations if _is_catalog(s, n)), None)
    if found:
        name = ".".join(part for part in found if part)
        return Violation(rule=RefusalRule.SYSTEM_CATALOG, message=f"relation {name} is not allowed")
    return None


def _sqlglot_type_names(ctx: RuleContext) -> Iterator[str]:
    for data_type in ctx.find(exp.DataType):
        # reg* types are ObjectIdentifiers, or user-defined when schema-qualified.
        if isinstance(data_type, exp.ObjectIdentifier) or data_type.this == _USER_DEFINED:
            yield data_type.sql("postgres").split("[")[0].rsplit(".", 1)[-1]


def reject_catalog_casts(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse casts to reg* types (::regclass, ::regproc), which probe the catalog."""
    if ctx.config.allow_system_catalogs:
        return None
    names = (*_sqlglot_type_names(ctx), *(n[-1] for n in ctx.pg.type_names))
    found = next((n for n in names if n.lower() in _CATALOG_TYPES), None)
    if found:
        return Violation(
            rule=RefusalRule.CATALOG_CAST, message=f"type {found.lower()} is not allowed"
        )
    return None


def _sqlglot_function_names(ctx: RuleContext) -> Iterator[tuple[str, ...]]:
    for node in ctx.find(exp.Func):
        # A typed node without a written name came from syntax (CAST, EXTRACT); pglast's
        # reading of that syntax is judged below.
        name = node.name if isinstance(node, exp.Anonymous) else node.meta.get(ORIGINAL_NAME)
        # `x <> ALL (array)` is an operator to PostgreSQL (judged from pglast's reading below);
        # sqlglot reads it as a call of ALL, a reserved word no function can be called by bare.
        if not name or (name == "ALL" and isinstance(node.parent, exp.Predicate)):
            continue
        parent = node.parent
        if isinstance(parent, exp.Dot) and parent.expression is node:
            yield (parent.this.sql("postgres").replace('"', ""), name)
        else:
            yield (name,)


def _folded(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.lower() for part in names)


def _is_allowed(
    names: tuple[str, ...], allowed: frozenset[str], extension: frozenset[tuple[str, ...]]
) -> bool:
    # Exact: a quoted "LOWER" or "Lower" is another function, which any role may create.
    return names in extension or _is_builtin(names, allowed)


def _first_unlisted(
    calls: Iterable[tuple[str, ...]],
    allowed: frozenset[str],
    extension: frozenset[tuple[str, ...]],
) -> str:
    return next((".".join(c) for c in calls if not _is_allowed(c, allowed, extension)), "")


def reject_unlisted_functions(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse calls to functions outside the allow-list, wherever they appear and however spelt.

    pglast's names are exactly as PostgreSQL folds them; sqlglot forgets which were quoted, so
    its names are folded here and can only refuse more.
    """
    allowed, extension = ctx.allowed_functions, ctx.extension_calls
    found = _first_unlisted(ctx.pg.functions, allowed, extension) or _first_unlisted(
        map(_folded, _sqlglot_function_names(ctx)), allowed, frozenset(map(_folded, extension))
    )
    if found:
        return Violation(
            rule=RefusalRule.UNLISTED_FUNCTION, message=f"function {found} is not allowed"
        )
    return None


def _is_case_twin(name: str, ctx: RuleContext) -> bool:
    lowered = name.lower()
    callable_names = {call[-1].lower() for call in ctx.extension_calls}
    return name != lowered and (lowered in ctx.allowed_functions or lowered in callable_names)


def reject_attribute_function_calls(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse `(x).pg_read_file` and `t.col.pg_read_file`, which call a function on a value.

    `(x)."Lower"` calls "Lower"(x), another role's function, as `"Lower"(x)` would.
    """
    found = next((n for n in ctx.pg.field_names if looks_like_system_function(n)), None)
    found = found or next((n for n in ctx.pg.names.fields if _is_case_twin(n, ctx)), None)
    if found:
        return Violation(
            rule=RefusalRule.FUNCTION_ON_VALUE, message=f"function {found} is not allowed"
        )
    return None


def _is_builtin(names: tuple[str, ...], builtins: frozenset[str]) -> bool:
    *schema, name = names
    return schema in ([], ["pg_catalog"]) and name in builtins


def reject_unlisted_operators(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse an operator outside pg_catalog or with a name no built-in has: it runs user code."""
    written = (o.text("operator").split(".") for o in ctx.find(exp.Operator))
    operators = (*ctx.pg.operators, *map(tuple, written))
    found = next((o for o in operators if not _is_builtin(o, BUILTIN_OPERATORS)), None)
    if found:
        return Violation(
            rule=RefusalRule.UNLISTED_OPERATOR, message=f"operator {'.'.join(found)} is not allowed"
        )
    return None


def _dotted(node: exp.Expr) -> tuple[str, ...]:
    if isinstance(node, exp.Dot):
        return (*_dotted(node.this), *_dotted(node.expression))
    return (node.name if node.args.get("quoted") else node.name.lower(),)


def _sqlglot_user_types(ctx: RuleContext) -> Iterator[tuple[str, ...]]:
    for data_type in ctx.find(exp.DataType):
        kind = data_type.args.get("kind")
        if data_type.this == _USER_DEFINED and kind is not None:
            yield _dotted(kind)


def reject_unlisted_types(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse a type other than a built-in of pg_catalog: a user type's input and CHECK run code.

    Covers `x::t`, CAST, typed literals `t 'x'` and column definition lists; function-style
    casts `t(x)` are calls, judged by the function allow-list.
    """
    known = ctx.allowed_types | _CATALOG_TYPES
    names = (*ctx.pg.type_names, *_sqlglot_user_types(ctx))
    found = next((n for n in names if not _is_builtin(n, known)), None)
    if found:
        return Violation(
            rule=RefusalRule.UNLISTED_TYPE, message=f"type {'.'.join(found)} is not allowed"
        )
    return None


SAFETY_RULES: tuple[SafetyRule, ...] = (
    reject_multiple_statements,
    reject_non_query,
    reject_explain_analyze,
    reject_data_modifying,
    reject_select_into,
    reject_locking_clause,
    reject_system_catalogs,
    reject_catalog_casts,
    reject_unlisted_functions,
    reject_attribute_function_calls,
    reject_unlisted_operators,
    reject_unlisted_types,
    reject_unestimable_row_counts,
)
