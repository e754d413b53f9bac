"""The ERR_005 errors the access policy raises, one constructor per reason."""

from domain.errors import UnsafeSql

BLOCKED_TABLE = "blocked_table"
BLOCKED_COLUMN = "blocked_column"


def refuse_table(reason: str) -> UnsafeSql:
    """A refused table or view, with the catalog's reason ("table credentials is blocked")."""
    return UnsafeSql(reason, rule=BLOCKED_TABLE)


def refuse_column(label: str, how: str = "") -> UnsafeSql:
    """A read of a hidden column ("column users.password is blocked")."""
    return UnsafeSql(f"column {label} is blocked{how}", rule=BLOCKED_COLUMN)


def refuse_whole_row(alias: str, label: str) -> UnsafeSql:
    """A whole-row reference (`u`, `u.*` inside an expression) to a source with hidden columns."""
    return UnsafeSql(
        f"whole-row reference to {alias} would expose column {label}, which is blocked",
        rule=BLOCKED_COLUMN,
    )


def refuse_unresolved(name: str, label: str) -> UnsafeSql:
    """A name that cannot be resolved and could mean a hidden column."""
    return UnsafeSql(
        f"{name} cannot be resolved and could read column {label}, which is blocked",
        rule=BLOCKED_COLUMN,
    )


def refuse_star(label: str) -> UnsafeSql:
    """A `*` that cannot be narrowed to the permitted columns here."""
    return UnsafeSql(
        f"* would include column {label}, which is blocked; list the columns instead",
        rule=BLOCKED_COLUMN,
    )
