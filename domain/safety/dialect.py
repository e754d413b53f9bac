"""The sqlglot PostgreSQL dialect, keeping each known function's name as written."""

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres

ORIGINAL_NAME = "pg_name"


class PostgresAsWritten(Postgres):
    """PostgreSQL as sqlglot reads it, noting the written name of functions it maps to typed nodes.

    sqlglot turns date_trunc(...) into exp.TimestampTrunc, losing the name PostgreSQL will
    resolve; the allow-list must judge the name that was written.
    """

    ORIGINAL_NAME_META_KEY = ORIGINAL_NAME


_DIALECT = PostgresAsWritten()


def parse_statements(text: str) -> list[exp.Expression]:
    """Every statement sqlglot reads in `text`, empty ones (None) dropped.

    Raises sqlglot.errors.ParseError (or TokenError) when sqlglot cannot read it.
    """
    return [tree for tree in _DIALECT.parse(text) if isinstance(tree, exp.Expression)]
