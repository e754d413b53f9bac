"""Refuse `(value).name`: PostgreSQL reads it as name(value) when the value has no such field."""

from sqlglot import exp

from domain.refusal_rules import RefusalRule
from domain.safety.rule_context import RuleContext
from domain.safety.violation import Violation


def reject_field_selection(tree: exp.Expression, ctx: RuleContext) -> Violation | None:
    """Refuse a field taken from a parenthesised value, in PostgreSQL's reading of the text.

    `(u).md5`, `(0.5).setseed` and `(t.col).f` call a function in column notation, on a whole
    row or a value, without the function ever being written as a call; analytics SQL names
    columns instead.
    """
    if ctx.pg.names.fields:
        name = ctx.pg.names.fields[0]
        return Violation(
            rule=RefusalRule.FIELD_SELECTION,
            message=f"(...).{name} is not allowed: name a column of a table instead",
        )
    return None
