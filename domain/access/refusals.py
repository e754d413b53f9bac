"""The ERR_005 errors the access policy raises, one constructor per reason."""

from domain.errors import UnsafeSql
from domain.refusal_rules import RefusalRule


def refuse_table(reason: str) -> UnsafeSql:
    """A refused table or view, with the catalog's reason ("table credentials is blocked")."""
    return UnsafeSql(reason, rule=RefusalRule.BLOCKED_TABLE)


def refuse_column(label: str, how: str = "") -> UnsafeSql:
    """A read of a hidden column ("column users.password is blocked")."""
    return UnsafeSql(f"column {label} is blocked{how}", rule=RefusalRule.BLOCKED_COLUMN)


def refuse_whole_row(alias: str, label: str) -> UnsafeSql:
    """A whole-row reference (`u`, `u.*` inside an expression) to a source with hidden columns."""
    return UnsafeSql(
        f"whole-row reference to {alias} would expose column {label}, which is blocked",
        rule=RefusalRule.BLOCKED_COLUMN,
    )


def refuse_unresolved_name(name: str) -> UnsafeSql:
    """A qualified name that is no column of its source: PostgreSQL would call a function."""
    return UnsafeSql(
        f"{name} is not a column of the table or alias it names; PostgreSQL would read it as "
        "a function call on the whole row. Name an existing column",
        rule=RefusalRule.UNRESOLVED_NAME,
    )


def refuse_ambiguous(name: str, meaning: str) -> UnsafeSql:
    """A relation name the checker and PostgreSQL resolve differently (table or CTE)."""
    return UnsafeSql(
        f"{name} is {meaning} for PostgreSQL but not for the checker; rename the CTE",
        rule=RefusalRule.UNRESOLVED_NAME,
    )


def refuse_unknown_relation(label: str) -> UnsafeSql:
    """A relation the schema snapshot does not hold (created since, or a sequence)."""
    return UnsafeSql(f'relation "{label}" does not exist', rule=RefusalRule.UNKNOWN_RELATION)


def refuse_star(label: str) -> UnsafeSql:
    """A `*` that cannot be narrowed to the permitted columns here."""
    return UnsafeSql(
        f"* would include column {label}, which is blocked; list the columns instead",
        rule=RefusalRule.BLOCKED_COLUMN,
    )
