"""Rules that keep the planner's row estimates honest, so that the cost limit sees real costs.

PostgreSQL estimates a non-constant LIMIT or OFFSET as 10% of the rows, and a generate_series
whose bounds are not constants as 1000 rows: `generate_series(1, (SELECT 1e12)::bigint)` plans
as cheap and runs for ever. Sub-selects there are refused; column bounds, as in the calendar
idiom `FROM (SELECT min(d) lo, max(d) hi FROM t) b, generate_series(b.lo, b.hi, '1 day')`, pass
(the time, temp-file and result limits still bound them). A bound value (`LIMIT $1`) counts
as a constant: the server plans every statement with the values bound to it
(plan_cache_mode = force_custom_plan), so the planner sees the number.
"""

from sqlglot import exp

from domain.refusal_rules import RefusalRule
from domain.safety.rule_context import RuleContext
from domain.safety.violation import Violation

# What the planner folds to a constant before it estimates: numbers, NULL, ALL, arithmetic,
# casts, and values bound to $n (custom plans: see the module docstring).
_CONSTANT_NODES = (
    *(exp.Literal, exp.Null, exp.Paren, exp.Neg, exp.Cast, exp.DataType, exp.DataTypeParam),
    *(exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.Identifier),
    exp.Parameter,
)


def reject_unestimable_row_counts(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse a LIMIT/OFFSET that is not a constant, and sub-selects in generate_series bounds."""
    for clause in ctx.find(exp.Limit, exp.Offset, exp.Fetch):
        count = clause.args.get("count") if isinstance(clause, exp.Fetch) else clause.expression
        if count is not None and not _is_constant(count):
            return Violation(
                rule=RefusalRule.UNESTIMABLE_ROW_COUNT,
                message=f"{_clause_name(clause)} must be a number, not computed by the query: "
                "the planner cannot estimate it, so the cost limit would not see the real cost",
            )
    for series in ctx.find(exp.GenerateSeries):
        if any(arg.find(exp.Query) for arg in series.args.values() if isinstance(arg, exp.Expr)):
            return Violation(
                rule=RefusalRule.UNESTIMABLE_ROW_COUNT,
                message="generate_series bounds may not be sub-selects (the planner cannot "
                "estimate them); compute them in a FROM subquery and pass its columns, e.g. "
                "FROM (SELECT min(d) AS lo, max(d) AS hi FROM t) b, "
                "generate_series(b.lo, b.hi, interval '1 day')",
            )
    return None


def _is_constant(node: exp.Expr) -> bool:
    if isinstance(node, exp.Var):
        return node.name.upper() == "ALL"
    return all(isinstance(part, _CONSTANT_NODES) for part in node.walk())


def _clause_name(clause: exp.Expr) -> str:
    return "OFFSET" if isinstance(clause, exp.Offset) else "LIMIT"
